"""Taking a workflow step from the dossier page (HTML) or the API (JSON)."""

from pyramid.httpexceptions import HTTPFound
from pyramid.view import exception_view_config, view_config

from loket.dossiers.models import Dossier
from loket.i18n import _
from loket.security import Permission
from loket.web.forms import posted_version
from loket.web.views import conflict_response, error_response
from loket.workflow.engine import TransitionConflict, TransitionRefused, perform, workflow_of
from loket.workflow.presentation import actor_for
from loket.workflow.steps import step_handler


@view_config(context=Dossier, name="stap", permission=Permission.ACT, request_method="POST")
def take_step(context, request):
    """POST transition, version, comment: perform it and go back to the dossier page."""
    version = posted_version(request.POST.get("version"))
    if version is None:
        raise TransitionRefused(_("The form is incomplete. Reload the page and try again."))
    transition = request.POST.get("transition", "")
    comment = request.POST.get("comment", "")
    handler = step_handler(request.registry, workflow_of(context).transitions.get(transition))
    if handler is not None:
        handler(request, context, comment, version)
    else:
        perform(request.registry, request.dbsession, context, transition, actor_for(request),
                version, comment)
    request.session.flash(request.localizer.translate(_("The step was taken.")))
    return HTTPFound(location=request.resource_path(context))


@exception_view_config(TransitionRefused)
def step_refused(exc, request):
    """The step was refused: say why; the transaction is rolled back, so nothing changed."""
    if isinstance(exc, TransitionConflict):
        return conflict_response(request, exc.message)
    return error_response(request, exc.status, _("This step is not possible"), exc.message)
