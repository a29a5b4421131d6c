"""SMS notifications: our gateway client against the gateway simulator over real HTTP."""

from types import SimpleNamespace

import pytest
import requests
import webtest
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationError

from loket.integrations.simulators import Dispatcher
from loket.integrations.sms import PLUGIN
from loket.integrations.sms.gateway import GatewayConfig, make_deliverer, probe, send
from loket.integrations.sms.simulator import make_app
from loket.outbox import PermanentFailure, TemporaryFailure
from loket.plugins.registry import activate
from tests.servers import serve

API_KEY = "test-sms-key"
TEXT = ("Gemeente Heidebeek: nieuwe status van je dossier 2026-000123 (Verwarmingstoelage): "
        "Ontvankelijk. Meer info: https://loket.heidebeek.example/dossiers/2026-000123/")


class Gateway:
    def __init__(self, base_url, simulator):
        self.base_url = base_url
        self.simulator = simulator

    def config(self, **overrides) -> GatewayConfig:
        return GatewayConfig(**{"base_url": self.base_url, "api_key": API_KEY,
                                "sender": "Heidebeek", "timeout": 2.0, **overrides})

    def control(self, **switches) -> dict:
        response = requests.post(self.base_url + "/_control", json=switches, timeout=5)
        response.raise_for_status()
        return response.json()

    def stored(self) -> list[dict]:
        return requests.get(self.base_url + "/_messages", timeout=5).json()


@pytest.fixture(scope="module")
def running():
    simulator = make_app({"loket.environment": "test",
                          "loket.integrations.sms.api_key": API_KEY})
    # Mounted like `loket simulators` does, under /sms.
    with serve(Dispatcher({"sms": simulator})) as base_url:
        yield Gateway(base_url + "/sms", simulator)


@pytest.fixture
def gateway(running):
    running.control(reset=True)
    yield running
    running.control(reset=True)


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


def _message(to="+32470123456", key="a1b2c3d4e5f60718293a4b5c6d7e8f90", text=TEXT):
    return SimpleNamespace(kind="sms", idempotency_key=key,
                           payload={"to": to, "text": text, "language": "nl"})


def _deliver(gateway, http, message, **overrides):
    context = SimpleNamespace(settings={}, registry=None, http=http, timeout=5)
    return make_deliverer(gateway.config(**overrides))(message, context)


def test_message_is_stored_with_reference_and_idempotency_key(gateway, http):
    _deliver(gateway, http, _message())
    [stored] = gateway.stored()
    assert (stored["to"], stored["text"], stored["sender"]) == ("+32470123456", TEXT,
                                                                 "Heidebeek")
    assert stored["reference"] == stored["idempotency_key"] == "a1b2c3d4e5f60718293a4b5c6d7e8f90"


def test_reply_and_status_lookup(gateway, http):
    reply = send(http, gateway.config(), _message().payload, "k1")
    assert reply["status"] == "accepted"
    status = http.get(f"{gateway.base_url}/messages/{reply['id']}",
                      headers={"Authorization": f"Bearer {API_KEY}"}, timeout=5).json()
    assert status == {"id": reply["id"], "status": "delivered", "reference": "k1"}


def test_a_redelivery_sends_no_second_sms(gateway, http):
    message = _message()
    first = send(http, gateway.config(), message.payload, message.idempotency_key)
    again = send(http, gateway.config(), message.payload, message.idempotency_key)
    assert first == again
    assert len(gateway.stored()) == 1


def test_same_key_other_text_is_a_permanent_conflict(gateway, http):
    _deliver(gateway, http, _message())
    with pytest.raises(PermanentFailure, match="HTTP 409 idempotency_conflict"):
        _deliver(gateway, http, _message(text="iets anders"))


@pytest.mark.parametrize("to,code", [
    ("+32470", "invalid_number"),
    ("0470123456", "invalid_number"),  # national format: the gateway wants E.164
    ("+32400123456", "invalid_number"),
    ("+3211123456", "not_mobile"),  # Belgian landline
    ("jan@example.org", "invalid_number"),
])
def test_invalid_number_is_400_and_permanent(gateway, http, to, code):
    with pytest.raises(PermanentFailure) as refused:
        _deliver(gateway, http, _message(to=to))
    assert str(refused.value) == f"SMS gateway HTTP 400 {code}"
    assert gateway.stored() == []


def test_failure_texts_never_carry_the_number(gateway, http):
    with pytest.raises(PermanentFailure) as refused:
        _deliver(gateway, http, _message(to="+3211123456"))
    assert "3211123456" not in str(refused.value)


def test_text_too_long_is_permanent(gateway, http):
    with pytest.raises(PermanentFailure, match="HTTP 400 text_too_long"):
        _deliver(gateway, http, _message(text="x" * 1601))


def test_simulator_down_is_temporary(gateway, http):
    gateway.control(down=True)
    with pytest.raises(TemporaryFailure, match="HTTP 503 unavailable"):
        _deliver(gateway, http, _message())
    gateway.control(down=False)
    _deliver(gateway, http, _message())  # the retry goes through
    assert len(gateway.stored()) == 1


