"""The citizen's application, from draft to submission: used by the HTML pages and the API.

A draft *is* a dossier in its workflow's initial state (marked ``draft``): the applicant may view
and edit it and add documents; nobody else sees it. Its answers live in ``dossier.data`` as
JSON (amounts as strings, dates ISO 8601), one flat mapping over all steps.

    start(request, dossier_type, user) -> Dossier
        The citizen's draft of this type: the existing one (a double click, a second tab) or a
        new one, prefilled from the person register (``dossier.prefill``). Raises
        :class:`NotAvailable` when no version is in force.
    step_schema(request, dossier, index) -> colander schema of step ``index`` (0-based)
    validate_step(request, dossier, index, cstruct) -> appstruct
        Colander validation of one step's answers (strings, as a form or JSON sends them);
        raises ``colander.Invalid`` (``.asdict()``: the messages by field).
    save_step(request, dossier, index, appstruct) -> None
        Store one validated step. Read-only prefilled fields keep the register's value,
        whatever was sent.
    problems(dossier, request=None) -> list[Missing]
        What still keeps the draft from being submitted: invalid or missing answers per step,
        required documents. Empty when it can be submitted.
    submit(request, dossier, user, expected_version) -> bool
        Re-validates everything, performs ``indienen`` through the workflow engine, sets
        ``dossier.submitted``; the receipt (document type ``ontvangstbewijs``, direction out)
        is a letter the worker renders (:mod:`loket.letters`). True when submitted now; False
        when it already was (a replayed or doubled request changes nothing). Raises
        :class:`Incomplete` (with ``.problems``) or the engine's ``TransitionRefused`` /
        ``TransitionConflict``; nothing changed then.
    add_attachment(request, dossier, code, checked) -> Document
    remove_attachment(request, dossier, document) -> None
        Attachments of the draft per document type of the definition (one document per type;
        uploading again adds a version).
    (how long a draft is kept: :mod:`loket.dossiers.drafts`)
"""

from dataclasses import dataclass

import colander
from pyramid.threadlocal import get_current_request
from sqlalchemy import select, update

from loket import audit
from loket.applications import prefill as person_register
from loket.applications.authentication import accepted_means
from loket.catalogue import services as catalogue
from loket.catalogue.definition import text, top_level_fields
from loket.catalogue.formbuilder import build_step_schema, jsonable, locale_of, merge_prefill, steps
from loket.catalogue.models import DossierTypeVersion
from loket.db import utcnow
from loket.documents import services as documents
from loket.documents.files import CheckedFile
from loket.dossiers.drafts import draft_states, in_draft
from loket.dossiers.models import Dossier, next_reference
from loket.i18n import _
from loket.identity.acr import acr_satisfied, means_needed
from loket.identity.models import Team, User
from loket.security import principals_for
from loket.web.contact import notification_address
from loket.workflow.definition import workflows
from loket.workflow.engine import (
    Actor,
    TransitionForbidden,
    TransitionRefused,
    perform,
    workflow_of,
)

SUBMIT = "application.submit"  # the purpose of the submission step
RECEIPT = "ontvangstbewijs"
PREFILLED_HINT = _("Filled in from the national register")


class NotAvailable(Exception):
    """No version of the dossier type is in force (or its team does not exist): nobody can
    apply now."""


class Incomplete(TransitionRefused):
    """The draft cannot be submitted yet; ``problems`` says what is missing."""

    def __init__(self, problems):
        super().__init__(_("Your application is not complete yet."))
        self.problems = problems


@dataclass(frozen=True)
class Missing:
    """One thing missing from a draft: a step's field (``step`` 0-based, ``field`` its name,
    a dotted path inside an address or a repeat) or a required document (``document``: its
    code). ``label`` and ``message`` are in the request's language."""

    step: int | None
    field: str | None
    document: str | None
    label: str
    message: str


def is_draft(dossier) -> bool:
    return in_draft(dossier) and dossier.submitted is None


# ---------------------------------------------------------------------------------------------
# Start


def find_draft(dbsession, dossier_type, user) -> Dossier | None:
    return dbsession.scalars(
        select(Dossier).join(DossierTypeVersion, Dossier.type_version_id == DossierTypeVersion.id)
        .where(Dossier.applicant_id == user.id, Dossier.state.in_(draft_states()),
               Dossier.submitted.is_(None), DossierTypeVersion.type_id == dossier_type.id)
        .order_by(Dossier.id).limit(1)).first()


def start(request, dossier_type, user) -> Dossier:
    dbsession = request.dbsession
    # One applicant at a time: this row lock makes a second request (double click, second
    # tab) wait here and then find the draft the first one created.
    dbsession.execute(update(User).where(User.id == user.id)
                      .values(last_login=User.last_login)
                      .execution_options(synchronize_session=False))
    existing = find_draft(dbsession, dossier_type, user)
    if existing is not None:
        return existing
    version = catalogue.current_version(dossier_type)
    if version is None or not catalogue.open_for_applications(version):
        raise NotAvailable(dossier_type.code)
    definition = version.definition
    team = dbsession.scalars(select(Team).where(Team.code == definition.get("team"))).first()
    if team is None:
        raise NotAvailable(dossier_type.code)
    dossier = Dossier(
        reference=next_reference(dbsession, utcnow().year), type_version=version,
        type_version_id=version.id, title=text(definition.get("title"), "nl"),
        state=workflows()[version.workflow].initial,
        applicant_id=user.id, team=team, team_id=team.id, data={}, prefill={})
    dbsession.add(dossier)
    dbsession.flush()  # the reference exists before MAGDA is asked about it
    person_register.prefill(request, dossier, user)
    _prefill_email(request, dossier, user)
    dbsession.flush()
    audit.record(request, "application.started", "dossier", dossier.reference,
                 type=dossier_type.code, version=version.number,
                 prefill=dossier.prefill["status"])
    return dossier


