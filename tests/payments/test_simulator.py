"""The accounting simulator over real HTTP: Loket's deliverer hands it an order it checks
against the contract and stages once; it reports paid, or rejected for a closed account, to
the order's callback URL with an ACM/IDM token of its client."""

import base64
import json
import time
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import requests

from loket.integrations.accounting import contract
from loket.integrations.accounting.api import AccountingApi, make_deliverer
from loket.integrations.accounting.simulator import make_app
from loket.integrations.simulators import Dispatcher
from loket.outbox import DeliveryContext, Message, PermanentFailure
from loket.plugins.kinds import Debtor, InvalidInput, PaymentInstruction
from tests.api import test_tokens
from tests.identity.conftest import TIMEOUT
from tests.servers import serve

api_provider = test_tokens.api_provider
DEBTOR = Debtor("Gemeente Heidebeek", "BE10091012345604", "GKCCBEBB", "0207123407")


def instruction(callback_url, **changes):
    return PaymentInstruction(**{
        "end_to_end_id": "LOKET-2026-000123-1", "dossier": "2026-000123",
        "creditor_name": "Jan Peeters", "iban": "BE68539007547034", "bic": None,
        "amount": Decimal("284.10"), "remittance": "Verwarmingstoelage dossier 2026-000123",
        "due_date": date(2026, 12, 31), "budget_code": "0900-00/64900000",
        "callback_url": callback_url, **changes})


@pytest.fixture
def package(app_settings, api_provider):
    settings = {**app_settings, "loket.acmidm.issuer": api_provider.issuer,
                "loket.integrations.boekhouding-api.api_key": "sim-key",
                "loket.simulators.boekhouding.delay": "0"}
    simulator = make_app(settings)
    with serve(Dispatcher({"boekhouding": simulator})) as base_url:
        simulator.base_url = base_url + "/boekhouding"
        yield simulator


def deliver(package, payload, key="key-1"):
    send = make_deliverer({"base_url": package.base_url, "api_key": "sim-key"})
    message = Message(id=1, kind="accounting.api", payload=payload, idempotency_key=key,
                      ordering_key=None, dossier_id=None, attempts=0,
                      created=datetime.now(UTC))
    with requests.Session() as session:
        send(message, DeliveryContext(settings={}, registry=None, http=session, timeout=5.0,
                                      worker="test"))


def wait_for(receiver, count=1):
    for _ in range(100):
        if len(receiver.received) >= count:
            return receiver.received
        time.sleep(0.05)
    raise AssertionError("no callback arrived")


def test_an_order_is_staged_once_and_reported_paid(package, receiver, api_provider):
    [payload] = AccountingApi("Boekhouding", "boekhouding").messages(
        DEBTOR, "LOKET-20261203-AB12CD34", [instruction(receiver.url)])
    deliver(package, payload)
    deliver(package, payload, key="key-2")  # the same order under another key: once
    [order] = package.state()["orders"]
    assert (order["order_id"], order["repeats"], order["amount"]) == \
        ("LOKET-2026-000123-1", 1, "284.10")
    [callback] = wait_for(receiver)
    assert contract.problems("Settlement", callback["json"]) == []
    assert (callback["json"]["status"], callback["json"]["order_id"]) == \
        ("paid", "LOKET-2026-000123-1")
    token = callback["headers"]["Authorization"].removeprefix("Bearer ")
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert (claims["sub"], claims["scope"]) == ("boekhouding", "loket.callbacks.betaling")


def test_a_closed_account_is_reported_rejected(package, receiver):
    requests.post(package.base_url + "/_control", json={"closed_accounts": [
        "BE68 5390 0754 7034"]}, timeout=TIMEOUT).raise_for_status()
    [payload] = AccountingApi("Boekhouding", "boekhouding").messages(
        DEBTOR, "LOKET-20261203-AB12CD34", [instruction(receiver.url)])
    deliver(package, payload)
    [callback] = wait_for(receiver)
    assert (callback["json"]["status"], callback["json"]["reason_code"]) == ("rejected", "AC04")


def test_the_simulator_refuses_what_breaks_the_contract(package):
    payload = {"path": "/api/v1/betaalopdrachten", "json": {"order_id": "x", "amount": "0"}}
    with pytest.raises(PermanentFailure, match="HTTP 400"):
        deliver(package, payload)
    assert package.state()["orders"] == []


def test_loket_refuses_to_queue_what_breaks_the_contract(receiver):
    with pytest.raises(InvalidInput, match="budget_code"):
        AccountingApi("Boekhouding", "boekhouding").messages(
            DEBTOR, "LOKET-1", [instruction(receiver.url, budget_code="")])


def test_the_health_probe_asks_the_package(package):
    from loket.integrations.accounting import api

    assert api.check({"base_url": package.base_url}) == {"status": "ok"}
    requests.post(package.base_url + "/_control", json={"down": True},
                  timeout=TIMEOUT).raise_for_status()
    assert api.check({"base_url": package.base_url})["status"] == "error"


def test_settings_are_checked_at_start_up(app_settings, tmp_path):
    from pyramid.exceptions import ConfigurationError

    from loket.main import main

    with pytest.raises(ConfigurationError, match="boekhouding-api.base_url"):
        main({}, **{**app_settings, "loket.integrations.accounting": "boekhouding-api",
                    "loket.integrations.boekhouding-api.api_key": "k"})
    with pytest.raises(ConfigurationError, match="sepa-bestand.version"):
        main({}, **{**app_settings, "loket.integrations.accounting": "sepa-bestand",
                    "loket.integrations.sepa-bestand.directory": str(tmp_path),
                    "loket.integrations.sepa-bestand.version": "pain.001.001.02"})
    app = main({}, **{**app_settings, "loket.integrations.accounting": "sepa-bestand",
                      "loket.integrations.sepa-bestand.directory": str(tmp_path)})
    app.registry["db_engine"].dispose()
