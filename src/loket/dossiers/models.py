"""The dossier: one application by one applicant, carried through its workflow."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from loket.catalogue.models import DossierTypeVersion
from loket.db import Base, UTCDateTime, registry_of, utcnow
from loket.identity.models import Team, User
from loket.resources import CHILDREN_KEY as ROOT_CHILDREN
from loket.resources import Root

CHILDREN_KEY = "loket.dossier_children"  # add_dossier_child


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
        if parent is None:  # the /dossiers container, as this package registered it
            parent = registry_of(self)[ROOT_CHILDREN]["dossiers"](Root(None), None)
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

    def moved_on(self, request) -> bool:
        """Asked by the forbidden view of a refused write: was it a step the caller could have
        taken before someone else moved the dossier on? Then it is a conflict, not a 403."""
        from loket.workflow.engine import moved_on
        from loket.workflow.presentation import actor_for

        transition, version = _posted_step(request)
        return moved_on(self, actor_for(request), transition, version)

    def __getitem__(self, name):
        """``/dossiers/<ref>/<name>``: what a package registered (``add_dossier_child``)."""
        factory = registry_of(self).get(CHILDREN_KEY, {}).get(name)
        if factory is None:
            raise KeyError(name)
        return factory(self)


class DossierEvent(Base):
    """Something that happened to a dossier, as the feature that did it tells it: admissibility
    decided, assigned, a document added, advice answered … (kind, actor, time, details). The
    timeline reads these, and so can lead-time analytics and integrators' webhooks. The audit
    trail, written alongside (:func:`loket.dossiers.events.happened`), stays the legal record.
    """

    __tablename__ = "dossier_events"
    __table_args__ = (Index("ix_dossier_events_dossier_kind", "dossier_id", "kind", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    occurred: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Identifiers and codes, never personal data (the same rule as the audit trail).
    details: Mapped[dict] = mapped_column(JSON, default=dict)


def _posted_step(request) -> tuple[str | None, int | None]:
    """The step and the dossier version a form or a JSON body posted (either may be absent)."""
    try:
        if request.content_type == "application/json":
            body = request.json_body
            fields = body if isinstance(body, dict) else {}
        else:
            fields = request.POST
        transition, version = fields.get("transition"), fields.get("version")
    except (ValueError, RecursionError, UnicodeDecodeError):
        return None, None
    if isinstance(version, str) and version.isascii() and version.isdigit() and len(version) < 19:
        version = int(version)
    return (transition if isinstance(transition, str) else None,
            version if type(version) is int else None)
