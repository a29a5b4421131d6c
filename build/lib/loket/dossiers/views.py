"""Citizen and staff pages for dossiers."""

from pyramid.renderers import render_to_response
from pyramid.view import view_config

from loket.dossiers import citizen, staff
from loket.dossiers.models import Dossier
from loket.dossiers.queries import dossiers_of_applicant
from loket.resources import Root
from loket.security import Permission


@view_config(context=Root, name="mijn-dossiers", permission=Permission.OWN_DOSSIERS,
             renderer="loket:dossiers/templates/mine.jinja2", request_method="GET")
def my_dossiers(context, request):
    """The citizen's drafts apart from their applications, each with what to do now."""
    from loket.dossiers.mine import cards  # the citizen's own module

    return cards(request, dossiers_of_applicant(request.dbsession, request.user.id))


@view_config(context=Dossier, permission=Permission.VIEW, request_method="GET")
def dossier_page(context, request):
    """One URL for everyone who may see the dossier; staff and citizens get their own page."""
    if request.user is not None and request.user.is_staff:
        return render_to_response(staff.TEMPLATE, staff.staff_page(request, context), request)
    return render_to_response(citizen.TEMPLATE, citizen.citizen_page(request, context),
                              request)
