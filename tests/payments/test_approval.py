"""Finance approves staged orders, one or a batch, never one they staged themselves (four
eyes); approval hands each order to the accounting package through the outbox, once."""

import pytest
from sqlalchemy import select

from loket.integrations.accounting import contract
from loket.outbox.models import OutboxMessage
from loket.payments import services
from loket.security import Role, principals_for
from loket.workflow.engine import Actor
from tests.conftest import csrf_token


def stage(app, dbsession, dossier, user, **values):
    actor = Actor(user, frozenset(principals_for(user)))
    return services.stage(app.registry, dbsession, dossier, actor, **{
        "amount": "284.10", "creditor_name": "Jan Peeters", "iban": "BE68539007547034",
        **values})


def messages(dbsession):
    dbsession.flush()
    return list(dbsession.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "accounting.api").order_by(OutboxMessage.id)))


def approve(testapp, *orders, status=302):
    return testapp.post("/betalingen/goedkeuren", [
        ("csrf_token", csrf_token(testapp)), *[("order", str(o.id)) for o in orders]],
        status=status)


@pytest.fixture
def staged(app, dbsession, granted, handler):
    return stage(app, dbsession, granted, handler)


def test_finance_approves_and_the_order_goes_to_the_accounting(testapp, login, finance,
                                                               staged, accounting, dbsession):
    login(finance)
    page = testapp.get("/betalingen")
    assert staged.end_to_end_id in page.text
    assert "BE68539007547034" not in page.text  # masked in lists
    approve(testapp, staged)
    assert (staged.status, staged.approved_by_id) == ("sent", finance.id)
    [message] = messages(dbsession)
    body = message.payload["json"]
    assert contract.problems("PaymentOrder", body) == []
    assert (body["order_id"], body["amount"], body["creditor"]) == (
        staged.end_to_end_id, "284.10", {"name": "Jan Peeters", "iban": "BE68539007547034"})
    assert body["budget_code"] == "0900-00/64900000"
    assert body["callback_url"].endswith(
        f"/api/v1/dossiers/{staged.dossier.reference}/callbacks/betaling")
    assert message.dossier_id == staged.dossier_id


def test_who_staged_an_order_cannot_approve_it(testapp, login, factories, team, granted, app,
                                               dbsession, accounting):
    both = factories.staff(Role.HANDLER, Role.FINANCE, team=team, given_name="Both")
    order = stage(app, dbsession, granted, both)
    login(both)
    page = approve(testapp, order, status=403)
    assert "four eyes" in page.text or "vier ogen" in page.text
    assert order.status == "staged" and messages(dbsession) == []


def test_a_batch_is_all_or_nothing(testapp, login, factories, team, granted, app, dbsession,
                                   accounting, finance, submitted, applicant, heating_type):
    from tests.payments.conftest import granted as make_granted

    other = factories.dossier(applicant=applicant, team=team, type_version=heating_type,
                              state="ingediend", data=dict(submitted.data))
    make_granted.__wrapped__(other, dbsession)
    both = factories.staff(Role.HANDLER, Role.FINANCE, team=team, given_name="Both")
    first = stage(app, dbsession, granted, both)
    second = stage(app, dbsession, other, factories.staff(Role.HANDLER, team=team))
    login(both)
    approve(testapp, second, first, status=403)
    assert (first.status, second.status) == ("staged", "staged")
    assert messages(dbsession) == []
    login(finance)
    approve(testapp, first, second)
    assert first.batch == second.batch and first.batch
    assert len(messages(dbsession)) == 2


def test_approving_again_sends_nothing_twice(testapp, login, finance, colleague, staged,
                                             accounting, dbsession):
    login(finance)
    approve(testapp, staged)
    login(colleague)
    approve(testapp, staged, status=409)
    assert len(messages(dbsession)) == 1


def test_nothing_chosen_is_a_clear_error(testapp, login, finance, accounting):
    login(finance)
    approve(testapp, status=400)


def test_without_an_accounting_package_nothing_is_approved(testapp, login, finance, staged,
                                                           dbsession, plug_in):
    from loket.plugins.registry import IMPLEMENTATIONS_KEY, Kind

    plug_in(Kind.ACCOUNTING, None)
    testapp.app.registry[IMPLEMENTATIONS_KEY][Kind.ACCOUNTING] = []
    login(finance)
    approve(testapp, staged, status=503)
    assert staged.status == "staged"


def test_a_handler_cannot_approve(testapp, login, handler, staged, accounting, dbsession):
    login(handler)
    testapp.post("/betalingen/goedkeuren", {"order": str(staged.id)}, status="*")
    assert staged.status == "staged" and messages(dbsession) == []


def test_finance_lists_as_json(testapp, login, finance, staged):
    login(finance)
    found = testapp.get("/api/v1/betalingen").json
    assert found["counts"]["te-keuren"] == 1
    [order] = found["orders"]
    assert order["creditor"]["iban"] == "BE68 •••• 7034"
    dossier = testapp.get(f"/api/v1/dossiers/{staged.dossier.reference}/betalingen").json
    assert [o["id"] for o in dossier["orders"]] == [staged.end_to_end_id]


def test_finance_sends_an_order_back_with_a_reason(testapp, login, finance, staged, app,
                                                   dbsession, handler, accounting):
    login(finance)
    token = csrf_token(testapp)
    testapp.post("/betalingen/terugsturen", {"csrf_token": token, "order": str(staged.id)},
                 status=400)
    assert staged.status == "staged"
    testapp.post("/betalingen/terugsturen", {"csrf_token": token, "order": str(staged.id),
                                             "reason": "Rekeningnummer van de partner"},
                 status=302)
    assert (staged.status, staged.reason) == ("cancelled", "Rekeningnummer van de partner")
    assert messages(dbsession) == []
    again = stage(app, dbsession, staged.dossier, handler, iban="BE71 0961 2345 6769")
    assert (again.number, again.status) == (2, "staged")
