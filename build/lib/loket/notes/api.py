"""``/api/v1/dossiers/<reference>/notities``: internal notes as JSON (openapi.yaml here).
Staff only, like the page: the applicant gets 404."""

from pyramid.view import view_config

from loket.api.callbacks import json_body
from loket.api.openapi import API_ROUTE, Problem, bad_request_response
from loket.api.views import iso, link
from loket.i18n import _
from loket.notes import services
from loket.notes.resources import DossierNotes
from loket.security import Permission
from loket.web.views import error_response


def note_json(note) -> dict:
    return {
        "id": note.id,
        "author": {"id": note.author_id, "name": note.author.name if note.author else None},
        "body": note.body,
        "created": iso(note.created),
        "mentions": [{"id": m.user_id, "name": m.user.name, "seen": bool(m.seen)}
                     for m in note.mentions],
    }


def _links(request, dossier) -> dict:
    return {"self": link(request, "dossiers", dossier.reference, "notities"),
            "dossier": link(request, "dossiers", dossier.reference)}


@view_config(route_name=API_ROUTE, context=DossierNotes, permission=Permission.VIEW,
             request_method="GET", renderer="json")
def list_notes(context, request):
    dossier = context.dossier
    return {
        "dossier": dossier.reference,
        "items": [note_json(n) for n in services.notes_of(request, dossier)],
        "colleagues": [{"id": c.id, "name": c.name} for c in services.colleagues(
            request.dbsession, dossier, exclude=request.user.id)],
        "links": _links(request, dossier),
    }


@view_config(route_name=API_ROUTE, context=DossierNotes, permission=Permission.WORK,
             request_method="POST", renderer="json")
def post_note(context, request):
    body, problems, status = json_body(request, "NoteNew")
    if body is None:
        if status != 400:
            return error_response(request, status, _("Bad request"), "; ".join(
                f"{p.get('name', p['location'])}: {p['message']}" for p in problems))
        return bad_request_response(request, problems)
    try:
        note = services.add_note(request, context.dossier, body["body"],
                                 body.get("mentions") or [])
    except services.NoteRefused as refused:
        translate = request.localizer.translate
        return bad_request_response(request, [Problem(
            location="body", name=refused.field, message=translate(refused.message))])
    request.response.status = 201
    return {**note_json(note), "links": _links(request, context.dossier)}
