"""The accounting package over its JSON API: the ``boekhouding-api`` plug-in.

Settings (``loket.integrations.accounting = boekhouding-api``)::

    loket.integrations.boekhouding-api.base_url = https://boekhouding.example.be
    loket.integrations.boekhouding-api.api_key = …        (sent as Authorization: Bearer)
    loket.integrations.boekhouding-api.client_id = boekhouding  (its ACM/IDM client)

One outbox message per order (``POST {base_url}/api/v1/betaalopdrachten``, the message's
``Idempotency-Key`` on every retry), checked against ``accounting-api.yaml`` before it is
queued: an order the contract refuses is never approved.
"""

from dataclasses import dataclass

import colander

from loket.integrations.accounting import contract
from loket.outbox import http
from loket.plugins.kinds import Debtor, InvalidInput, PaymentInstruction
from loket.plugins.options import status_probe
from loket.plugins.registry import Kind, Plugin

NAME = "boekhouding-api"
OUTBOX_KIND = "accounting.api"
PATH = "/api/v1/betaalopdrachten"
PROBE_TIMEOUT = 2.0


def order_json(debtor: Debtor, batch: str, item: PaymentInstruction) -> dict:
    def account(name, iban, bic):
        return {"name": name, "iban": iban, **({"bic": bic} if bic else {})}

    return {
        "order_id": item.end_to_end_id, "batch": batch, "dossier": item.dossier,
        "debtor": {**account(debtor.name, debtor.iban, debtor.bic), "kbo": debtor.kbo},
        "creditor": account(item.creditor_name, item.iban, item.bic),
        "amount": f"{item.amount:.2f}", "currency": "EUR", "remittance": item.remittance,
        "due_date": item.due_date.isoformat(), "budget_code": item.budget_code,
        "callback_url": item.callback_url,
    }


@dataclass(frozen=True)
class AccountingApi:
    """The kind's implementation (:class:`loket.plugins.kinds.Accounting`)."""

    title: str
    client_id: str
    reports_back: bool = True
    outbox_kind: str = OUTBOX_KIND

    def messages(self, debtor, batch, instructions) -> list[dict]:
        payloads = []
        for item in instructions:
            body = order_json(debtor, batch, item)
            problems = contract.problems("PaymentOrder", body)
            if problems:
                raise InvalidInput(f"{item.end_to_end_id}: {'; '.join(problems)}")
            payloads.append({"path": PATH, "json": body})
        return payloads


class AccountingApiOptions(colander.MappingSchema):
    base_url = colander.SchemaNode(colander.String(), validator=colander.url)
    api_key = colander.SchemaNode(colander.String(), validator=colander.Length(min=1))
    title = colander.SchemaNode(colander.String(), missing="Boekhoudpakket")
    client_id = colander.SchemaNode(colander.String(), missing="boekhouding")


def make_deliverer(options: dict):
    return http.keyed_deliverer(options["base_url"], options["api_key"],
                                "deliver_accounting_api")


def setup(config, options):
    config.add_outbox_deliverer(OUTBOX_KIND, make_deliverer(options))
    return AccountingApi(title=options["title"], client_id=options["client_id"])


def check(options) -> dict:
    return status_probe(options["base_url"], PROBE_TIMEOUT)


PLUGIN = Plugin(kind=Kind.ACCOUNTING, name=NAME, title="Boekhoudpakket via API",
                options=AccountingApiOptions(), setup=setup, check=check)
