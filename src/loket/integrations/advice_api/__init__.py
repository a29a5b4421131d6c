"""External advice over HTTP: the ``advies-api`` plug-in of kind ``advice``.

Settings (``loket.integrations.advice = advies-api``)::

    loket.integrations.advies-api.base_url = https://advies.example.be     (the service's API)
    loket.integrations.advies-api.api_key = …             (sent as Authorization: Bearer)
    loket.integrations.advies-api.service = fod-sociale-zekerheid   (code stored on requests)
    loket.integrations.advies-api.title = FOD Sociale Zekerheid
    loket.integrations.advies-api.client_id = fod-advies  (its ACM/IDM client for callbacks)

The service's API (served by :mod:`.simulator` for development)::

    POST {base_url}/api/v1/adviesvragen                       → 202 {"id": …}
         {"request_id", "dossier", "question", "due", "callback_url", "fields", "documents"}
    POST {base_url}/api/v1/adviesvragen/{request_id}/herinnering   → 202
    GET  {base_url}/api/v1/status                             → 200 {"status": "ok"}

Each POST carries the outbox message's ``Idempotency-Key`` (the same on every retry), so the
service accepts a request once. It answers later by calling ``callback_url`` with an ACM/IDM
access token with the scope ``loket.callbacks.advies``.
"""


import colander

from loket.advice.external import ExternalService
from loket.outbox import http
from loket.plugins.options import status_probe
from loket.plugins.registry import Kind, Plugin

NAME = "advies-api"
OUTBOX_KIND = "advice.api"
PROBE_TIMEOUT = 2.0


class AdviceApiOptions(colander.MappingSchema):
    base_url = colander.SchemaNode(colander.String(), validator=colander.url)
    api_key = colander.SchemaNode(colander.String(), validator=colander.Length(min=1))
    service = colander.SchemaNode(colander.String(), missing="fod-sociale-zekerheid",
                                  validator=colander.Regex(r"^[a-z0-9-]{2,64}$"))
    title = colander.SchemaNode(colander.String(), missing="FOD Sociale Zekerheid")
    client_id = colander.SchemaNode(colander.String(), missing="fod-advies")


def make_deliverer(options: dict):
    return http.keyed_deliverer(options["base_url"], options["api_key"], "deliver_advice_api")


def setup(config, options):
    config.add_outbox_deliverer(OUTBOX_KIND, make_deliverer(options))
    return ExternalService(code=options["service"], title=options["title"],
                           client_id=options["client_id"], outbox_kind=OUTBOX_KIND)


def check(options) -> dict:
    return status_probe(options["base_url"], PROBE_TIMEOUT)


PLUGIN = Plugin(kind=Kind.ADVICE, name=NAME, title="Advies via API (FOD Sociale Zekerheid)",
                options=AdviceApiOptions(), setup=setup, check=check)


def includeme(config):
    config.add_integration(PLUGIN)
