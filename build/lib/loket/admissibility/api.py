"""``POST /api/v1/dossiers/<reference>/ontvankelijkheid``: the admissibility decision as JSON
(openapi.yaml here). The same service as the page; the same refusals, as JSON errors."""

from datetime import date

from pyramid.view import view_config

from loket.admissibility import services
from loket.api.callbacks import json_body
from loket.api.openapi import API_ROUTE, Problem, bad_request_response
from loket.api.views import link
from loket.dossiers.models import Dossier
from loket.i18n import _
from loket.security import Permission
from loket.web.views import error_response

NAME = "ontvankelijkheid"


@view_config(route_name=API_ROUTE, context=Dossier, name=NAME, permission=Permission.ACT,
             request_method="POST", renderer="json")
def decide(context, request):
    body, problems, status = json_body(request, "AdmissibilityDecisionRequest")
    if body is None:
        if status != 400:  # too large, or not JSON at all
            return error_response(request, status, _("Bad request"), "; ".join(
                f"{p.get('name', p['location'])}: {p['message']}" for p in problems))
        return bad_request_response(request, problems)
    due = None
    if body.get("due"):
        try:
            due = date.fromisoformat(body["due"])
        except ValueError:
            return bad_request_response(request, [Problem(
                location="body", name="due", message="is not a date (YYYY-MM-DD)")])
    try:
        services.decide(request, context, body["decision"],
                        reason_code=body.get("reason_code") or "", text_=body.get("text") or "",
                        document_codes=body.get("document_codes") or [], due=due,
                        expected_version=body["version"])
    except services.TransitionRefused as refused:
        request.tm.doom()  # nothing of a half-taken decision is kept
        return error_response(request, refused.status, _("This decision is not possible"),
                              refused.message)
    return {
        "reference": context.reference,
        "decision": body["decision"],
        "state": context.state,
        "version": context.version,
        "screening": services.screening_outcome(context),
        "confirms_screening": services.confirms_screening(context, body["decision"]),
        "links": {"self": link(request, "dossiers", context.reference, NAME),
                  "dossier": link(request, "dossiers", context.reference),
                  "workflow": link(request, "dossiers", context.reference, "workflow")},
    }
