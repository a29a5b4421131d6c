"""Finance lands on its own lists and may open a dossier once it is theirs to pay."""

import pytest

from tests.payments.conftest import stage_form


def test_finance_opens_a_dossier_waiting_for_payment(testapp, login, finance, granted,
                                                     dbsession, handler):
    granted.state = "klaar_voor_betaling"
    dbsession.flush()
    login(finance)
    page = testapp.get(f"/dossiers/{granted.reference}", status=200)
    assert granted.reference in page.text


@pytest.mark.parametrize("state", ["beslissing_verzonden", "betaald", "afgesloten"])
def test_finance_reads_the_payment_states(testapp, login, finance, granted, dbsession, state):
    granted.state = state
    dbsession.flush()
    login(finance)
    testapp.get(f"/dossiers/{granted.reference}", status=200)


def test_finance_sees_no_dossier_before_the_decision_is_sent(testapp, login, finance, granted,
                                                             dbsession):
    granted.state = "in_behandeling"
    dbsession.flush()
    login(finance)
    testapp.get(f"/dossiers/{granted.reference}", status=404)


def test_finance_lands_on_the_payments(testapp, login, finance):
    login(finance)
    response = testapp.get("/aanmelden", status=302)
    assert response.location == "http://localhost/betalingen"
    testapp.get("/betalingen", status=200)


def test_a_handler_has_no_payment_lists(testapp, login, handler):
    login(handler)
    testapp.get("/betalingen", status=403)
    testapp.get("/api/v1/betalingen", status=403)


def test_stage_form_defaults_are_the_fixture(granted, testapp, login, handler):
    login(handler)
    assert stage_form(testapp, granted)["amount"] == "284,10"


def test_finance_reads_the_documents_and_the_workflow(testapp, login, finance, granted,
                                                      dbsession):
    granted.state = "klaar_voor_betaling"
    dbsession.flush()
    login(finance)
    testapp.get(f"/dossiers/{granted.reference}/documenten/1", status=200)
    testapp.get(f"/dossiers/{granted.reference}/documenten/1/download", status=200)
    testapp.get(f"/api/v1/dossiers/{granted.reference}/workflow", status=200)
    testapp.get(f"/api/v1/dossiers/{granted.reference}", status=200)
