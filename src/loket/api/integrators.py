"""What an integrator reads: every dossier's non-personal fields, with the scope loket.api.read.

A machine client whose token holds ``loket.api.read`` (ACM/IDM grants scopes per client) gets
``GET /api/v1/dossiers`` (all dossiers but drafts, paged like everyone's list) and
``GET /api/v1/dossiers/<reference>``: reference, type, title, state, outcome, team, times and
version. Never the applicant, the answers of the application (``data``), documents or history:
those are personal data, and a system that needs them needs its own legal basis and scope.

These views share URLs with the citizens' and staff members' views; the ``bearer`` predicate
(weighed to be tried first) picks them for requests that carry a bearer token.
"""

from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config

from loket.api.views import dossier_page, dossier_summary
from loket.dossiers.drafts import draft_states, in_draft
from loket.dossiers.models import Dossier
from loket.dossiers.resources import DossierContainer
from loket.security import Permission
from loket.web.openapi import API_ROUTE


@view_config(route_name=API_ROUTE, context=DossierContainer, bearer=True, request_method="GET",
             permission=Permission.READ_API, renderer="json")
def all_dossiers(context, request):
    request.response.cache_control = "no-store"
    # A draft is its applicant's alone, also for a system with the read scope.
    return dossier_page(request, Dossier.state.not_in(sorted(draft_states())),
                        Permission.READ_API)


@view_config(route_name=API_ROUTE, context=Dossier, bearer=True, request_method="GET",
             permission=Permission.READ_API, renderer="json")
def dossier_for_integrator(context, request):
    request.response.cache_control = "no-store"
    if in_draft(context):
        raise HTTPNotFound()
    return {**dossier_summary(request, context), "outcome": context.outcome,
            "version": context.version}


def includeme(config):
    config.scan("loket.api.integrators")
