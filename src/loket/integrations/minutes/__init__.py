"""The minutes software (notuleringspakket) over HTTP: the ``notulen-api`` plug-in of kind
``minutes``.

Settings (``loket.integrations.minutes = notulen-api``)::

    loket.integrations.notulen-api.base_url = https://notulen.example.be   (the package's API)
    loket.integrations.notulen-api.api_key = …              (sent as Authorization: Bearer)
    loket.integrations.notulen-api.client_id = notulen  (its ACM/IDM client for callbacks)

The package's API (served by :mod:`.simulator` for development)::

    POST {base_url}/api/v1/agendapunten          → 202 {"id": …}
         {"item", "dossier", "body", "meeting", "title", "description", "motivation",
          "articles", "amount", "callback_url"}
    GET  {base_url}/api/v1/status                → 200 {"status": "ok"}

Each POST carries the outbox message's ``Idempotency-Key`` (the same on every retry). When
the meeting is held the package calls ``callback_url`` (Loket's ``besluit`` callback) with an
ACM/IDM access token with the scope ``loket.callbacks.besluit``.
"""

from dataclasses import dataclass

import colander

from loket.i18n import _
from loket.outbox import http
from loket.plugins.options import status_probe
from loket.plugins.registry import Kind, Plugin

NAME = "notulen-api"
OUTBOX_KIND = "minutes.api"
PROBE_TIMEOUT = 2.0


@dataclass(frozen=True)
class MinutesPackage:
    """The kind's implementation (:class:`loket.plugins.kinds.MinutesSoftware`)."""

    title: str
    client_id: str
    outbox_kind: str = OUTBOX_KIND


class MinutesApiOptions(colander.MappingSchema):
    base_url = colander.SchemaNode(colander.String(), validator=colander.url)
    api_key = colander.SchemaNode(colander.String(), validator=colander.Length(min=1))
    title = colander.SchemaNode(colander.String(), missing="Notuleringspakket")
    client_id = colander.SchemaNode(colander.String(), missing="notulen")


def make_deliverer(options: dict):
    return http.keyed_deliverer(options["base_url"], options["api_key"], "deliver_minutes_api")


def setup(config, options):
    config.add_outbox_deliverer(OUTBOX_KIND, make_deliverer(options))
    return MinutesPackage(title=options["title"], client_id=options["client_id"])


def check(options) -> dict:
    return status_probe(options["base_url"], PROBE_TIMEOUT)


PLUGIN = Plugin(kind=Kind.MINUTES, name=NAME, title="Notuleringspakket via API",
                options=MinutesApiOptions(), setup=setup, check=check)


def includeme(config):
    config.add_integration(PLUGIN)
    config.add_message_title(OUTBOX_KIND, lambda payload: _(
        "Agenda item passed on to the minutes software"))
