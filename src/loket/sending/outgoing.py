"""What :mod:`loket.sending` hands a delivery plug-in, and what the plug-in reports back.

Plain data, independent of any service's wire format: the plug-in
(:mod:`loket.integrations.documentendienst`) maps it to its own protocol.
"""

from dataclasses import dataclass, field
from datetime import datetime

# The normalised statuses a plug-in reports (its own names map onto these).
ACCEPTED, PRINTED, AT_BPOST, DELIVERED, READ, RETURNED = (
    "accepted", "printed", "at_bpost", "delivered", "read", "returned")


@dataclass(frozen=True)
class Address:
    street: str
    house_number: str
    postcode: str
    municipality: str
    box: str = ""
    country: str = "BE"

    def as_json(self) -> dict:
        return {"street": self.street, "house_number": self.house_number, "box": self.box,
                "postcode": self.postcode, "municipality": self.municipality,
                "country": self.country}

    @classmethod
    def from_json(cls, data: dict | None) -> "Address | None":
        if not data:
            return None
        return cls(street=data.get("street") or "", house_number=data.get("house_number") or "",
                   box=data.get("box") or "", postcode=data.get("postcode") or "",
                   municipality=data.get("municipality") or "",
                   country=data.get("country") or "BE")

    def lines(self) -> list[str]:
        box = f" bus {self.box}" if self.box else ""
        return [f"{self.street} {self.house_number}{box}", f"{self.postcode} {self.municipality}"]


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    media_type: str = "application/pdf"


@dataclass(frozen=True)
class Outgoing:
    """One letter to one recipient by one channel."""

    reference: str  # ours, e.g. "2026-000123/4" (dossier/letter): no personal data
    channel: str  # "ebox" | "paper"
    insz: str | None  # the recipient's national register number (eBox, and paper's addressee)
    name: str
    subject: str
    language: str
    attachments: tuple[Attachment, ...]
    registered: bool = False
    address: Address | None = None


@dataclass(frozen=True)
class Event:
    status: str  # one of the statuses above
    at: datetime
    detail: str = ""


@dataclass(frozen=True)
class DeliveryReport:
    """Where a message is: its current status and how it got there."""

    status: str
    events: tuple[Event, ...] = field(default_factory=tuple)
    barcode: str | None = None
    return_reason: str = ""  # e.g. "address_unknown", "refused"
    proof_available: bool = False  # a deposit proof (afgiftebewijs) can be fetched
