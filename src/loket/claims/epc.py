"""The EPC QR code (EPC069-12, "SEPA credit transfer" QR) a citizen scans with a banking app:
the municipality's IBAN and BIC, the amount and the claim's structured reference."""

import io
from decimal import Decimal

import segno
from segno import helpers

from loket.claims.reference import parse


def qr_code(name: str, iban: str, bic: str, amount: Decimal, reference: str) -> segno.QRCode:
    """The code (error correction M, version ≤ 13, as the standard requires). The structured
    reference goes in the "structured remittance" field as its 12 digits."""
    if parse(reference) is None:
        raise ValueError("not a structured reference")
    return helpers.make_epc_qr(name=name[:70], iban=iban.replace(" ", ""), amount=amount,
                               reference=reference, bic=bic or None)


def png(code: segno.QRCode, scale: int = 5) -> bytes:
    out = io.BytesIO()
    code.save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def payload(text: str) -> dict:
    """The fields of a decoded EPC QR payload (one field a line), by name: what a banking app
    reads. Raises ValueError for what is not an EPC payload."""
    lines = text.split("\n")
    names = ("service", "version", "encoding", "identification", "bic", "name", "iban",
             "amount", "purpose", "reference", "text", "information")
    if len(lines) < 10 or lines[0] != "BCD" or lines[3] != "SCT":
        raise ValueError("not an EPC QR payload")
    fields = dict(zip(names, lines, strict=False))
    amount = fields.get("amount", "")
    fields["amount"] = Decimal(amount[3:]) if amount.startswith("EUR") else None
    return fields
