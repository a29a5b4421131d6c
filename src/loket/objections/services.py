"""Lodging an objection against a dossier's decision, and reading the links both ways.

:func:`lodge` makes the objection dossier (type ``bezwaar``, the contested dossier's team and
applicant), stores the reasons and the attachments, links it and takes its first step (purpose
``objection.lodge``) — everything or nothing. The term is the contested type's ``objection.days``
(30 when the type does not say), counted from the day the decision was sent; an objection
after the term is registered all the same, marked late: the competent body decides whether it
is admissible.
"""

from datetime import date, timedelta

from sqlalchemy import bindparam, exists, or_, select

from loket.catalogue.services import get_type
from loket.db import utcnow
from loket.documents.files import FileRejected, check_upload
from loket.documents.services import add_document
from loket.dossiers.events import record_event
from loket.dossiers.models import Dossier, next_reference
from loket.i18n import _, local, local_now
from loket.objections.models import COUNTER, ONLINE, Objection
from loket.workflow.engine import Actor, holds_role, perform, workflow_of
from loket.workflow.models import HistoryEntry

TYPE_CODE = "bezwaar"
LODGE = "objection.lodge"
DEFAULT_DAYS = 30
MAX_REASONS = 5000
MAX_FILES = 5
ATTACHMENT = "bijlage"


