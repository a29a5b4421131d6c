"""Fees citizens pay (claims), the bank statements finance imports and the payments on them.

A claim carries its own Belgian structured reference (OGM/VCS): the bank's statements name it
and the import matches on it. A statement line is stored once (``line_key``), so the same file,
or an overlapping one, imported twice books nothing twice.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loket.db import Base, UTCDateTime, utcnow
from loket.dossiers.models import Dossier

# Claim states: ``open`` until what was received covers the amount (``paid``); ``cancelled``
# by finance (a permit withdrawn before payment).
OPEN, PAID, CANCELLED = "open", "paid", "cancelled"
CLAIM_STATES = (OPEN, PAID, CANCELLED)
# How a payment matched: its reference named a claim and it covered the rest (``matched``),
# less (``partial``) or more (``over``); or no claim has its reference (``unmatched``).
MATCHED, PARTIAL, OVER, UNMATCHED = "matched", "partial", "over", "unmatched"
MATCHES = (MATCHED, PARTIAL, OVER, UNMATCHED)
# Statement formats.
CODA, CAMT053 = "coda", "camt053"


class Claim(Base):
    __tablename__ = "claims"
    __table_args__ = (Index("ix_claims_dossier", "dossier_id"),
                      Index("ix_claims_status_due", "status", "due"))

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    due: Mapped[date] = mapped_column(Date)
    # The structured reference, 12 digits (shown as +++123/4567/89012+++).
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    received: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0.00"))
    paid_on: Mapped[date | None] = mapped_column(Date)
    reminded_on: Mapped[date | None] = mapped_column(Date)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Optimistic locking: two imports paying one claim at once — one wins, the other retries.
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    dossier: Mapped[Dossier] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def outstanding(self) -> Decimal:
        return max(self.amount - self.received, Decimal("0.00"))

    @property
    def __name__(self) -> str:
        return str(self.id)


class BankStatement(Base):
    """One imported statement file."""

    __tablename__ = "bank_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    format: Mapped[str] = mapped_column(String(16))  # coda | camt053
    sha256: Mapped[str] = mapped_column(String(64), unique=True)  # the same file: refused
    identification: Mapped[str] = mapped_column(String(100), default="")
    account: Mapped[str] = mapped_column(String(34), default="")
    filename: Mapped[str] = mapped_column(String(200), default="")
    lines: Mapped[int] = mapped_column(Integer, default=0)  # credit lines booked
    skipped: Mapped[int] = mapped_column(Integer, default=0)  # already booked before
    imported: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class IncomingPayment(Base):
    """A credit line of a statement and what it paid."""

    __tablename__ = "incoming_payments"
    __table_args__ = (Index("ix_incoming_payments_open", "resolved", "match"),
                      Index("ix_incoming_payments_claim", "claim_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("bank_statements.id"))
    # The line's identity across files (account, bank reference, date, amount): unique.
    line_key: Mapped[str] = mapped_column(String(64), unique=True)
    bank_reference: Mapped[str] = mapped_column(String(64), default="")
    booked: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    reference: Mapped[str | None] = mapped_column(String(12))  # a valid structured reference
    communication: Mapped[str] = mapped_column(String(140), default="")  # free text, if any
    # The payer as the bank names them: personal data, shown to finance only, never logged.
    payer_name: Mapped[str] = mapped_column(String(140), default="")
    payer_account: Mapped[str] = mapped_column(String(34), default="")
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"))
    match: Mapped[str] = mapped_column(String(16))
    # Whether finance still has to act: unmatched, partial and over payments are open until
    # finance resolves them (assigns the payment, refunds, writes off: ``note``).
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")

    statement: Mapped[BankStatement] = relationship(lazy="joined")
    claim: Mapped[Claim | None] = relationship()

    @property
    def __name__(self) -> str:
        return str(self.id)
