"""Payment orders: a granted premium paid out to the creditor's account through the
accounting package."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loket.db import Base, UTCDateTime, utcnow
from loket.dossiers.models import Dossier
from loket.dossiers.resources import TraversalChild
from loket.identity.models import User

# An order's life: ``staged`` by the handler; approved by finance (someone else) and handed
# to the accounting package: ``sent``; the package reports it ``paid`` or ``rejected`` (an
# account closed …). A staged order may be ``cancelled`` (a wrong account: stage a new one).
STAGED, SENT, PAID, REJECTED, CANCELLED = "staged", "sent", "paid", "rejected", "cancelled"
STATUSES = (STAGED, SENT, PAID, REJECTED, CANCELLED)
LIVE = (STAGED, SENT, PAID)  # at most one per dossier
LIVE_CLAUSE = "status IN ('staged', 'sent', 'paid')"


class PaymentOrder(TraversalChild, Base):
    __tablename__ = "payment_orders"
    __table_args__ = (
        UniqueConstraint("dossier_id", "number"),
        # One live order per dossier: a second staging (a double click, two tabs) fails here
        # even when both passed the service's check at once.
        Index("ux_payment_orders_live", "dossier_id", unique=True,
              sqlite_where=text(LIVE_CLAUSE), postgresql_where=text(LIVE_CLAUSE)),
        Index("ix_payment_orders_status", "status", "id"),
    )
    CONTAINER = "betalingen"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # per dossier: /dossiers/<ref>/betalingen/<n>
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    # Sent as the accounting's order id and the transfer's end-to-end id: the same on every
    # retry, so the package stages an order once.
    end_to_end_id: Mapped[str] = mapped_column(String(35), unique=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    creditor_name: Mapped[str] = mapped_column(String(70))
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    remittance: Mapped[str] = mapped_column(String(140))
    due_date: Mapped[date] = mapped_column(Date)
    budget_code: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default=STAGED)
    staged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    staged: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved: Mapped[datetime | None] = mapped_column(UTCDateTime)
    batch: Mapped[str | None] = mapped_column(String(35))  # the approval it was part of
    settled: Mapped[datetime | None] = mapped_column(UTCDateTime)  # paid or rejected
    paid_on: Mapped[date | None] = mapped_column(Date)
    external_id: Mapped[str | None] = mapped_column(String(120))  # the package's own id
    reason_code: Mapped[str | None] = mapped_column(String(16))  # AC04 account closed …
    reason: Mapped[str] = mapped_column(Text, default="")
    # Optimistic locking: two approvers at once — one wins, one gets a 409.
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    dossier: Mapped[Dossier] = relationship(lazy="joined")
    staged_by: Mapped[User | None] = relationship(foreign_keys=[staged_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])

    __mapper_args__ = {"version_id_col": version}
