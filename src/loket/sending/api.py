"""Sending and the register of outgoing mail as JSON (see openapi.yaml beside this module)."""

from pyramid.view import view_config
from sqlalchemy import select

from loket.callbacks.services import error, json_body
from loket.i18n import _
from loket.letters import models as letters
from loket.security import Permission
from loket.sending import register, services
from loket.sending.resources import DossierSending, Register
from loket.sending.views import dispatches_of
from loket.web.openapi import API_ROUTE, bad_request_response, iso, link

TITLES = {413: _("Request too large"), 415: _("Unsupported media type")}


def _when(moment):
    return iso(moment) if moment else None


def dispatch_json(request, d) -> dict:
    reference = d.dossier.reference
    return {
        "id": d.id, "letter": d.letter_id, "attempt": d.attempt, "dossier": reference,
        "kind": d.letter_kind, "title": d.title, "recipient": d.recipient_name,
        "channel": d.channel, "registered": d.registered, "reason": d.reason,
        "override_reason": d.override_reason or None, "status": d.status,
        "return_reason": d.return_reason or None, "error": d.error or None,
        "resolved": d.resolved, "barcode": d.barcode, "queued": iso(d.queued),
        "sent": _when(d.sent), "delivered": _when(d.delivered), "read": _when(d.read),
        "returned": _when(d.returned),
        "history": [{"status": e["status"], "at": e["at"]} for e in d.history or []],
        "links": {"dossier": link(request, "dossiers", reference),
                  "proof": link(request, "dossiers", reference, "documenten",
                                d.proof.number, "download") if d.proof else None},
    }


def _malformed(request, problems, status):
    if status != 400:
        return error(request, status, TITLES[status], "; ".join(
            f"{p.get('name', p['location'])}: {p['message']}" for p in problems))
    response = bad_request_response(request, problems)
    response.cache_control = "no-store"
    return response


@view_config(route_name=API_ROUTE, context=Register, permission=Permission.SEND,
             request_method="GET", renderer="json")
def list_register(context, request):
    filters = register.Filters.from_params(request.GET)
    rows, next_before = register.page(request.dbsession, filters,
                                      register.visible_teams(request.user))
    request.response.cache_control = "no-store"
    return {"items": [dispatch_json(request, d) for d in rows],
            "links": {"self": link(request, "verzendregister", query=filters.query() or None),
                      "next": link(request, "verzendregister",
                                   query={**filters.query(), "before": next_before})
                      if next_before else None}}


@view_config(route_name=API_ROUTE, context=Register, permission=Permission.SEND,
             request_method="POST", renderer="json")
def bulk_send(context, request):
    body, problems, status = json_body(request, "SendLetters")
    if problems:
        return _malformed(request, problems, status)
    teams = register.visible_teams(request.user)
    found = services.lock(request.dbsession, body["letters"])
    if teams is not None:
        foreign = [letter for letter in found if letter.dossier.team_id not in teams]
        found = [letter for letter in found if letter.dossier.team_id in teams]
    else:
        foreign = []
    result = services.send_many(request.registry, request.dbsession,
                                [letter.id for letter in found], actor=request.user)
    translate = request.localizer.translate
    known = {letter.id for letter in found} | {letter.id for letter in foreign}
    refused = [{"letter": letter.id, "reason": translate(message)}
               for letter, message in result.refused]
    unknown = (set(body["letters"]) - known) | {letter.id for letter in foreign}
    refused += [{"letter": i, "reason": translate(_("No such letter."))}
                for i in sorted(unknown)]
    request.response.status = 202
    request.response.cache_control = "no-store"
    return {"batch": result.batch,
            "sent": [dispatch_json(request, d) for d in result.sent],
            "refused": refused,
            "links": {"progress": link(request, "verzendregister",
                                       query={"batch": result.batch})}}


@view_config(route_name=API_ROUTE, context=DossierSending, permission=Permission.VIEW,
             request_method="GET", renderer="json")
def dossier_sending(context, request):
    dossier = context.dossier
    dispatches = dispatches_of(request.dbsession, dossier)
    found = request.dbsession.scalars(select(letters.Letter).where(
        letters.Letter.dossier_id == dossier.id).order_by(letters.Letter.id))
    request.response.cache_control = "no-store"
    return {"dossier": dossier.reference,
            "letters": [{"id": letter.id, "kind": letter.kind, "title": letter.title,
                         "status": letter.status, "version": letter.version,
                         "dispatches": [dispatch_json(request, d) for d in dispatches
                                        if d.letter_id == letter.id]} for letter in found],
            "links": {"self": link(request, "dossiers", dossier.reference, "verzending"),
                      "dossier": link(request, "dossiers", dossier.reference)}}