@pytest.mark.parametrize("status", [500, 502, 429, 408])
def test_server_errors_and_come_back_later_are_temporary(gateway, http, status):
    gateway.control(status=status)
    with pytest.raises(TemporaryFailure, match=f"HTTP {status}"):
        _deliver(gateway, http, _message())


@pytest.mark.parametrize("status", [404, 422])
def test_other_refusals_are_permanent(gateway, http, status):
    gateway.control(status=status)
    with pytest.raises(PermanentFailure, match=f"HTTP {status}"):
        _deliver(gateway, http, _message())


def test_wrong_api_key_is_temporary(gateway, http):
    """Our settings are wrong, not the message: it goes through once the key is fixed."""
    with pytest.raises(TemporaryFailure, match="HTTP 401 unauthorized"):
        _deliver(gateway, http, _message(), api_key="wrong")


def test_slow_gateway_times_out_temporarily(gateway, http):
    gateway.control(slow=1.5)
    with pytest.raises(TemporaryFailure, match="no answer in time"):
        _deliver(gateway, http, _message(), timeout=0.3)


def test_unreachable_gateway_is_temporary(http):
    with serve(lambda environ, start_response: []) as base_url:
        pass  # the port is free again: nobody listens there now
    config = GatewayConfig(base_url=base_url, api_key=API_KEY, timeout=1.0)
    with pytest.raises(TemporaryFailure, match="unreachable: ConnectionError"):
        make_deliverer(config)(_message(), SimpleNamespace(http=http))


def test_unreadable_success_is_temporary(http):
    def not_json(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html")])
        return [b"<html>ok</html>"]

    with serve(not_json) as base_url:
        config = GatewayConfig(base_url=base_url, api_key=API_KEY, timeout=1.0)
        with pytest.raises(TemporaryFailure, match="HTTP 200: unreadable reply"):
            make_deliverer(config)(_message(), SimpleNamespace(http=http))


def test_retry_after_is_passed_on(http):
    def busy(environ, start_response):
        start_response("429 Too Many Requests", [("Content-Type", "application/json"),
                                                 ("Retry-After", "30")])
        return [b'{"error": "rate_limited"}']

    with serve(busy) as base_url:
        config = GatewayConfig(base_url=base_url, api_key=API_KEY, timeout=1.0)
        with pytest.raises(TemporaryFailure) as later:
            make_deliverer(config)(_message(), SimpleNamespace(http=http))
    assert str(later.value) == "SMS gateway HTTP 429 rate_limited"
    assert later.value.retry_after == 30.0


def test_health_probe(gateway):
    assert probe(gateway.config()) == {"status": "ok"}
    assert probe(gateway.config(api_key="wrong")) == {
        "status": "error", "error": "Unauthorized", "http_status": 401}
    gateway.control(down=True)
    assert probe(gateway.config())["http_status"] == 503


def test_simulator_page_lists_messages(gateway, http):
    _deliver(gateway, http, _message())
    page = webtest.TestApp(gateway.simulator).get("/")
    assert "+32470123456" in page.text and "Ontvankelijk" in page.text
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_simulator_refuses_production_settings():
    with pytest.raises(ConfigurationError):
        make_app({"loket.environment": "production"})


def _activate(**options):
    settings = {"loket.environment": "test", "loket.integrations.notification": "sms",
                **{f"loket.integrations.sms.{k}": v for k, v in options.items()}}
    with Configurator(settings=settings) as config:
        config.include("loket.health")
        config.include("loket.outbox")
        config.include("loket.plugins")
        config.include("loket.integrations.sms")
        activate(config)
    return config.registry


def test_plugin_sets_up_deliverer_and_health_check(gateway):
    registry = _activate(base_url=gateway.base_url, api_key=API_KEY)
    assert "sms" in registry["loket.outbox.deliverers"]
    check = registry["loket.health.integration_checks"]["sms"]
    assert check(registry.settings) == {"status": "ok"}
    assert PLUGIN.check(PLUGIN.options.deserialize({"base_url": gateway.base_url,
                                                   "api_key": API_KEY})) == {"status": "ok"}


@pytest.mark.parametrize("options,problem", [
    ({"api_key": API_KEY}, "loket.integrations.sms.base_url"),
    ({"base_url": "not a url", "api_key": API_KEY}, "loket.integrations.sms.base_url"),
    ({"base_url": "http://127.0.0.1:9"}, "loket.integrations.sms.api_key"),
    ({"base_url": "http://127.0.0.1:9", "api_key": "k", "sender": "Gemeente Heidebeek"},
     "loket.integrations.sms.sender"),
])
def test_wrong_options_name_the_setting(options, problem):
    with pytest.raises(ConfigurationError, match=problem):
        _activate(**options)


def test_production_needs_https():
    settings = {"loket.environment": "production", "loket.integrations.notification": "sms",
                "loket.integrations.sms.base_url": "http://sms.example.be/v1",
                "loket.integrations.sms.api_key": "k"}
    with pytest.raises(ConfigurationError, match="https"), \
            Configurator(settings=settings) as config:
        config.include("loket.health")
        config.include("loket.outbox")
        config.include("loket.plugins")
        config.include("loket.integrations.sms")
        activate(config)
