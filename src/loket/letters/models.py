"""A letter and who must sign it.

The status moves forward only (:data:`FLOW`); each move is a domain event on the dossier
(``letter.<status>``), recorded by :func:`loket.letters.services.move`.
"""

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loket.db import Base, UTCDateTime, utcnow
from loket.documents.models import Document
from loket.dossiers.models import Dossier

# The letter's life. ``to_render``: made, waiting for the worker to render its PDF;
# ``to_sign``: rendered, waiting for its signatories; ``ready``: signed or needing no
# signature, waiting to be sent; ``sending``: handed to a delivery channel; then ``delivered``
# or ``returned`` (returned mail may be sent again: back to ``ready``). ``declined``: a
# signatory refused to sign (back to the secretariat); ``cancelled``: withdrawn before sending.
TO_RENDER, TO_SIGN, READY, SENDING, DELIVERED, RETURNED, DECLINED, CANCELLED = (
    "to_render", "to_sign", "ready", "sending", "delivered", "returned", "declined",
    "cancelled")
STATUSES = (TO_RENDER, TO_SIGN, READY, SENDING, DELIVERED, RETURNED, DECLINED, CANCELLED)
# Allowed moves; anything else is a programming error (services.move raises).
FLOW = {
    TO_RENDER: {TO_SIGN, READY, CANCELLED},
    TO_SIGN: {READY, DECLINED, CANCELLED},
    DECLINED: {TO_RENDER, CANCELLED},
    READY: {SENDING, TO_SIGN, CANCELLED},  # TO_SIGN: the handler's override
    SENDING: {DELIVERED, RETURNED, READY},  # READY: the channel refused it for good
    RETURNED: {READY, CANCELLED},
    DELIVERED: set(),
    CANCELLED: set(),
}
# Signatory states.
WAITING, SIGNED, REFUSED = "waiting", "signed", "refused"


class Letter(Base):
    __tablename__ = "letters"
    __table_args__ = (Index("ix_letters_dossier", "dossier_id"),
                      Index("ix_letters_status", "status", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))  # a registered letter kind's code
    status: Mapped[str] = mapped_column(String(16), default=TO_RENDER)
    title: Mapped[str] = mapped_column(String(300), default="")
    # What the kind's context needs that the dossier does not hold (the decision's id, the
    # claim's id …): small, no personal data.
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    # The rendered (later: signed) PDF, a document of the dossier with direction "out".
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    needs_signature: Mapped[bool | None] = mapped_column(Boolean)  # None: not screened yet
    screening_reason: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic locking: two signatories or two senders at once — one wins, one gets a 409.
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    dossier: Mapped[Dossier] = relationship()
    document: Mapped[Document | None] = relationship()
    signatories: Mapped[list["LetterSignatory"]] = relationship(
        back_populates="letter", order_by="LetterSignatory.position",
        cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class LetterSignatory(Base):
    """Who signs a letter, in which order (``position``), and whether they did."""

    __tablename__ = "letter_signatories"
    __table_args__ = (UniqueConstraint("letter_id", "position"),
                      Index("ix_letter_signatories_user", "user_id", "status"))

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letters.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 1 signs first
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(200))
    function: Mapped[str] = mapped_column(String(200))  # "burgemeester", "algemeen directeur"
    status: Mapped[str] = mapped_column(String(16), default=WAITING)
    signed: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")  # why refused

    letter: Mapped[Letter] = relationship(back_populates="signatories")
