"""An objection: its own dossier (type ``bezwaar``) linked to the dossier whose decision it
contests, with how and when it came in and whether it came in time."""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loket.db import Base, UTCDateTime, utcnow
from loket.dossiers.models import Dossier

ONLINE, COUNTER = "online", "counter"  # lodged by the citizen, or registered by staff


class Objection(Base):
    __tablename__ = "objections"
    __table_args__ = (Index("ix_objections_contested", "contested_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"),
                                            unique=True)
    contested_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    received_on: Mapped[date] = mapped_column(Date)  # the day it reached the municipality
    term_ends: Mapped[date] = mapped_column(Date)  # the last day to object in time
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    registered: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    dossier: Mapped[Dossier] = relationship(foreign_keys=[dossier_id], lazy="joined")
    contested: Mapped[Dossier] = relationship(foreign_keys=[contested_id], lazy="joined")
