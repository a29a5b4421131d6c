"""Deciding bodies, their members and meetings, the items on a meeting's agenda, and the
decisions taken on dossiers (by a body or by a delegated official)."""

from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loket.db import Base, UTCDateTime, utcnow
from loket.dossiers.models import Dossier

# Meeting states.
PLANNED, AGENDA_CLOSED, HELD, CANCELLED = "planned", "agenda_closed", "held", "cancelled"
# Agenda item states: proposed until the meeting records an outcome.
PROPOSED = "proposed"
APPROVED, REFUSED, AMENDED, POSTPONED, WITHDRAWN = (
    "approved", "refused", "amended", "postponed", "withdrawn")
ITEM_OUTCOMES = (APPROVED, REFUSED, AMENDED, POSTPONED, WITHDRAWN)
# Member roles.
CHAIR, SECRETARY, MEMBER = "chair", "secretary", "member"


class DecidingBody(Base):
    """The college, the gemeenteraad, the vast bureau, the raad voor maatschappelijk welzijn."""

    __tablename__ = "deciding_bodies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # college | gemeenteraad | …
    name_nl: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    # Regular meetings: weekly on ``weekday`` (0 = Monday) at ``meeting_time``, or every
    # ``interval_weeks`` weeks (the council meets monthly-ish: 4).
    weekday: Mapped[int] = mapped_column(Integer, default=0)
    meeting_time: Mapped[time] = mapped_column(Time, default=time(19, 0))
    interval_weeks: Mapped[int] = mapped_column(Integer, default=1)
    # The agenda closes this many days before the meeting, at the meeting's hour.
    agenda_closes_days: Mapped[int] = mapped_column(Integer, default=2)

    members: Mapped[list["BodyMember"]] = relationship(
        back_populates="body", cascade="all, delete-orphan", lazy="selectin",
        order_by="BodyMember.position")

    def name(self, locale: str | None) -> str:
        return self.name_en if locale == "en" else self.name_nl


class BodyMember(Base):
    __tablename__ = "body_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("deciding_bodies.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default=MEMBER)  # chair | secretary | member
    title: Mapped[str] = mapped_column(String(200), default="")  # "burgemeester", "schepen …"
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    body: Mapped[DecidingBody] = relationship(back_populates="members")


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("body_id", "starts"),
                      Index("ix_meetings_starts", "starts"))

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("deciding_bodies.id"))
    starts: Mapped[datetime] = mapped_column(UTCDateTime)
    agenda_closes: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=PLANNED)
    # Who was there and how they voted is per item; the meeting keeps who was present.
    present: Mapped[list] = mapped_column(JSON, default=list)
    held_on: Mapped[date | None] = mapped_column(Date)
    # Optimistic locking: two secretaries recording one meeting — one wins, one gets a 409.
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    body: Mapped[DecidingBody] = relationship(lazy="joined")
    items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position")

    __mapper_args__ = {"version_id_col": version}

    @property
    def __name__(self) -> str:
        return str(self.id)


class AgendaItem(Base):
    """A dossier's draft decision proposed to one meeting."""

    __tablename__ = "agenda_items"
    __table_args__ = (Index("ix_agenda_items_meeting", "meeting_id", "position"),
                      Index("ix_agenda_items_dossier", "dossier_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
    grounds: Mapped[str] = mapped_column(Text, default="")
    facts: Mapped[str] = mapped_column(Text, default="")
    motivation: Mapped[str] = mapped_column(Text, default="")
    articles: Mapped[list] = mapped_column(JSON, default=list)  # the operative part, in order
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    status: Mapped[str] = mapped_column(String(16), default=PROPOSED)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The item it continues (a postponed item moves to the next meeting as a new item).
    continues_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    dossier: Mapped[Dossier] = relationship(lazy="joined")

    @property
    def open(self) -> bool:
        return self.status == PROPOSED


class Decision(Base):
    """A decision on a dossier: by a body in a meeting, or by a delegated official."""

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_dossier", "dossier_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id"),
                                                       unique=True)
    body_code: Mapped[str] = mapped_column(String(32))  # a body's code, or "official"
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    decided_on: Mapped[date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(16))  # approved | refused
    amended: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(String(300))
    final_text: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    votes_for: Mapped[int | None] = mapped_column(Integer)
    votes_against: Mapped[int | None] = mapped_column(Integer)
    votes_abstaining: Mapped[int | None] = mapped_column(Integer)
    publication_uri: Mapped[str | None] = mapped_column(String(500))
    delegation_reference: Mapped[str | None] = mapped_column(String(120))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    meeting: Mapped[Meeting | None] = relationship()
