"""How a citizen wants to hear about their dossiers: one row per citizen, set by themselves."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from loket.db import Base, UTCDateTime, utcnow


class NotificationPreference(Base):
    """Opt-in: without a row a citizen gets no e-mail or SMS (Mijn Burgerprofiel and DOSIS
    show the status whatever this says)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, autoincrement=False)
    by_email: Mapped[bool] = mapped_column(Boolean, default=False)
    by_sms: Mapped[bool] = mapped_column(Boolean, default=False)
    # Personal data: only ever in this row and in the outbox payloads built from it.
    email: Mapped[str | None] = mapped_column(String(320))
    mobile: Mapped[str | None] = mapped_column(String(16))  # E.164, "+32470123456"
    language: Mapped[str] = mapped_column(String(2), default="nl")
    modified: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def channels(self) -> list[str]:
        return [c for c, on in (("email", self.by_email), ("sms", self.by_sms)) if on]

    def __repr__(self):  # never the address or the number
        return f"<NotificationPreference user={self.user_id} {'+'.join(self.channels)}>"
