"""SMS notifications through an HTTP gateway: the ``sms`` notification plug-in.

The gateway speaks a small, generic JSON protocol (full description in ``README.md`` beside
this file), which most commercial gateways can be fitted to with a thin adapter::

    POST {base_url}/messages
    Authorization: Bearer {api_key}
    Idempotency-Key: {key}
    {"to": "+32470123456", "text": "…", "reference": "{key}", "sender": "Heidebeek"}

    201 {"id": "…", "status": "accepted"}     200: the same key and body again (no second SMS)
    400 {"error": "invalid_number" | "not_mobile" | "text_too_long" | "invalid_request"}
    401 {"error": "unauthorized"}   409 {"error": "idempotency_conflict"}
    429 {"error": "rate_limited"}   5xx: the gateway's trouble

    GET {base_url}/messages/{id}  → {"id", "status", "reference"}
    GET {base_url}/health         → 200 {"status": "ok"} (with the same bearer key)

Settings (``loket.integrations.notification = … sms``)::

    loket.integrations.sms.base_url = https://sms.example.be/v1
    loket.integrations.sms.api_key = …
    loket.integrations.sms.sender = Heidebeek     (optional: up to 11 letters/digits, or a number)
    loket.integrations.sms.timeout = 10

Deliverer: :mod:`.gateway`; simulator for development and tests: :mod:`.simulator`. Numbers
are stored and sent in E.164 (:mod:`loket.notifications.phones`).
"""

import colander
from pyramid.exceptions import ConfigurationError

from loket.api.health import add_integration_check
from loket.integrations.registry import Kind, Plugin
from loket.integrations.sms.gateway import GatewayConfig, make_deliverer, probe
from loket.settings import is_production

NAME = "sms"
SENDER = r"^(?:[A-Za-z0-9 .\-]{1,11}|\+?[0-9]{3,15})$"


class SmsOptions(colander.MappingSchema):
    base_url = colander.SchemaNode(colander.String(), validator=colander.url)
    api_key = colander.SchemaNode(colander.String(), validator=colander.Length(min=1))
    sender = colander.SchemaNode(colander.String(), missing="", validator=colander.Regex(
        SENDER, "up to 11 letters and digits, or a phone number"))
    timeout = colander.SchemaNode(colander.Float(), missing=10.0,
                                  validator=colander.Range(0.1, 120))


def gateway_config(options: dict) -> GatewayConfig:
    return GatewayConfig(base_url=options["base_url"], api_key=options["api_key"],
                         sender=options["sender"], timeout=options["timeout"])


def setup(config, options):
    if is_production(config.get_settings()) and not options["base_url"].startswith("https://"):
        raise ConfigurationError("loket.integrations.sms.base_url must be an https URL")
    gateway = gateway_config(options)
    config.add_outbox_deliverer(NAME, make_deliverer(gateway))
    add_integration_check(config, NAME, lambda settings: probe(gateway))


def check(options) -> dict:
    return probe(gateway_config(options))


PLUGIN = Plugin(kind=Kind.NOTIFICATION, name=NAME, title="SMS (HTTP gateway)",
                options=SmsOptions(), setup=setup, check=check)


def includeme(config):
    config.add_integration(PLUGIN)
