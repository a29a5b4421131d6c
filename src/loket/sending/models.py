"""One sending of a letter (a dispatch): the row of the register of outgoing mail.

A letter is sent once; returned or refused mail is sent again as a new dispatch of the same
letter (``attempt`` 2, 3 …), so the register keeps every attempt with its own channel, dates,
barcode and proof.
"""

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loket.db import Base, UTCDateTime, utcnow
from loket.documents.models import Document
from loket.dossiers.models import Dossier
from loket.letters.models import Letter

EBOX, PAPER = "ebox", "paper"
CHANNELS = (EBOX, PAPER)
# queued: in the outbox; accepted: the service has it; delivered (eBox: in the box; paper:
# at the address); read (eBox); returned (paper: back to sender); failed: refused for good
# (a 4xx: the reason is shown, the letter can be sent again after correction).
QUEUED, ACCEPTED, DELIVERED, READ, RETURNED, FAILED = (
    "queued", "accepted", "delivered", "read", "returned", "failed")
STATUSES = (QUEUED, ACCEPTED, DELIVERED, READ, RETURNED, FAILED)
# Still moving: the tracking job asks the service about these.
TRACKED = (ACCEPTED, DELIVERED)
# Why the channel is what it is.
CONSENT, NO_CONSENT, NO_NATIONAL_NUMBER, OVERRIDE = (
    "ebox_consent", "no_ebox_consent", "no_national_number", "override")


class Dispatch(Base):
    __tablename__ = "dispatches"
    __table_args__ = (
        UniqueConstraint("letter_id", "attempt"),
        Index("ix_dispatches_dossier", "dossier_id", "id"),
        Index("ix_dispatches_status", "status", "id"),
        Index("ix_dispatches_batch", "batch"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"))
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    letter_kind: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300), default="")
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recipient_name: Mapped[str] = mapped_column(String(300), default="")
    channel: Mapped[str] = mapped_column(String(8))
    registered: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(String(32))  # one of the reason codes above
    override_reason: Mapped[str] = mapped_column(Text, default="")
    # The paper address (the register's main residence, or the handler's correction).
    address: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    batch: Mapped[str | None] = mapped_column(String(32))  # a bulk sending's id
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id", ondelete="SET NULL"))
    message_id: Mapped[str | None] = mapped_column(String(100))  # the service's
    barcode: Mapped[str | None] = mapped_column(String(40))
    proof_document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"))
    return_reason: Mapped[str] = mapped_column(String(64), default="")
    error: Mapped[str] = mapped_column(Text, default="")  # why the service refused it
    # Track and trace as the service told it: [{"status", "at", "detail"}].
    history: Mapped[list] = mapped_column(JSON, default=list)
    # Returned or failed mail someone has dealt with (sent again or given up).
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    queued: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read: Mapped[datetime | None] = mapped_column(UTCDateTime)
    returned: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_checked: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    letter: Mapped[Letter] = relationship()
    dossier: Mapped[Dossier] = relationship()
    proof: Mapped[Document | None] = relationship()

    def __repr__(self):  # no personal data in tracebacks
        return f"<Dispatch {self.id} letter {self.letter_id} {self.channel} {self.status}>"
