"""After the due date the worker sends one reminder letter per open claim; the letters' context
carries the claim and a QR code that decodes to it."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from loket.claims import letters, services
from loket.claims.models import Claim
from loket.claims.reference import display, for_number
from loket.i18n import local_now
from loket.letters.kinds import letter_kinds
from loket.letters.models import Letter
from tests.claims.qr import decode_data_uri
from tests.fixtures.letters import pdf_of, pdf_text, render_waiting


def _claim(dbsession, permit, due, status="open"):
    claim = Claim(dossier_id=permit.id, dossier=permit, amount=Decimal("30.00"), due=due,
                  reference="000000000000", status=status, received=Decimal("0.00"))
    dbsession.add(claim)
    dbsession.flush()
    claim.reference = for_number(claim.id)
    dbsession.flush()
    return claim


def test_one_reminder_per_overdue_claim(dbsession, permit):
    today = local_now().date()
    overdue = _claim(dbsession, permit, today - timedelta(days=1))
    _claim(dbsession, permit, today)  # due today: not yet
    _claim(dbsession, permit, today - timedelta(days=5), status="paid")
    assert services.remind_overdue(dbsession, today) == 1
    assert services.remind_overdue(dbsession, today + timedelta(days=3)) == 1  # the second one
    reminders = list(dbsession.scalars(select(Letter).where(Letter.kind == "payment.reminder")))
    assert sorted(r.details["claim"] for r in reminders)[0] == overdue.id
    assert overdue.reminded_on == today
    assert services.remind_overdue(dbsession, today + timedelta(days=10)) == 0


def test_the_letter_context_carries_the_claim_and_its_qr_code(dbsession, permit, app):
    claim = _claim(dbsession, permit, local_now().date() + timedelta(days=30))
    letter = Letter(dossier_id=permit.id, dossier=permit, kind="payment.request",
                    details={"claim": claim.id}, status="to_render")
    dbsession.add(letter)
    dbsession.flush()
    kinds = letter_kinds(app.registry)
    assert {"payment.request", "payment.reminder"} <= set(kinds)
    context = kinds["payment.request"].context(dbsession, letter)
    assert context["claim"]["reference"] == f"+++{claim.reference[:3]}/{claim.reference[3:7]}/" \
                                            f"{claim.reference[7:]}+++"
    assert context["reminder"] is False and kinds["payment.request"].part == letters.TEMPLATE
    fields = decode_data_uri(context["claim"]["qr_png"])
    assert (fields["iban"], fields["amount"], fields["reference"]) == (
        "BE10091012345604", Decimal("30.00"), claim.reference)


def test_the_payment_request_renders_with_its_wording_reference_and_qr_code(
        dbsession, permit, render_request):
    claim = _claim(dbsession, permit, local_now().date() + timedelta(days=30))
    letter = Letter(dossier_id=permit.id, dossier=permit, kind="payment.request",
                    details={"claim": claim.id}, status="to_render")
    dbsession.add(letter)
    dbsession.flush()
    render_waiting(render_request)
    text = pdf_text(pdf_of(render_request, letter))
    assert letter.title == f"Betaalverzoek voor je dossier {permit.reference}"
    assert "€ 30,00" in text and display(claim.reference) in text and "IBAN" in text
    assert letter.status == "ready"


def test_a_letter_naming_another_dossiers_claim_is_refused(dbsession, permit, factories):
    claim = _claim(dbsession, permit, local_now().date())
    other = factories.dossier()
    letter = Letter(dossier_id=other.id, dossier=other, kind="payment.request",
                    details={"claim": claim.id}, status="to_render")
    dbsession.add(letter)
    dbsession.flush()
    try:
        letters.claim_context(dbsession, letter)
    except LookupError:
        return
    raise AssertionError("another dossier's claim was put in the letter")
