"""A dossier's objections as JSON (see openapi.yaml beside this module): on the contested
dossier its objections, on an objection the dossier it contests; for whoever may read it."""

from datetime import date

from pyramid.view import view_config

from loket.callbacks.services import json_body
from loket.i18n import _
from loket.objections import services
from loket.objections.resources import DossierObjection
from loket.security import Permission
from loket.web.openapi import API_ROUTE, Problem, bad_request_response, iso, link
from loket.web.views import error_response
from loket.workflow.engine import TransitionRefused, workflow_of
from loket.workflow.presentation import actor_for


def objection_json(request, objection) -> dict:
    dossier = objection.dossier
    return {"dossier": dossier.reference, "contested": objection.contested.reference,
            "channel": objection.channel, "received_on": objection.received_on.isoformat(),
            "term_ends": objection.term_ends.isoformat(), "late": objection.late,
            "state": dossier.state,
            "final": workflow_of(dossier).states[dossier.state].final,
            "registered": iso(objection.registered),
            "links": {"objection": link(request, "dossiers", dossier.reference),
                      "contested": link(request, "dossiers", objection.contested.reference)}}


@view_config(route_name=API_ROUTE, context=DossierObjection, permission=Permission.VIEW,
             request_method="GET", renderer="json")
def dossier_objections(context, request):
    dossier, dbsession = context.dossier, request.dbsession
    try:
        ends = services.check_contestable(dbsession, dossier)
        contestable = True
    except services.ObjectionRefused:
        ends, contestable = services.term_ends(dbsession, dossier), False
    return {"dossier": dossier.reference, "contestable": contestable,
            "term_ends": ends.isoformat() if ends else None,
            "objections": [objection_json(request, o)
                           for o in services.objections_of(dbsession, dossier)],
            "links": {"self": link(request, "dossiers", dossier.reference, "bezwaar"),
                      "dossier": link(request, "dossiers", dossier.reference)}}


@view_config(route_name=API_ROUTE, context=DossierObjection, permission=Permission.ACT,
             request_method="POST", renderer="json")
def lodge(context, request):
    body, problems, status = json_body(request, "ObjectionRequest")
    if body is None:
        if status != 400:  # too large, or not JSON at all
            return error_response(request, status, _("Bad request"), "; ".join(
                f"{p.get('name', p['location'])}: {p['message']}" for p in problems))
        return bad_request_response(request, problems)
    received_on = None
    if body.get("received_on"):
        try:
            received_on = date.fromisoformat(body["received_on"])
        except ValueError:
            return bad_request_response(request, [Problem(
                location="body", name="received_on", message="is not a date (YYYY-MM-DD)")])
    try:
        objection = services.lodge(request, context.dossier, actor_for(request),
                                   reasons=body["reasons"], received_on=received_on)
    except (services.ObjectionRefused, TransitionRefused) as refused:
        request.tm.doom()  # nothing of a half-lodged objection is kept
        return error_response(request, refused.status, _("This objection is not possible"),
                              refused.message)
    request.response.status = 201
    return objection_json(request, objection)
