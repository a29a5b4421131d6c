"""Citizen and staff pages for dossiers."""

from pyramid.view import view_config

from loket.dossiers.models import Dossier
from loket.dossiers.queries import dossiers_of_applicant, dossiers_of_teams
from loket.resources import Root
from loket.security import Permission
from loket.workflow.presentation import workflow_view


@view_config(context=Root, name="mijn-dossiers", permission=Permission.OWN_DOSSIERS,
             renderer="loket:dossiers/templates/mine.jinja2", request_method="GET")
def my_dossiers(context, request):
    return {"dossiers": dossiers_of_applicant(request.dbsession, request.user.id)}


@view_config(context=Root, name="werkbank", permission=Permission.WORK,
             renderer="loket:dossiers/templates/workbench.jinja2", request_method="GET")
def workbench(context, request):
    teams = request.user.teams
    dossiers = dossiers_of_teams(request.dbsession, [t.id for t in teams]) if teams else []
    return {"teams": teams, "dossiers": dossiers}


@view_config(context=Dossier, permission=Permission.VIEW,
             renderer="loket:dossiers/templates/dossier.jinja2", request_method="GET")
def dossier_page(context, request):
    return {
        "dossier": context,
        "documents": context["documenten"].all(),
        "may_add_document": request.has_permission(Permission.ADD_DOCUMENT, context),
        "workflow": workflow_view(request, context),
    }
