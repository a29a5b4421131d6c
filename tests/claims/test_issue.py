"""The handler charges the fee: one claim with its reference, the payment-request letter, the
step taken; bad input changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from loket.claims.models import Claim
from loket.claims.reference import display, parse
from loket.dossiers.events import events_of
from loket.i18n import local_now
from loket.letters.models import Letter
from tests.claims.qr import decode_data_uri
from tests.conftest import csrf_token


def _post(testapp, dossier, **values):
    form = {"csrf_token": csrf_token(testapp), "version": dossier.version,
            "amount": "30,00", "due": (local_now().date() + timedelta(days=30)).isoformat(),
            **values}
    return testapp.post(f"/dossiers/{dossier.reference}/retributie", form, status="*")


def test_the_form_proposes_the_types_amount_and_term(testapp, login, permit, permit_handler):
    login(permit_handler)
    page = testapp.get(f"/dossiers/{permit.reference}/retributie")
    assert page.html.find("input", {"name": "amount"})["value"] == "30,00"  # 15 m² × 2 days
    due = (local_now().date() + timedelta(days=30)).isoformat()
    assert page.html.find("input", {"name": "due"})["value"] == due


def test_charging_makes_a_claim_a_letter_and_takes_the_step(testapp, login, permit,
                                                           permit_handler, dbsession):
    login(permit_handler)
    response = _post(testapp, permit)
    assert response.status_int == 302
    claim = dbsession.scalar(select(Claim).where(Claim.dossier_id == permit.id))
    assert (claim.amount, claim.status, permit.state) == (Decimal("30.00"), "open", "te_betalen")
    assert parse(claim.reference) == claim.reference
    letter = dbsession.scalar(select(Letter).where(Letter.dossier_id == permit.id))
    assert (letter.kind, letter.details, letter.status) == (
        "payment.request", {"claim": claim.id}, "to_render")
    assert [e.details["claim"] for e in events_of(dbsession, permit, "claim.issued")] == [
        claim.id]
    page = testapp.get(f"/dossiers/{permit.reference}")
    assert display(claim.reference) in page.text


def test_the_citizen_sees_the_fee_with_a_qr_code_that_decodes_to_it(testapp, login, permit,
                                                                   permit_handler, lotte,
                                                                   dbsession):
    login(permit_handler)
    _post(testapp, permit, amount="30")
    claim = dbsession.scalar(select(Claim).where(Claim.dossier_id == permit.id))
    login(lotte)
    page = testapp.get(f"/dossiers/{permit.reference}")
    image = page.html.select_one("#retributie img")
    fields = decode_data_uri(image["src"])
    assert (fields["iban"], fields["amount"], fields["reference"]) == (
        "BE10091012345604", Decimal("30.00"), claim.reference)
    assert display(claim.reference) in page.text
    fee = testapp.get(f"/api/v1/dossiers/{permit.reference}/retributie").json
    assert fee["claims"][0]["reference"] == display(claim.reference)


@pytest.mark.parametrize("values", [{"amount": "0"}, {"amount": "-5"}, {"amount": "abc"},
                                    {"amount": "NaN"}, {"amount": "1,005"},
                                    {"amount": "99999999"}, {"due": "2020-01-01"},
                                    {"due": "morgen"}, {"due": "2999-01-01"}])
def test_bad_input_is_a_clear_error_and_changes_nothing(testapp, login, permit, permit_handler,
                                                        dbsession, values):
    login(permit_handler)
    response = _post(testapp, permit, **values)
    assert response.status_int == 400
    assert response.html.select_one("#fout")
    assert dbsession.scalar(select(Claim).where(Claim.dossier_id == permit.id)) is None
    assert permit.state == "beslissing_verzonden"


def test_without_the_municipalitys_iban_nothing_is_charged(testapp, login, permit,
                                                           permit_handler, municipality,
                                                           dbsession):
    municipality.iban = ""
    login(permit_handler)
    assert _post(testapp, permit).status_int == 409
    assert dbsession.scalar(select(Claim).where(Claim.dossier_id == permit.id)) is None


def test_a_refused_permit_has_no_fee(testapp, login, permit, permit_handler, dbsession):
    permit.outcome = "refused"
    dbsession.flush()
    login(permit_handler)
    response = _post(testapp, permit)
    assert response.status_int == 400
    assert dbsession.scalar(select(Claim).where(Claim.dossier_id == permit.id)) is None


def test_the_applicant_cannot_charge_and_the_plain_step_form_refuses(testapp, login, permit,
                                                                    lotte, permit_handler):
    login(lotte)
    assert _post(testapp, permit).status_int == 403  # her own dossier, not her step
    login(permit_handler)
    response = testapp.post(f"/dossiers/{permit.reference}/stap", {
        "csrf_token": csrf_token(testapp), "transition": "retributie_aanrekenen",
        "version": permit.version}, status="*")
    assert permit.state == "beslissing_verzonden"
    assert response.status_int == 400
    assert "Reken de retributie aan op haar pagina" in response.text
