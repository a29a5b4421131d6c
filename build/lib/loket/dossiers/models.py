"""The dossier: one application by one applicant, carried through its workflow."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loket.catalogue.models import DossierTypeVersion
from loket.db import Base, UTCDateTime, utcnow
from loket.identity.models import Team, User


class ReferenceCounter(Base):
    """Last reference number handed out per year (``2026-000123``)."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


def next_reference(dbsession, year: int) -> str:
    """Hand out the next reference; the row update serialises concurrent callers."""
    if dbsession.get(ReferenceCounter, year) is None:
        dbsession.add(ReferenceCounter(year=year, last=0))
        dbsession.flush()
    number = dbsession.execute(
        update(ReferenceCounter)
        .where(ReferenceCounter.year == year)
        .values(last=ReferenceCounter.last + 1)
        .returning(ReferenceCounter.last)
    ).scalar_one()
    return f"{year}-{number:06d}"


class Dossier(Base):
    __tablename__ = "dossiers"
    __table_args__ = (
        Index("ix_dossiers_team_modified", "team_id", "modified", "id"),
        Index("ix_dossiers_team_created", "team_id", "created", "id"),
        Index("ix_dossiers_applicant_created", "applicant_id", "created", "id"),
        Index("ix_dossiers_handler_modified", "handler_id", "modified", "id"),
        Index("ix_dossiers_due", "due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    # The dossier keeps the type version it was created with, whatever is published later.
    type_version_id: Mapped[int] = mapped_column(ForeignKey("dossier_type_versions.id"))
    title: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str | None] = mapped_column(String(16))  # approved | refused, once decided
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    data: Mapped[dict] = mapped_column(JSON, default=dict)  # the application's answers
    # When the citizen submitted the application (None while it is a draft, state concept).
    submitted: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the person register prefilled: {"status": "ok" | "failed" | "off", "fields":
    # [names], "at": ISO time, "person": {what the admissibility screening needs: domicile
    # postcode/nis/municipality, birth_date}}. Personal data: never logged.
    prefill: Mapped[dict] = mapped_column(JSON, default=dict)
    # The automatic first admissibility screening at submission: {"at": ISO time, "outcome":
    # "pass" | "fail" | "unknown", "results": [{code, rule, outcome, text: {nl, en}}]}.
    screening: Mapped[dict | None] = mapped_column(JSON)
    # The next legal deadline still running (from the type's deadlines and the history,
    # suspensions included), kept up to date after every transition, for the worklists.
    due: Mapped[date | None] = mapped_column(Date)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    modified: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic locking: every UPDATE checks and bumps it; a stale writer gets StaleDataError.
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    applicant: Mapped[User] = relationship(foreign_keys=[applicant_id], lazy="joined")
    handler: Mapped[User | None] = relationship(foreign_keys=[handler_id])
    team: Mapped[Team] = relationship(lazy="joined")
    type_version: Mapped[DossierTypeVersion] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    # Traversal: the container sets __parent__ when it hands the dossier out; a dossier loaded
    # by a query (a list) gets a fresh /dossiers container, so its URL is always right.
    @property
    def __parent__(self):
        parent = self.__dict__.get("_traversal_parent")
        if parent is None:
            from loket.dossiers.resources import DossierContainer
            from loket.resources import Root

            parent = DossierContainer(Root(None), None)
        return parent

    @__parent__.setter
    def __parent__(self, parent):
        self.__dict__["_traversal_parent"] = parent

    # Someone who may not see a dossier (or anything in it) gets 404, not 403: nobody learns
    # whether another person's dossier exists.
    hide_when_forbidden = True

    @property
    def __name__(self) -> str:
        return self.reference

    def __repr__(self):
        return f"<Dossier {self.reference} {self.state}>"

    def __acl__(self):
        from loket.workflow.security import dossier_acl

        return dossier_acl(self)

    def __getitem__(self, name):
        from loket.dossiers.resources import DOSSIER_CHILDREN

        return DOSSIER_CHILDREN[name](self)
