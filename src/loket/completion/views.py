"""Completion on the dossier pages: the citizen's panel with the answer form, and its POST.

The staff page gets a panel with every request and its answer; the handler asks through
:func:`loket.completion.services.request_completion` (from the admissibility form).
"""

import deform
from pyramid.httpexceptions import HTTPFound
from pyramid.renderers import render_to_response
from pyramid.view import view_config
from sqlalchemy import bindparam, select

from loket.completion import forms
from loket.completion.models import CompletionRequest
from loket.completion.services import (
    CompletionRefused,
    answer_completion,
    answerable,
    open_request,
    requested_documents,
)
from loket.dossiers import citizen
from loket.dossiers.models import Dossier
from loket.dossiers.panels import has_rows
from loket.i18n import _
from loket.security import Permission
from loket.web.forms import render_failure, render_form
from loket.workflow.engine import TransitionRefused
from loket.workflow.presentation import localized

FAILED_FORM = "loket.completion.failed_form"  # request.environ: the form with its errors
# Every completion request of a dossier, newest first (built once: every staff page reads it).
_REQUESTS = (select(CompletionRequest).where(CompletionRequest.dossier_id == bindparam("dossier"))
             .order_by(CompletionRequest.requested.desc(), CompletionRequest.id.desc()))


def _documents(request, dossier, completion) -> list[dict]:
    locale = request.locale_name
    return [{"code": spec.code, "title": localized(spec.title, locale) or spec.code,
             "help": localized(spec.help, locale)}
            for spec in requested_documents(dossier, completion)]


def citizen_panel(request, dossier) -> dict | None:
    """What is asked, by when, and the form to answer (only for whoever may answer)."""
    completion = open_request(request.dbsession, dossier)
    if completion is None:
        return None
    try:
        answerable(request, dossier)
    except TransitionRefused:
        form = None
    else:
        form = request.environ.get(FAILED_FORM) or render_form(
            request, forms.answer_form(request, dossier, completion))
    return {"completion": completion, "documents": _documents(request, dossier, completion),
            "form": form}


def staff_panel(request, dossier) -> dict | None:
    """Every completion request of the dossier with the citizen's answer, newest first."""
    if not has_rows(request, dossier, "completion"):
        return None
    completions = request.dbsession.scalars(_REQUESTS, {"dossier": dossier.id}).all()
    if not completions:
        return None
    return {"items": [{"completion": c, "documents": _documents(request, dossier, c)}
                      for c in completions]}


def _too_large(request, specs) -> bool:
    return (request.content_length or 0) > forms.max_body_size(request, specs)


@view_config(context=Dossier, name="vervollediging", permission=Permission.ACT,
             request_method="POST")
def answer(context, request):
    """The citizen sends the completion: stored and back to the handler, or the page again
    with the messages next to the fields and the typed answer kept."""
    completion = answerable(request, context)
    specs = requested_documents(context, completion)
    if _too_large(request, specs):
        raise CompletionRefused(_("The files are too large together: at most ${size} MB.",
                                  mapping={"size": forms.max_body_size(request, specs) // 2**20}))
    form = forms.answer_form(request, context, completion)
    try:
        appstruct = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        forms.forget_files(failure)
        request.environ[FAILED_FORM] = render_failure(request, failure)
        request.response.status = 400
        return render_to_response(citizen.TEMPLATE, citizen.citizen_page(request, context),
                                  request=request, response=request.response)
    answer_completion(request, context, appstruct["answer"], form.uploads,
                      appstruct["version"])
    request.session.flash(request.localizer.translate(
        _("Thank you. We received your completion; the case handler continues with your "
          "dossier.")))
    return HTTPFound(location=request.resource_path(context))

