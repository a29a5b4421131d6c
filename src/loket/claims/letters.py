"""The letters this package owns: the payment request and the reminder. Their context is the
claim: amount, due date, structured reference, the municipality's account, and the EPC QR code
as a PNG ``data:`` URI (the letter's renderer fetches nothing else)."""

import base64

from loket.claims import epc
from loket.claims.models import Claim
from loket.claims.reference import display
from loket.i18n import format_amount, format_date
from loket.municipality.models import Municipality

TEMPLATE = "loket:claims/templates/letters/payment_request.jinja2"
VARIABLES = ("claim", "amount", "reminder")

_GREETING = {"nl": "Geachte {{ recipient.name }},", "en": "Dear {{ recipient.name }},"}
WORDING = {
    "payment.request": {
        "subject": {"nl": "Betaalverzoek voor je dossier {{ reference }}",
                    "en": "Payment request for your dossier {{ reference }}"},
        "body": {"nl": _GREETING["nl"] + "\n\nVoor {{ type_title }} vragen we je een bedrag "
                 "van {{ amount }} te betalen vóór {{ claim.due }}. Hieronder lees je hoe.",
                 "en": _GREETING["en"] + "\n\nFor {{ type_title }} we ask you to pay "
                 "{{ amount }} before {{ claim.due }}. Below you read how."}},
    "payment.reminder": {
        "subject": {"nl": "Herinnering: betaling voor je dossier {{ reference }}",
                    "en": "Reminder: payment for your dossier {{ reference }}"},
        "body": {"nl": _GREETING["nl"] + "\n\nWe hebben je betaling van {{ amount }} voor "
                 "{{ type_title }} nog niet ontvangen. Betaal ze zo snel mogelijk; heb je "
                 "intussen betaald, dan mag je deze brief negeren.",
                 "en": _GREETING["en"] + "\n\nWe have not received your payment of "
                 "{{ amount }} for {{ type_title }} yet. Please pay it as soon as possible; if "
                 "you paid in the meantime, ignore this letter."}},
}


def payment_details(dbsession, claim: Claim, language: str = "nl") -> dict:
    """What a citizen needs to pay ``claim``, as the letter and the dossier page show it."""
    municipality = dbsession.get(Municipality, 1)
    code = epc.qr_code(municipality.name, municipality.iban, municipality.bic, claim.amount,
                       claim.reference)
    return {
        "id": claim.id, "amount": format_amount(claim.amount, language),
        "amount_value": f"{claim.amount:.2f}", "due": format_date(claim.due, language),
        "reference": display(claim.reference), "beneficiary": municipality.name,
        "iban": municipality.iban, "bic": municipality.bic,
        "qr_png": "data:image/png;base64," + base64.b64encode(epc.png(code)).decode("ascii"),
    }


def claim_context(dbsession, letter) -> dict:
    claim = dbsession.get(Claim, (letter.details or {}).get("claim"))
    if claim is None or claim.dossier_id != letter.dossier_id:
        raise LookupError(f"letter {letter.id}: no claim of its dossier")
    return {"claim": payment_details(dbsession, claim), "amount": format_amount(claim.amount),
            "reminder": letter.kind == "payment.reminder"}
