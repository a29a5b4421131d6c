"""Withdrawing an application (stopzetten): a page that says what it means, then the step.

The step is final; the citizen confirms on this page first (the dossier page links here rather
than offering the step as a button).
"""

from pyramid.httpexceptions import HTTPFound
from pyramid.view import view_config

from loket.dossiers.models import Dossier
from loket.i18n import _
from loket.security import Permission
from loket.workflow.engine import TransitionRefused, perform, refusal, workflow_of
from loket.workflow.presentation import actor_for

WITHDRAW = "stopzetten"


def _refusal(request, dossier):
    transition = workflow_of(dossier).transitions.get(WITHDRAW)
    if transition is None:
        return TransitionRefused(_("This application cannot be withdrawn."))
    return refusal(dossier, transition, actor_for(request))


@view_config(context=Dossier, name="stopzetten", permission=Permission.ACT,
             request_method=("GET", "POST"), renderer="loket:dossiers/templates/withdraw.jinja2")
def withdraw(context, request):
    problem = _refusal(request, context)
    if problem is not None:
        # Decided, already withdrawn, or not the applicant's: say why, change nothing.
        raise problem
    if request.method == "GET":
        return {"dossier": context}
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        raise TransitionRefused(
            _("The form is incomplete. Reload the page and try again.")) from None
    perform(request.registry, request.dbsession, context, WITHDRAW, actor_for(request), version,
            request.POST.get("comment", "")[:2000])
    request.session.flash(request.localizer.translate(_("Your application was withdrawn.")))
    return HTTPFound(location=request.resource_path(context))
