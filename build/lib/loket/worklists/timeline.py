"""Assignments in the dossier's timeline, read from the audit trail (one query each way)."""

from sqlalchemy import select

from loket.audit.models import AuditEvent
from loket.dossiers.panels import TimelineEntry
from loket.i18n import _
from loket.identity.models import User
from loket.worklists.assignment import ACTION


def assignment_entries(request, dossier) -> list[TimelineEntry]:
    if not (request.user and request.user.is_staff):
        return []  # who handles a dossier is the staff's business
    events = request.dbsession.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "dossier",
                                 AuditEvent.object_id == dossier.reference,
                                 AuditEvent.action == ACTION)
        .order_by(AuditEvent.occurred)).all()
    if not events:
        return []
    ids = {e.actor_id for e in events} | {e.details.get("handler") for e in events}
    names = {u.id: u.name for u in request.dbsession.scalars(
        select(User).where(User.id.in_([i for i in ids if i])))}
    translate = request.localizer.translate
    entries = []
    for event in events:
        handler = event.details.get("handler")
        title = (_("Assigned to ${name}", mapping={"name": names.get(handler, "?")})
                 if handler else _("Assignment withdrawn: back to the team"))
        entries.append(TimelineEntry(occurred=event.occurred, kind="assignment",
                                     title=translate(title),
                                     actor=names.get(event.actor_id, "Loket")))
    return entries
