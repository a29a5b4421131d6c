"""The accounting package reports an order paid (the dossier is paid out, as the system) or
rejected (the dossier waits for a new order); repeats change nothing; other clients,
unknown orders and contradicting reports are refused and change nothing."""

import json
from datetime import date

import pytest
from sqlalchemy import select

from loket.audit.models import AuditEvent
from loket.integrations.accounting import contract
from loket.integrations.accounting.api import AccountingApi
from loket.payments.models import PaymentOrder
from loket.plugins.registry import IMPLEMENTATIONS_KEY, Kind
from tests.api import test_tokens
from tests.api.test_tokens import bearer, fetch_token
from tests.payments.test_approval import stage

api_provider = test_tokens.api_provider
provider = test_tokens.provider
bearer_settings = test_tokens.bearer_settings
bearer_app = test_tokens.bearer_app
api = test_tokens.api


@pytest.fixture
def reporting(bearer_app, monkeypatch):
    """The accounting API plug-in chosen in the app the callbacks reach."""
    chosen = dict(bearer_app.registry.get(IMPLEMENTATIONS_KEY, {}))
    chosen[Kind.ACCOUNTING] = [AccountingApi(title="Boekhoudpakket", client_id="boekhouding")]
    monkeypatch.setitem(bearer_app.registry, IMPLEMENTATIONS_KEY, chosen)


@pytest.fixture
def boekhouding(provider):
    return bearer(fetch_token(provider, "boekhouding"))


@pytest.fixture
def sent(bearer_app, dbsession, granted, handler, finance, reporting):
    from loket.payments import services

    order = stage(bearer_app, dbsession, granted, handler)
    services.approve(bearer_app.registry, dbsession, [order], finance)
    return order


def report(api, order, headers, expect=200, **changes):
    body = {"callback_id": f"BO-1-{changes.get('status', 'paid')}",
            "order_id": order.end_to_end_id, "status": "paid",
            "paid_on": date.today().isoformat(), "external_id": "BO-00001", **changes}
    body = {k: v for k, v in body.items() if v is not None}
    return api.post(f"/api/v1/dossiers/{order.dossier.reference}/callbacks/betaling",
                    json.dumps(body).encode(), status=expect,
                    headers={"Content-Type": "application/json", **headers})


def events(dbsession, action):
    dbsession.flush()
    return list(dbsession.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_loket_takes_what_the_contract_lets_the_package_send(app):
    from loket.web.openapi import spec_dict

    ours = spec_dict(app.registry)["components"]["schemas"]["PaymentSettlement"]
    theirs = contract.document()["components"]["schemas"]["Settlement"]
    assert _shape(ours) == _shape(theirs)


def _shape(schema):
    """A schema without its prose."""
    if isinstance(schema, dict):
        return {k: _shape(v) for k, v in schema.items() if k != "description"}
    return schema


def test_paid_pays_out_the_dossier_as_the_system(api, boekhouding, sent, dbsession):
    answer = report(api, sent, boekhouding)
    assert (answer.json["status"], answer.json["state"]) == ("paid", "betaald")
    assert (sent.status, sent.paid_on, sent.external_id) == ("paid", date.today(), "BO-00001")
    assert sent.dossier.state == "betaald"
    [step] = [e for e in events(dbsession, "dossier.transition")
              if e.object_id == sent.dossier.reference and e.details.get("to") == "betaald"]
    assert step.actor_id is None


def test_a_second_paid_report_changes_nothing(api, boekhouding, sent, dbsession):
    report(api, sent, boekhouding)
    again = report(api, sent, boekhouding)
    assert again.headers["Idempotent-Replayed"] == "true"
    other_id = report(api, sent, boekhouding, callback_id="BO-1-paid-again")
    assert other_id.json["status"] == "paid"
    assert len([e for e in events(dbsession, "dossier.transition")
                if e.object_id == sent.dossier.reference
                and e.details.get("to") == "betaald"]) == 1
    assert len(events(dbsession, "callback.repeated")) == 1


def test_rejected_leaves_the_dossier_waiting_for_a_new_order(api, boekhouding, sent, dbsession,
                                                             bearer_app, handler):
    answer = report(api, sent, boekhouding, paid_on=None, status="rejected",
                    reason_code="AC04", reason="Rekening afgesloten")
    assert answer.json["status"] == "rejected"
    assert (sent.status, sent.reason_code, sent.dossier.state) == \
        ("rejected", "AC04", "klaar_voor_betaling")
    second = stage(bearer_app, dbsession, sent.dossier, handler, iban="BE71 0961 2345 6769")
    assert (second.number, second.status) == (2, "staged")


def test_paid_after_rejected_is_refused(api, boekhouding, sent, dbsession):
    report(api, sent, boekhouding, paid_on=None, status="rejected", reason_code="AC04")
    report(api, sent, boekhouding, callback_id="BO-1-late", expect=409)
    assert (sent.status, sent.dossier.state) == ("rejected", "klaar_voor_betaling")
    assert len(events(dbsession, "callback.refused")) == 1


def test_an_unknown_order_is_404(api, boekhouding, sent, dbsession):
    report(api, sent, boekhouding, order_id="LOKET-2026-999999-1", expect=404)
    assert sent.status == "sent"


def test_another_client_cannot_report(api, provider, sent, dbsession):
    report(api, sent, bearer(fetch_token(provider, "notulen")), expect=403)
    assert sent.status == "sent"


def test_a_malformed_report_is_400(api, boekhouding, sent, dbsession):
    answer = api.post(f"/api/v1/dossiers/{sent.dossier.reference}/callbacks/betaling",
                      json.dumps({"callback_id": "x", "order_id": sent.end_to_end_id,
                                  "status": "betaald"}).encode(), status=400,
                      headers={"Content-Type": "application/json", **boekhouding})
    assert answer.json["error"]["status"] == 400
    assert sent.status == "sent"


def test_an_order_reported_before_it_was_approved_is_refused(api, boekhouding, bearer_app,
                                                             dbsession, granted, handler,
                                                             reporting):
    order = stage(bearer_app, dbsession, granted, handler)
    report(api, order, boekhouding, expect=409)
    assert order.status == "staged" and granted.state == "klaar_voor_betaling"
    assert dbsession.scalar(select(PaymentOrder.status)) == "staged"


def test_paid_for_a_dossier_no_longer_waiting_changes_nothing(api, boekhouding, sent,
                                                             dbsession):
    sent.dossier.state = "afgesloten"
    dbsession.flush()
    report(api, sent, boekhouding, expect=409)
    assert (sent.status, sent.paid_on, sent.dossier.state) == ("sent", None, "afgesloten")


def test_the_applicant_sees_the_payment(api, boekhouding, sent, dbsession, testapp, login,
                                        applicant):
    login(applicant)
    page = testapp.get(f"/dossiers/{sent.dossier.reference}")
    assert "binnen enkele werkdagen" in page.html.find(id="uitbetaling").get_text()
    report(api, sent, boekhouding)
    page = testapp.get(f"/dossiers/{sent.dossier.reference}")
    text = page.html.find(id="uitbetaling").get_text()
    assert "BE68 •••• 7034" in text and "284,10" in text
    assert "BE68539007547034" not in page.text
    assert "Uitbetaald" in page.text


def test_rejected_without_a_reason_is_400_and_changes_nothing(api, boekhouding, sent,
                                                              dbsession):
    report(api, sent, boekhouding, paid_on=None, status="rejected", expect=400)
    assert sent.status == "sent"
