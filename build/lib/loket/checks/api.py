"""The screening and the automatic checks as JSON: ``GET /api/v1/dossiers/<ref>/controles``.

Staff who may view the dossier only: the results rest on the applicant's income, social status
and domicile. A citizen (even the applicant) finds no such URL (404), staff of another team
find no such dossier (404), and machine clients with ``loket.api.read`` get non-personal
fields only, so no view here.
"""

from pyramid.view import view_config

from loket.api.openapi import API_ROUTE
from loket.api.views import link
from loket.checks.presentation import controls_json
from loket.dossiers.models import Dossier
from loket.security import Permission


@view_config(route_name=API_ROUTE, context=Dossier, name="controles", caller_is_staff=True,
             permission=Permission.VIEW, request_method="GET", renderer="json")
def dossier_controls(context, request):
    request.response.cache_control = "no-store"
    return {**controls_json(request, context),
            "links": {"self": link(request, "dossiers", context.reference, "controles"),
                      "dossier": link(request, "dossiers", context.reference)}}
