"""What the API keeps about machine clients: callbacks already processed, tokens revoked."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from loket.db import Base, UTCDateTime, utcnow


class InboundCallback(Base):
    """A callback an outside system sent and Loket acted on, once.

    The unique (source, key) pair is the idempotency: a second delivery of the same callback
    (a retry, or two at once) cannot insert a second row, so it gets the stored outcome instead
    of a second effect. Refused callbacks leave no row: they changed nothing, and the sender may
    send them again once the dossier is ready.
    """

    __tablename__ = "inbound_callbacks"
    __table_args__ = (UniqueConstraint("source", "key", name="uq_inbound_callbacks_source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "<kind>/<client id>", e.g. "besluit/notulen": each sender numbers its callbacks itself.
    source: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))  # the sender's callback id
    received: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    dossier_id: Mapped[int | None] = mapped_column(
        ForeignKey("dossiers.id", ondelete="SET NULL"), index=True)
    # SHA-256 of what was asked: the same key with other content is a sender's bug, not a retry.
    fingerprint: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[dict] = mapped_column(JSON, default=dict)  # the answer, given again to retries


class RevokedToken(Base):
    """An access token refused before it expires (a leaked token, a client taken offline).

    Tokens are checked locally against the provider's keys, so the provider cannot take one
    back; this short deny list can. Rows are useless once ``expires`` has passed.
    """

    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(255), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(128), default="")
    expires: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    revoked: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(String(200), default="")
