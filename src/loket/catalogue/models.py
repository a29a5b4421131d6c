"""Dossier types as versioned data: a version is a concept until published, then frozen."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint, event, select
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from loket.db import Base, UTCDateTime, utcnow
from loket.web.inputs import parse_id

CONCEPT = "concept"
PUBLISHED = "published"


class PublishedVersionChanged(Exception):
    """A published version is never changed: make a new concept instead."""


class DossierType(Base):
    __tablename__ = "dossier_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # URL name: /catalogus/<code>
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list["DossierTypeVersion"]] = relationship(
        back_populates="dossier_type", order_by="DossierTypeVersion.number",
        cascade="all, delete-orphan",
    )

    __parent__ = None

    @property
    def __name__(self) -> str:
        return self.code

    def current(self, on: date | None = None) -> "DossierTypeVersion | None":
        """The published version in force on ``on`` (today by default)."""
        on = on or utcnow().date()
        in_force = [v for v in self.versions if v.status == PUBLISHED and v.valid_on(on)]
        return in_force[-1] if in_force else None

    @property
    def concept(self) -> "DossierTypeVersion | None":
        return next((v for v in self.versions if v.status == CONCEPT), None)

    def __getitem__(self, name: str) -> "DossierTypeVersion":
        """Traversal: ``/catalogus/<code>/<number>`` is a version of this type."""
        number = parse_id(name)
        if number is not None:
            for version in self.versions:
                if version.number == number:
                    # A strong reference: the session only holds loaded objects weakly, and a
                    # type reloaded without its place in the tree would have no ACL above it.
                    version._traversal_parent = self
                    return version
        raise KeyError(name)


class DossierTypeVersion(Base):
    __tablename__ = "dossier_type_versions"
    __table_args__ = (UniqueConstraint("type_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    type_id: Mapped[int] = mapped_column(ForeignKey("dossier_types.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=CONCEPT)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    # The whole declaration (form, documents, rules, workflow, deadlines, decision, amounts,
    # DOSIS mapping, retention): see loket.catalogue.definition for its shape. Deferred: a
    # published version's definition comes from the process's cache (``definition``), so a
    # dossier or a list of them loads its type version without parsing the JSON again.
    stored_definition: Mapped[dict] = mapped_column("definition", JSON, default=dict,
                                                    deferred=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    dossier_type: Mapped[DossierType] = relationship(back_populates="versions", lazy="joined")

    @property
    def __parent__(self) -> DossierType:
        # Traversal: a version always lives in its type, also when just created.
        return self.__dict__.get("_traversal_parent") or self.dossier_type

    @property
    def __name__(self) -> str:
        return str(self.number)

    @property
    def definition(self) -> dict:
        """The declaration; read-only once published (shared by every request)."""
        if self.status == PUBLISHED and self.id is not None and self.created is not None:
            return published_definition(self)
        return self.stored_definition

    @definition.setter
    def definition(self, value: dict):
        self.stored_definition = value

    @property
    def workflow(self) -> str:
        return self.definition["workflow"]

    def title(self, locale: str = "nl") -> str:
        return self.definition.get("title", {}).get(locale) or self.dossier_type.code

    def valid_on(self, on: date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_until is None or on <= self.valid_until)


# Published definitions by (id, creation time, publication time): frozen, so one copy per
# process serves every request. The times keep the key unique where a database hands an id out
# again, or a publication was rolled back and the concept changed before the next one.
_PUBLISHED: dict[tuple[int, datetime, datetime | None], dict] = {}


def published_definition(version: DossierTypeVersion) -> dict:
    key = (version.id, version.created, version.published)
    definition = _PUBLISHED.get(key)
    if definition is None:
        if "stored_definition" in version.__dict__ or object_session(version) is None:
            definition = version.stored_definition
        else:  # one query fills the cache with every published version
            rows = object_session(version).execute(
                select(DossierTypeVersion.id, DossierTypeVersion.created,
                       DossierTypeVersion.published, DossierTypeVersion.stored_definition)
                .where(DossierTypeVersion.status == PUBLISHED))
            for id_, created, published, stored in rows:
                _PUBLISHED.setdefault((id_, created, published), stored)
            definition = _PUBLISHED.get(key)
            if definition is None:  # published in this transaction, not flushed yet
                return version.stored_definition
        _PUBLISHED[key] = definition
    return definition


def definitions_of(dbsession, versions) -> dict[int, dict]:
    """The definitions of the type versions given as (id, status, created, published) — what
    a list read of them — by id: the published ones from the process's cache, the others and
    those not cached yet in one statement."""
    found, missing = {}, {}
    for id_, status, created, published in versions:
        key = (id_, created, published)
        if status == PUBLISHED and key in _PUBLISHED:
            found[id_] = _PUBLISHED[key]
        else:
            missing[id_] = (status, key)
    if missing:
        for id_, stored in dbsession.execute(
                select(DossierTypeVersion.id, DossierTypeVersion.stored_definition)
                .where(DossierTypeVersion.id.in_(missing))):
            status, key = missing[id_]
            if status == PUBLISHED:
                _PUBLISHED[key] = stored
            found[id_] = stored
    return found


@event.listens_for(DossierTypeVersion, "before_update")
def _published_versions_are_frozen(mapper, connection, target):
    from sqlalchemy import inspect

    state = inspect(target)
    status = state.attrs.status.history
    was_published = (status.deleted and status.deleted[0] == PUBLISHED) or (
        not status.has_changes() and target.status == PUBLISHED)
    # The one change allowed on a published version: closing its validity period when a
    # newer version takes over.
    changed = {a.key for a in state.attrs if a.history.has_changes()} - {"valid_until"}
    if was_published and changed:
        raise PublishedVersionChanged(
            f"version {target.number} of {target.dossier_type.code} is published")
