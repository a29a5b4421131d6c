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
            "reminder": letter.kind == "payment.reminder", "claim_part": TEMPLATE}
