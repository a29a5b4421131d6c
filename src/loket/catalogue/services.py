"""The catalogue's use cases: create a type, prepare and publish versions, look up the version
in force. Every change is audited in the same transaction.

Services take a ``request`` for the database session and the audit trail's actor; outside a
web request (shipped data, the command line) :class:`SystemActor` stands in for it.
"""

import copy
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from loket.audit import record
from loket.catalogue import transfer
from loket.catalogue.defaults import skeleton_definition
from loket.catalogue.definition import DefinitionError, Problem, code_problems, normalise
from loket.catalogue.models import (
    CONCEPT,
    PUBLISHED,
    DossierType,
    DossierTypeVersion,
    PublishedVersionChanged,
)
from loket.catalogue.validation import validate_definition
from loket.db import utcnow
from loket.workflow.definition import workflows

AUDIT_OBJECT = "dossier_type"


@dataclass
class SystemActor:
    """Request-shaped stand-in for changes made by the system (no user)."""

    dbsession: object
    user: object = None


def _registry(request):
    """The application whose features validate their sections of a definition."""
    registry = getattr(request, "registry", None)
    return registry if registry is not None else request.dbsession.info.get("registry")


class CatalogueError(DefinitionError):
    """A catalogue change is refused; ``problems`` says why (nothing was changed)."""


def _refuse(location: str, message: str):
    raise CatalogueError([Problem(location, message)])


def _audit(request, action: str, code: str, **details):
    record(request, f"catalogue.{action}", AUDIT_OBJECT, code, **details)


# ---------------------------------------------------------------------------------------------
# Look-ups


def get_type(dbsession, code: str) -> DossierType | None:
    return dbsession.scalar(select(DossierType).where(DossierType.code == code))


def all_types(dbsession) -> list[DossierType]:
    # One query for all versions, not one per type.
    return list(dbsession.scalars(select(DossierType).options(
        selectinload(DossierType.versions)).order_by(DossierType.code)))


def current_version(dossier_type: DossierType, on: date | None = None):
    """The published version in force on ``on`` (today by default), or None."""
    return dossier_type.current(on)


def open_for_applications(version) -> bool:
    """Whether citizens apply for the version from the catalogue: its workflow has a submission
    step. An objection (workflow ``bezwaar``) is lodged on the contested dossier instead."""
    workflow = workflows().get(version.workflow)
    return workflow is not None and workflow.transition_for("application.submit") is not None


def types_in_force(dbsession, on: date | None = None) -> list[tuple[DossierType, object]]:
    """``(type, version in force)`` for every type citizens apply for, by Dutch title."""
    found = [(t, t.current(on)) for t in all_types(dbsession)]
    found = [(t, v) for t, v in found if v is not None and open_for_applications(v)]
    return sorted(found, key=lambda tv: tv[1].title("nl").lower())


def latest_published(dossier_type: DossierType):
    published = [v for v in dossier_type.versions if v.status == PUBLISHED]
    return published[-1] if published else None


# ---------------------------------------------------------------------------------------------
# Changes


def skeleton(title: dict, workflow_name: str, team: str, registry=None) -> dict:
    """A complete, valid definition to start a new type from: one step with the applicant's
    prefilled name, no documents, rules or amounts yet, DOSIS codes guessed from the
    workflow's state names and phases."""
    return skeleton_definition(title, workflow_name, team, registry)


def create_type(request, code: str, title: dict, workflow_name: str, team: str) -> DossierType:
    """A new type with a first concept version built from :func:`skeleton`."""
    problems = code_problems(code)
    if not problems and get_type(request.dbsession, code) is not None:
        problems.append(Problem("code", f"a dossier type {code!r} already exists"))
    definition = skeleton(title, workflow_name, team, _registry(request))
    problems += validate_definition(definition, registry=_registry(request))
    if problems:
        raise CatalogueError(problems)
    dossier_type = DossierType(code=code)
    dossier_type.versions.append(DossierTypeVersion(number=1, status=CONCEPT,
                                                    definition=definition))
    request.dbsession.add(dossier_type)
    request.dbsession.flush()
    _audit(request, "create", code, version=1, workflow=workflow_name, team=team)
    return dossier_type


