"""The transactional outbox: every external effect is a row, committed with its cause."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from loket.db import Base, UTCDateTime, utcnow

PENDING = "pending"  # waiting for its first attempt
RETRYING = "retrying"  # an attempt failed; waits for next_attempt
DELIVERING = "delivering"  # claimed by a worker
DELIVERED = "delivered"
DEAD = "dead"  # permanent failure or retry budget spent: waits for a person
DISCARDED = "discarded"  # a person gave a dead message up; it no longer blocks its key
STATUSES = (PENDING, RETRYING, DELIVERING, DELIVERED, DEAD, DISCARDED)
# Never left again, so a message behind one of these can go (see loket.outbox.services.claim).
FINAL = (DELIVERED, DISCARDED)
# Not yet delivered: what the health page counts (final ones grow without bound).
OPEN = (PENDING, RETRYING, DELIVERING, DEAD)


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt"),
        Index("ix_outbox_ordering", "ordering_key", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))  # which deliverer: "dosis.push", "email", …
    payload: Mapped[dict] = mapped_column(JSON)
    # Messages with the same key are delivered one after the other, in id order (a later
    # status never overtakes an earlier one); None: no ordering.
    ordering_key: Mapped[str | None] = mapped_column(String(100))
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id", ondelete="SET NULL"),
                                                   index=True)
    # Sent along to the receiver where the protocol allows (Idempotency-Key), stable across
    # retries, so a redelivery after a crash has one effect.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # attempts made so far
    next_attempt: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # also the heartbeat
    # The worker that claimed it last (host:pid:nonce); kept after the claim, for diagnosis.
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_attempt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered: Mapped[datetime | None] = mapped_column(UTCDateTime)
