"""The handler stages the granted amount: one order per dossier, the dossier waits for
payment; bad input is a clear error and changes nothing."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from loket.audit.models import AuditEvent
from loket.decisions.models import Decision
from loket.i18n import _
from loket.payments.models import PaymentOrder
from loket.workflow.engine import Actor
from tests.payments.conftest import stage_form


def orders(dbsession, dossier):
    dbsession.flush()
    return list(dbsession.scalars(select(PaymentOrder).where(
        PaymentOrder.dossier_id == dossier.id)))


def test_the_panel_proposes_the_decision_and_the_account(testapp, login, handler, granted):
    login(handler)
    form = testapp.get(f"/dossiers/{granted.reference}").forms["betaling-klaarzetten"]
    assert form["amount"].value == "284.10"
    assert form["iban"].value == "BE68 5390 0754 7034"
    assert form["creditor_name"].value == "Jan Peeters"


def test_the_handler_stages_the_payment(testapp, login, handler, granted, dbsession):
    login(handler)
    testapp.post(f"/dossiers/{granted.reference}/betalingen", stage_form(testapp, granted),
                 status=302)
    [order] = orders(dbsession, granted)
    assert (order.status, str(order.amount), order.iban, order.bic) == \
        ("staged", "284.10", "BE68539007547034", None)
    assert order.budget_code == "0900-00/64900000"
    assert order.end_to_end_id == f"LOKET-{granted.reference}-1"
    assert granted.reference in order.remittance
    assert (granted.state, order.staged_by_id) == ("klaar_voor_betaling", handler.id)
    details = [e.details for e in dbsession.scalars(select(AuditEvent).where(
        AuditEvent.object_id == granted.reference))]
    assert details and not any("BE68" in str(d) or "539007" in str(d) for d in details)


def test_a_bank_the_registry_lacks_gets_no_bic_and_a_known_one_does(granted, dbsession, app,
                                                                    handler):
    from loket.payments import services
    from loket.security import principals_for

    actor = Actor(handler, frozenset(principals_for(handler)))
    order = services.stage(app.registry, dbsession, granted, actor, amount="284.10",
                           creditor_name="Jan Peeters", iban="BE71 0961 2345 6769")
    assert order.bic == "GKCCBEBB"


INVALID_IBAN = _("This is not a valid IBAN account number (for example BE71 0961 2345 6769).")
NOT_AN_AMOUNT = _("The amount is not a valid amount.")
TOO_MUCH = _("The amount is more than the decision grants (€ ${amount}).",
             mapping={"amount": "284.10"})


@pytest.mark.parametrize("changes, message", [
    ({"iban": "BE68 5390 0754 7035"}, INVALID_IBAN),
    ({"iban": "BE68539007547034\x00"}, INVALID_IBAN),
    ({"iban": "US64SVBKUS6S3300958879"}, INVALID_IBAN),
    ({"amount": "0"}, _("The amount must be more than zero.")),
    ({"amount": "-10,00"}, _("The amount must be more than zero.")),
    ({"amount": "NaN"}, NOT_AN_AMOUNT),
    ({"amount": "Infinity"}, NOT_AN_AMOUNT),
    ({"amount": "1e3"}, TOO_MUCH),
    ({"amount": "300"}, TOO_MUCH),
    ({"amount": "12,345"}, NOT_AN_AMOUNT),
    ({"creditor_name": " "}, _("Give the creditor's name (at most 70 characters).")),
    ({"iban": "CH93 0076 2011 6238 5295 7"}, _("An account in this country needs the bank's "
                                              "BIC.")),
    ({"iban": "CH93 0076 2011 6238 5295 7", "bic": "UBS"}, _("Not a valid BIC.")),
])
def test_bad_input_is_a_clear_error_and_changes_nothing(testapp, login, handler, granted,
                                                        dbsession, dutch, changes, message):
    login(handler)
    version = granted.version
    page = testapp.post(f"/dossiers/{granted.reference}/betalingen",
                        stage_form(testapp, granted, **changes), status=400)
    assert page.html.find(id="betaling-fout").get_text(strip=True) == dutch(message)
    assert orders(dbsession, granted) == []
    assert (granted.state, granted.version) == ("beslissing_verzonden", version)


def test_a_second_staging_is_refused_one_order_stays(testapp, login, handler, granted,
                                                     dbsession):
    login(handler)
    testapp.post(f"/dossiers/{granted.reference}/betalingen", stage_form(testapp, granted),
                 status=302)
    again = testapp.post(f"/dossiers/{granted.reference}/betalingen",
                         stage_form(testapp, granted), status="*")
    assert again.status_int in (400, 409)
    assert len(orders(dbsession, granted)) == 1


def test_the_applicant_cannot_stage(testapp, login, applicant, granted, dbsession):
    login(applicant)
    page = testapp.post(f"/dossiers/{granted.reference}/betalingen",
                        stage_form(testapp, granted), status=403)
    assert orders(dbsession, granted) == []
    assert page.html.find(id="betaling-klaarzetten") is None  # not the staff's page
    assert "Factuur stookolie" not in page.text


def test_finance_cannot_stage(testapp, login, finance, granted, dbsession):
    login(finance)
    testapp.post(f"/dossiers/{granted.reference}/betalingen", stage_form(testapp, granted),
                 status=403)
    assert orders(dbsession, granted) == []


def test_a_type_without_budget_code_is_refused(testapp, login, handler, granted, dbsession,
                                              factories, team, applicant):
    dossier = factories.dossier(applicant=applicant, team=team, state="beslissing_verzonden",
                                data={"iban": "BE68539007547034"})
    dossier.outcome = "approved"
    dbsession.add(Decision(dossier_id=dossier.id, body_code="college", decided_on=date.today(),
                           outcome="approved", title="Premie", final_text="Toegekend.",
                           amount=Decimal("100.00")))
    dbsession.flush()
    login(handler)
    page = testapp.post(f"/dossiers/{dossier.reference}/betalingen",
                        stage_form(testapp, dossier, amount="100"), status=400)
    assert "budget" in page.html.find(id="betaling-fout").get_text()
    assert orders(dbsession, dossier) == []


def test_the_generic_step_form_cannot_stage(testapp, login, handler, granted, dbsession):
    from tests.conftest import csrf_token

    login(handler)
    testapp.post(f"/dossiers/{granted.reference}/stap", {
        "csrf_token": csrf_token(testapp), "transition": "betaling_voorbereiden",
        "version": str(granted.version)}, status="*")
    assert granted.state == "beslissing_verzonden"


def test_the_staging_shows_in_the_timeline(testapp, login, handler, granted, dbsession):
    login(handler)
    testapp.post(f"/dossiers/{granted.reference}/betalingen", stage_form(testapp, granted),
                 status=302)
    page = testapp.get(f"/dossiers/{granted.reference}")
    assert "284.10" in page.html.find(id="betaling").get_text() or \
        "284,10" in page.html.find(id="betaling").get_text()
    assert "Betaling klaargezet" in page.text


@pytest.mark.postgresql
def test_the_database_holds_one_live_order_per_dossier(app, dbsession, granted, handler):
    """Two stagings that both passed the service's check at once: the partial unique index
    refuses the second (the service answers 409)."""
    from sqlalchemy.exc import IntegrityError

    from loket.payments.models import PaymentOrder

    def order(number, status="staged"):
        return PaymentOrder(dossier_id=granted.id, number=number,
                            end_to_end_id=f"LOKET-{granted.reference}-{number}",
                            amount=Decimal("1.00"), creditor_name="Jan", iban="BE68539007547034",
                            remittance="x", due_date=date.today(), budget_code="0900",
                            status=status)

    dbsession.add(order(1, "rejected"))
    dbsession.add(order(2))
    dbsession.flush()
    with pytest.raises(IntegrityError), dbsession.begin_nested():
        dbsession.add(order(3))
        dbsession.flush()


def test_only_who_may_stage_stages_again_after_a_rejection(testapp, login, finance, handler,
                                                           granted, dbsession):
    granted.state = "klaar_voor_betaling"  # the first order was rejected
    dbsession.flush()
    login(finance)
    testapp.post(f"/dossiers/{granted.reference}/betalingen", stage_form(testapp, granted),
                 status=403)
    assert orders(dbsession, granted) == []
    login(handler)
    testapp.post(f"/dossiers/{granted.reference}/betalingen", stage_form(testapp, granted),
                 status=302)
    assert [o.status for o in orders(dbsession, granted)] == ["staged"]
