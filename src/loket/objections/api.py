"""A dossier's objections as JSON (see openapi.yaml beside this module): on the contested
dossier its objections, on an objection the dossier it contests; for whoever may read it."""

from pyramid.view import view_config

from loket.objections import services
from loket.objections.resources import DossierObjection
from loket.security import Permission
from loket.web.openapi import API_ROUTE, iso, link
from loket.workflow.engine import workflow_of


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
