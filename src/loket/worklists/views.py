"""The handlers' worklists."""

from pyramid.view import view_config

from loket.dossiers.queries import dossiers_of_teams
from loket.resources import Root
from loket.security import Permission


@view_config(context=Root, name="werkbank", permission=Permission.WORK,
             renderer="loket:dossiers/templates/workbench.jinja2", request_method="GET")
def workbench(context, request):
    teams = request.user.teams
    dossiers = dossiers_of_teams(request.dbsession, [t.id for t in teams]) if teams else []
    return {"teams": teams, "dossiers": dossiers}
