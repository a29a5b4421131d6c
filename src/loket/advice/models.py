"""Advice requested on a dossier from another service: an internal team or an external one."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loket.db import Base, UTCDateTime, utcnow
from loket.dossiers.models import Dossier
from loket.dossiers.resources import TraversalChild
from loket.identity.models import Team, User

# status
REQUESTED, ANSWERED, WAIVED, CANCELLED = "requested", "answered", "waived", "cancelled"
OPEN_STATUSES = (REQUESTED,)
# opinion
FAVOURABLE, UNFAVOURABLE, CONDITIONAL = "favourable", "unfavourable", "conditional"
# channel
INTERNAL, EXTERNAL_API, EXTERNAL_EMAIL = "internal", "api", "email"


class AdviceRequest(TraversalChild, Base):
    __tablename__ = "advice_requests"
    __table_args__ = (
        UniqueConstraint("dossier_id", "number"),
        Index("ix_advice_requests_team_status", "team_id", "status", "due"),
        Index("ix_advice_requests_dossier_status", "dossier_id", "status"),
        # The worklist "waiting for advice": the open requests' dossiers, read from the index.
        Index("ix_advice_requests_status_dossier", "status", "dossier_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # per dossier: /dossiers/<ref>/adviezen/<n>
    channel: Mapped[str] = mapped_column(String(16))  # internal | api | email
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))  # internal advice
    service: Mapped[str | None] = mapped_column(String(120))  # external: service code/name
    # E-mail channel: the service's address (a service's, not a person's, by design).
    email: Mapped[str | None] = mapped_column(String(320))
    question: Mapped[str] = mapped_column(Text, default="")
    # What the adviser may see of the dossier: {"fields": [names], "documents": [numbers]}
    shared: Mapped[dict] = mapped_column(JSON, default=dict)
    due: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=REQUESTED)
    opinion: Mapped[str | None] = mapped_column(String(16))
    answer: Mapped[str | None] = mapped_column(Text)
    answer_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    waive_reason: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(120))  # the external service's id
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)  # e-mail link
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_reminder: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waived: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waived_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    dossier: Mapped[Dossier] = relationship()
    team: Mapped[Team | None] = relationship(lazy="joined")
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    waived_by: Mapped[User | None] = relationship(foreign_keys=[waived_by_id])

    # Traversal: /dossiers/<ref>/adviezen/<number>. Advisers of the requested team may see and
    # answer the request itself; everything else comes from the dossier's ACL (404 to them).
    CONTAINER = "adviezen"  # loaded by a query (a worklist): its dossier's adviezen

    def __acl__(self):  # the container knows who may see a request (advice.resources)
        return self.__parent__.acl_of(self)

    def __getitem__(self, name):
        return self.__parent__.child_of(self, name)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def overdue(self, today: date) -> bool:
        return self.is_open and self.due < today