def email_field(definition: dict) -> str | None:
    """The application's e-mail field: the first e-mail field outside repeats."""
    return next((name for name, f in top_level_fields(definition).items()
                 if f.get("type") == "email"), None)


def _prefill_email(request, dossier, user):
    """The address notifications go to (else the profile's), as the citizen's first answer."""
    name = email_field(dossier.type_version.definition)
    if name is None:
        return
    address = notification_address(request, user)
    email = (address.email if address is not None else None) or user.email
    if email:
        dossier.data = {**(dossier.data or {}), name: email}


def typed_email(dossier) -> str | None:
    name = email_field(dossier.type_version.definition)
    value = (dossier.data or {}).get(name) if name else None
    return value if isinstance(value, str) and value else None


# ---------------------------------------------------------------------------------------------
# Steps


def step_schema(request, dossier, index: int):
    definition = dossier.type_version.definition
    prefilled = person_register.prefilled(dossier)
    schema = build_step_schema(definition, index, request, prefilled)
    hint = request.localizer.translate(PREFILLED_HINT)
    for node in schema.children:
        if node.name in prefilled:
            help_text = request.localizer.translate(node.description or "")
            node.description = f"{hint}. {help_text}" if help_text else hint
    return schema


def to_cstruct(value):
    """A stored (JSON) answer as a form would send it, for colander and Deform."""
    if value is None:
        return colander.null
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return {k: to_cstruct(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_cstruct(v) for v in value]
    return str(value)


def step_cstruct(dossier, index: int) -> dict:
    """The stored answers of step ``index``, as a form would send them."""
    data = dossier.data or {}
    names = [f["name"] for f in steps(dossier.type_version.definition)[index].get("fields") or []]
    return {name: to_cstruct(data[name]) for name in names if name in data}


def validate_step(request, dossier, index: int, cstruct: dict) -> dict:
    return step_schema(request, dossier, index).deserialize(cstruct)


def save_step(request, dossier, index: int, appstruct: dict) -> None:
    definition = dossier.type_version.definition
    answers = merge_prefill(definition, appstruct, person_register.prefilled(dossier),
                            step=index)
    dossier.data = {**(dossier.data or {}), **jsonable(answers)}
    request.dbsession.flush()
    audit.record(request, "application.step_saved", "dossier", dossier.reference,
                 step=index + 1)


# ---------------------------------------------------------------------------------------------
# Attachments


def document_types(dossier) -> list[dict]:
    return list(dossier.type_version.definition.get("documents") or [])


def attachments(dossier) -> dict:
    """The draft's uploaded documents by document type code."""
    return {d.document_type: d for d in dossier.documents if d.direction == "in"}


def add_attachment(request, dossier, code: str, checked: CheckedFile):
    existing = attachments(dossier).get(code)
    dossier.modified = utcnow()  # activity keeps a draft from being purged
    if existing is not None:
        documents.add_version(request, existing, checked)
        return existing
    spec = next(d for d in document_types(dossier) if d["code"] == code)
    document = documents.add_document(request, dossier, checked, title=text(spec["title"], "nl"),
                                      document_type=code)
    request.dbsession.expire(dossier, ["documents"])
    return document


def remove_attachment(request, dossier, document) -> None:
    number = document.number
    request.dbsession.delete(document)
    dossier.modified = utcnow()
    request.dbsession.flush()
    request.dbsession.expire(dossier, ["documents"])
    audit.record(request, "document.removed", "dossier", dossier.reference, document=number)


# ---------------------------------------------------------------------------------------------
# Checking and submitting


def problems(dossier, request=None) -> list[Missing]:
    request = request or get_current_request()
    translate = request.localizer.translate
    locale = locale_of(request)
    definition = dossier.type_version.definition
    missing = []
    for index, step in enumerate(steps(definition)):
        labels = {f["name"]: text(f.get("label"), locale) for f in step.get("fields") or []}
        try:
            validate_step(request, dossier, index, step_cstruct(dossier, index))
        except colander.Invalid as invalid:
            for path, message in invalid.asdict(translate=translate).items():
                name = path.split(".", 1)[0]
                missing.append(Missing(index, path, None, labels.get(name, name), message))
    present = attachments(dossier)
    for spec in document_types(dossier):
        if spec.get("required") and spec["code"] not in present:
            missing.append(Missing(None, None, spec["code"], text(spec["title"], locale),
                                   translate(_("Add this document."))))
    return missing


def submit(request, dossier, user, expected_version) -> bool:
    if dossier.submitted is not None:
        return False  # pressed twice, a second tab, a replayed request: already done
    accepted = accepted_means(dossier.type_version.definition)
    if not acr_satisfied(request, accepted):
        raise TransitionForbidden(_("Log in with ${means} to submit this application.",
                                    mapping={"means": means_needed(request, accepted)}))
    found = problems(dossier, request)
    if found:
        raise Incomplete(found)
    actor = Actor(user, frozenset(principals_for(user)))
    step = workflow_of(dossier).transition_for(SUBMIT)
    perform(request.registry, request.dbsession, dossier, step.name, actor, expected_version)
    dossier.submitted = utcnow()
    request.dbsession.flush()
    return True


def receipt_of(dossier):
    return next((d for d in dossier.documents
                 if d.document_type == RECEIPT and d.direction == "out"), None)