def new_concept(request, dossier_type: DossierType) -> DossierTypeVersion:
    """A concept copied from the version in force (or the latest published one); the current
    version stays in force until the concept is published."""
    if dossier_type.concept is not None:
        _refuse("", f"version {dossier_type.concept.number} is already a concept; edit or "
                    "publish it first")
    source = current_version(dossier_type) or latest_published(dossier_type)
    if source is None:
        _refuse("", "there is no published version to copy")
    number = max(v.number for v in dossier_type.versions) + 1
    concept = DossierTypeVersion(number=number, status=CONCEPT,
                                 definition=copy.deepcopy(source.definition))
    dossier_type.versions.append(concept)
    request.dbsession.flush()
    _audit(request, "new_concept", dossier_type.code, version=number, copied_from=source.number)
    return concept


def _must_be_concept(version: DossierTypeVersion):
    if version.status != CONCEPT:
        raise PublishedVersionChanged(
            f"version {version.number} of {version.dossier_type.code} is published")


def update_concept(request, version: DossierTypeVersion, definition: dict) -> None:
    """Replace a concept's definition; refused with every problem unless the new one is
    valid (a concept is always publishable as far as its content goes)."""
    _must_be_concept(version)
    definition = normalise(definition)
    problems = validate_definition(definition, registry=_registry(request))
    if problems:
        raise DefinitionError(problems)
    changed = sorted(k for k in set(definition) | set(version.definition)
                     if definition.get(k) != version.definition.get(k))
    if not changed:
        return
    # A new object: the JSON column does not see changes made inside the old one.
    version.definition = definition
    request.dbsession.flush()
    _audit(request, "update", version.dossier_type.code, version=version.number, changed=changed)


def publish(request, version: DossierTypeVersion, valid_from: date) -> None:
    """Publish a concept from ``valid_from``; the version in force until then stays in force
    until the day before. Refused with every problem when the definition is not valid."""
    _must_be_concept(version)
    dossier_type = version.dossier_type
    problems = [Problem(f"definition.{p.location}" if p.location else "definition", p.message)
                for p in validate_definition(version.definition, registry=_registry(request))]
    published = [v for v in dossier_type.versions if v.status == PUBLISHED]
    for other in published:
        if other.valid_from is not None and valid_from <= other.valid_from:
            problems.append(Problem("valid_from", f"must be after {other.valid_from.isoformat()}"
                                                  f", when version {other.number} starts"))
    if problems:
        raise CatalogueError(problems)
    for other in published:
        if other.valid_until is None or other.valid_until >= valid_from:
            other.valid_until = valid_from - timedelta(days=1)
    version.status = PUBLISHED
    version.valid_from = valid_from
    version.valid_until = None
    version.published = utcnow()
    user = getattr(request, "user", None)
    version.published_by_id = user.id if user is not None else None
    request.dbsession.flush()
    _audit(request, "publish", dossier_type.code, version=version.number,
           valid_from=valid_from.isoformat())


# ---------------------------------------------------------------------------------------------
# Export and import (the file format: loket.catalogue.transfer)

SHIPPED = Path(__file__).parent / "shipped"


def export_yaml(dossier_type: DossierType, numbers=None) -> str:
    """The type as one YAML file: every version, or only those in ``numbers``."""
    return transfer.export_text(dossier_type, numbers)


def import_yaml(request, text: str) -> DossierType:
    """Create the type of an export file exactly as exported (published versions stay
    published). Refused with every problem, and nothing imported, unless the whole file is
    right and no type with its code exists yet."""
    data, problems = transfer.parse_import(text, registry=_registry(request))
    if data is not None and not problems and get_type(request.dbsession, data["code"]):
        problems.append(Problem("code", f"a dossier type {data['code']!r} already exists here"))
    if problems:
        raise CatalogueError(problems)
    dossier_type = DossierType(code=data["code"])
    for version in sorted(data["versions"], key=lambda v: v["number"]):
        dossier_type.versions.append(DossierTypeVersion(
            number=version["number"], status=version["status"],
            valid_from=transfer.as_date(version.get("valid_from")),
            valid_until=transfer.as_date(version.get("valid_until")),
            published=transfer.published_moment(version.get("published")),
            definition=version["definition"],
        ))
    request.dbsession.add(dossier_type)
    request.dbsession.flush()
    _audit(request, "import", dossier_type.code,
           versions=[v.number for v in dossier_type.versions])
    return dossier_type


def load_shipped(dbsession) -> list[DossierType]:
    """Import every shipped type (shipped/*.yaml) not present yet; idempotent."""
    actor = SystemActor(dbsession)
    imported = []
    for path in sorted(SHIPPED.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        code = yaml.safe_load(text).get("code")
        if get_type(dbsession, code) is None:
            imported.append(import_yaml(actor, text))
    return imported
