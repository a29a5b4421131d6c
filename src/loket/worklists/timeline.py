"""Assignments in the dossier's timeline, from its events (the page's one read of them)."""

from loket.dossiers.events import dossier_events
from loket.dossiers.panels import TimelineEntry
from loket.dossiers.timeline import names_of
from loket.i18n import _
from loket.worklists.assignment import ACTION


def assignment_entries(request, dossier) -> list[TimelineEntry]:
    if not (request.user and request.user.is_staff):
        return []  # who handles a dossier is the staff's business
    events = [e for e in dossier_events(request, dossier) if e.kind == ACTION]
    if not events:
        return []
    names = names_of(request, {e.details.get("handler") for e in events} - {None})
    translate = request.localizer.translate
    entries = []
    for event in events:
        handler = event.details.get("handler")
        title = (_("Assigned to ${name}", mapping={"name": names.get(handler, "?")})
                 if handler else _("Assignment withdrawn: back to the team"))
        entries.append(TimelineEntry(occurred=event.occurred, kind="assignment",
                                     title=translate(title),
                                     actor=event.actor or "Loket"))
    return entries
