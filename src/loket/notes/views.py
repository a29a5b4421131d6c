"""Internal notes on the handler's dossier page: the list, the form, and its POST."""

from pyramid.httpexceptions import HTTPFound
from pyramid.renderers import render_to_response
from pyramid.view import view_config

from loket.dossiers import staff
from loket.dossiers.panels import TimelineEntry, has_rows
from loket.i18n import _
from loket.notes import services
from loket.notes.resources import DossierNotes
from loket.security import Permission

FORM_KEY = "loket.notes.form"  # a refused note's values and error, for the panel


def _notes(request, dossier) -> list:
    return services.notes_of(request, dossier) if has_rows(request, dossier, "notes") else []


def panel(request, dossier) -> dict | None:
    """The notes and the form; opening the page marks the viewer's mentions here as seen."""
    notes_container = dossier["notities"]
    if not request.has_permission(Permission.VIEW, notes_container):
        return None
    notes = _notes(request, dossier)
    services.mark_seen(request, dossier, notes)
    posted = request.environ.get(FORM_KEY) or {}
    return {
        "notes": list(reversed(notes)),  # newest first
        "may_add": bool(request.has_permission(Permission.WORK, notes_container)),
        "colleagues": services.colleagues(request.dbsession, dossier,
                                          exclude=request.user.id),
        "action": request.resource_path(notes_container),
        "values": posted.get("values") or {},
        "error": posted.get("error"),
    }


def timeline_entries(request, dossier) -> list[TimelineEntry]:
    if not request.user or not request.user.is_staff:
        return []
    translate = request.localizer.translate
    return [
        TimelineEntry(
            occurred=note.created, kind="note", title=translate(_("Internal note")),
            detail=note.body, actor=note.author.name if note.author else "",
            extra={"mentions": [m.user.name for m in note.mentions]})
        for note in _notes(request, dossier)
    ]


@view_config(context=DossierNotes, permission=Permission.WORK, request_method="POST")
def add_note(context, request):
    body = request.POST.get("body", "")
    mentions = request.POST.getall("mentions")
    try:
        services.add_note(request, context.dossier, body, mentions)
    except services.NoteRefused as refused:
        request.environ[FORM_KEY] = {"values": {"body": body, "mentions": mentions},
                                     "error": refused.message}
        response = render_to_response(staff.TEMPLATE, staff.staff_page(request, context.dossier),
                                      request)
        response.status = 400
        return response
    request.session.flash(request.localizer.translate(_("The note was added.")))
    return HTTPFound(location=request.resource_path(context.dossier, anchor="notities"))