class ObjectionRefused(Exception):
    """Not possible, or bad input: ``message`` is a translation string; nothing changed."""

    def __init__(self, message, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


def term_days(dossier) -> int:
    """The days to object, as the dossier type's ``objection`` section says (30 by default)."""
    days = (dossier.type_version.definition.get("objection") or {}).get("days")
    return days if isinstance(days, int) and not isinstance(days, bool) and days > 0 \
        else DEFAULT_DAYS


def sent_on_in(history, dossier) -> date | None:
    """:func:`decision_sent_on` from the history a page read already (entries or rows)."""
    sent_states = workflow_of(dossier).states_marked("decision_sent")
    moments = [entry.occurred for entry in history if entry.to_state in sent_states]
    return local(max(moments)).date() if moments else None


def decision_sent_on(dbsession, dossier) -> date | None:
    """The (Belgian) day the dossier's decision was sent, or None while it was not."""
    sent_states = workflow_of(dossier).states_marked("decision_sent")
    if not sent_states:
        return None
    entry = dbsession.scalar(select(HistoryEntry).where(
        HistoryEntry.dossier_id == dossier.id, HistoryEntry.to_state.in_(sorted(sent_states)))
        .order_by(HistoryEntry.occurred.desc(), HistoryEntry.id.desc()).limit(1))
    return local(entry.occurred).date() if entry is not None else None


def term_ends(dbsession, dossier) -> date | None:
    sent = decision_sent_on(dbsession, dossier)
    return sent + timedelta(days=term_days(dossier)) if sent is not None else None


_LINKED = or_(Objection.contested_id == bindparam("dossier"),
              Objection.dossier_id == bindparam("dossier"))
_ANY = select(exists().where(_LINKED))  # built once


def objections_of(dbsession, dossier) -> list[Objection]:
    """The objections against ``dossier``, or the one ``dossier`` is, oldest first."""
    return list(dbsession.scalars(select(Objection).where(_LINKED).order_by(Objection.id),
                                  {"dossier": dossier.id}))


def has_objections(dbsession, dossier) -> bool:
    """Whether :func:`objections_of` has any: a third of its cost (it joins both dossiers
    with what they load), and most decided dossiers have none."""
    return dbsession.scalar(_ANY, {"dossier": dossier.id})


def _open(objection: Objection) -> bool:
    return not workflow_of(objection.dossier).states[objection.dossier.state].final


def check_contestable(dbsession, dossier) -> date:
    """The term's last day; raises :class:`ObjectionRefused` when the decision cannot be
    contested here."""
    if dossier.type_version.workflow == TYPE_CODE:
        raise ObjectionRefused(_("A decision on an objection cannot be contested with another "
                                 "objection."))
    ends = term_ends(dbsession, dossier)
    if ends is None or dossier.outcome is None:
        raise ObjectionRefused(_("There is no decision to object to yet: you can object once "
                                 "the decision has been sent to you."))
    if any(_open(o) for o in objections_of(dbsession, dossier) if o.contested_id == dossier.id):
        raise ObjectionRefused(_("An objection against this decision is being handled "
                                 "already."), status=409)
    return ends


def lodge(request, contested, actor: Actor, *, reasons: str, files=(),
          received_on: date | None = None) -> Objection:
    """Lodge an objection against ``contested``'s decision: online by its applicant, or at the
    counter by a handler of its team (``received_on``: the day the paper arrived)."""
    dbsession = request.dbsession
    if holds_role(actor, contested, ["applicant"]):
        channel, received_on = ONLINE, local_now().date()
    elif holds_role(actor, contested, ["handler"]):
        channel = COUNTER
        received_on = received_on or local_now().date()
    else:
        raise ObjectionRefused(_("Only the applicant, or a case handler of the dossier's team "
                                 "for them, can lodge an objection."), status=403)
    ends = check_contestable(dbsession, contested)
    reasons = (reasons or "").strip()
    if not reasons:
        raise ObjectionRefused(_("Say why you disagree with the decision."))
    if len(reasons) > MAX_REASONS:
        raise ObjectionRefused(_("The reasons are too long: at most ${max} characters.",
                                 mapping={"max": MAX_REASONS}))
    sent = decision_sent_on(dbsession, contested)
    if received_on > local_now().date() or received_on < sent:
        raise ObjectionRefused(_("The day of receipt lies between the day the decision was "
                                 "sent and today."))
    uploads = [f for f in files if f is not None]
    if len(uploads) > MAX_FILES:
        raise ObjectionRefused(_("Add at most ${max} documents.", mapping={"max": MAX_FILES}))
    checked = []
    for data, filename in uploads:
        try:
            checked.append(check_upload(data, filename))
        except FileRejected as rejected:
            raise ObjectionRefused(rejected.args[0] if rejected.args else
                                   _("This file cannot be added.")) from None
    objection_type = get_type(dbsession, TYPE_CODE)
    version = objection_type.current() if objection_type is not None else None
    if version is None:
        raise ObjectionRefused(_("Objections cannot be lodged online now: the objection type "
                                 "is missing from the catalogue. Contact the municipality."),
                               status=409)
    now = utcnow()
    dossier = Dossier(
        reference=next_reference(dbsession, now.year), type_version=version,
        type_version_id=version.id, title=f"Bezwaar tegen {contested.reference}",
        state=workflow_of_version(version).initial, applicant_id=contested.applicant_id,
        team=contested.team, team_id=contested.team_id, data={"redenen": reasons},
        prefill={}, submitted=now)
    dbsession.add(dossier)
    dbsession.flush()
    objection = Objection(dossier_id=dossier.id, dossier=dossier, contested_id=contested.id,
                          contested=contested, channel=channel, received_on=received_on,
                          term_ends=ends, late=received_on > ends,
                          registered_by_id=None if actor.is_system else actor.user.id)
    dbsession.add(objection)
    for number, upload in enumerate(checked, 1):
        add_document(request, dossier, upload, title=f"Stuk bij het bezwaar {number}",
                     document_type=ATTACHMENT)
    step = workflow_of(dossier).transition_for(LODGE)
    perform(request.registry, dbsession, dossier, step.name, actor, None,
            comment="Bezwaar na de termijn" if objection.late else "")
    actor_id = objection.registered_by_id
    record_event(dbsession, contested, "objection.lodged", actor_id, objection=dossier.reference,
                 channel=channel, late=objection.late)
    record_event(dbsession, dossier, "objection.received", actor_id,
                 contested=contested.reference, channel=channel, late=objection.late)
    return objection


def workflow_of_version(version):
    from loket.workflow.definition import workflows

    return workflows()[version.workflow]
