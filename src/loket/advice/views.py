"""Advice pages: the request form, a request's page (answer, waive), the shared documents, the
internal advisers' worklist and the public page behind an e-mail link."""

import deform
from pyramid.httpexceptions import HTTPFound, HTTPNotFound
from pyramid.view import view_config

from loket.advice import services
from loket.advice.forms import OPINION_TITLES, answer_form, request_form, request_of, waive_form
from loket.advice.models import AdviceRequest
from loket.advice.panel import asked_of
from loket.advice.resources import DossierAdvice, SharedDocument, shared_documents, shared_fields
from loket.catalogue.answers import answer_rows
from loket.db import utcnow
from loket.documents.files import FileRejected, check_upload
from loket.documents.services import add_document
from loket.documents.views import attachment_response
from loket.i18n import _
from loket.resources import Root
from loket.security import PUBLIC, Permission, Role
from loket.web.forms import render_failure, render_form

TEMPLATES = "loket:advice/templates/"


def _path(request, resource, *elements) -> str:
    return request.resource_path(resource, *elements)


def _refused(request, refusal: services.AdviceRefused, page: dict) -> dict:
    request.response.status = refusal.status
    return {**page, "error": refusal.message}


# ---------------------------------------------------------------------------------------------
# The handler: request and waive


@view_config(context=DossierAdvice, permission=Permission.VIEW, request_method="GET")
def advice_list(context, request):
    """The requests are listed on the dossier page."""
    return HTTPFound(location=_path(request, context.dossier) + "#adviezen-titel")


@view_config(context=DossierAdvice, name="aanvragen", permission=Permission.EDIT,
             request_method=("GET", "POST"), renderer=TEMPLATES + "request.jinja2")
def request_page(context, request):
    dossier = context.dossier
    form = request_form(request, dossier, _path(request, context, "aanvragen"))
    page = {"dossier": dossier}
    if request.method != "POST":
        due = services.default_due(request.registry.settings, utcnow().date())
        return {**page, "form": render_form(request, form, appstruct={"due": due})}
    try:
        appstruct = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        request.response.status = 400
        return {**page, "form": render_failure(request, failure)}
    target, shared = request_of(request, appstruct)
    try:
        advice, _token = services.request_advice(request, dossier, target, appstruct["question"],
                                                 appstruct["due"], shared)
    except services.AdviceRefused as refusal:
        return _refused(request, refusal, {**page, "form": render_form(
            request, form, appstruct=appstruct)})
    request.session.flash(request.localizer.translate(_("The advice was requested.")))
    return HTTPFound(location=_path(request, advice))


@view_config(context=AdviceRequest, name="afzien", permission=Permission.EDIT,
             request_method="POST", renderer=TEMPLATES + "advice.jinja2")
def waive(context, request):
    form = waive_form(request, _path(request, context, "afzien"))
    try:
        appstruct = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        request.response.status = 400
        return advice_page(context, request, waive=render_failure(request, failure))
    try:
        services.waive(request.dbsession, context, appstruct["reason"], request.user.id)
    except services.AdviceRefused as refusal:
        request.response.status = refusal.status
        return advice_page(context, request, error=refusal.message)
    request.session.flash(request.localizer.translate(_("The advice was waived.")))
    return HTTPFound(location=_path(request, context.dossier))


# ---------------------------------------------------------------------------------------------
# A request's page: the handler's view, and the internal adviser's answer


def shared_view(request, advice, document_path) -> dict:
    # Labelled and formatted by the dossier's form, as the handler's page shows them.
    return {"fields": answer_rows(request, advice.dossier, shared_fields(advice)),
            "asked_of": asked_of(request, advice),
            "documents": [(d, document_path(d)) for d in shared_documents(advice)],
            "opinions": OPINION_TITLES, "today": utcnow().date()}


@view_config(context=AdviceRequest, permission=Permission.VIEW, request_method="GET",
             renderer=TEMPLATES + "advice.jinja2")
def advice_page(context, request, answer=None, waive=None, error=None):
    may_answer = context.is_open and request.has_permission(Permission.ADVISE, context)
    may_waive = context.is_open and request.has_permission(Permission.EDIT, context)
    if may_answer and answer is None:
        answer = render_form(request, answer_form(request, _path(request, context, "antwoorden")))
    if may_waive and waive is None:
        waive = render_form(request, waive_form(request, _path(request, context, "afzien")))
    return {
        "advice": context, "dossier": context.dossier,
        # Advisers never get a link to the dossier itself: they may not see it.
        "may_see_dossier": request.has_permission(Permission.VIEW, context.dossier),
        "answer_form": answer if may_answer else None, "waive_form": waive if may_waive else None,
        "error": error,
        **shared_view(request, context, lambda d: _path(request, context, "documenten",
                                                        d.number, "download")),
    }


def _answer_document(request, advice, upload):
    """The adviser's optional file, added to the dossier; ``(document id, error)``."""
    if not upload:
        return None, None
    with upload["fp"] as fp:
        data = fp.read()
    max_size = int(request.registry.settings.get("loket.upload.max_size", 10 * 1024 * 1024))
    try:
        checked = check_upload(data, upload.get("filename") or "", max_size=max_size)
    except FileRejected as rejected:
        return None, rejected.message
    title = request.localizer.translate(_("Advice ${number}", mapping={"number": advice.number}))
    document = add_document(request, advice.dossier, checked, title=title,
                            document_type="advies")
    return document.id, None


def record_answer(request, advice, form, via: str, actor_id):
    """Validate and record a posted answer; ``None`` when done, else the page's error parts."""
    if not advice.is_open:  # before reading a file: a second answer changes nothing
        request.response.status = 409
        return {"error": services.closed_message(advice)}
    try:
        appstruct = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        request.response.status = 400
        return {"answer": render_failure(request, failure)}
    try:
        services.check_answer(appstruct["opinion"], appstruct["text"])
        document_id, problem = _answer_document(request, advice, appstruct.get("file"))
        if problem:
            request.response.status = 400
            return {"error": problem}
        services.answer(request.dbsession, advice, appstruct["opinion"], appstruct["text"],
                        actor_id=actor_id, document_id=document_id, via=via)
    except services.AdviceRefused as refusal:
        request.response.status = refusal.status
        return {"error": refusal.message}
    return None


@view_config(context=AdviceRequest, name="antwoorden", permission=Permission.ADVISE,
             request_method="POST", renderer=TEMPLATES + "advice.jinja2")
def answer(context, request):
    form = answer_form(request, _path(request, context, "antwoorden"))
    problem = record_answer(request, context, form, "worklist", request.user.id)
    if problem is not None:
        return advice_page(context, request, **problem)
    request.session.flash(request.localizer.translate(_("Thank you: your advice was sent.")))
    return HTTPFound(location="/adviezen")


@view_config(context=SharedDocument, name="download", permission=Permission.VIEW,
             request_method="GET")
def shared_download(context, request):
    return attachment_response(request, context.document.current)


# ---------------------------------------------------------------------------------------------
# The internal advisers' worklist


@view_config(context=Root, name="adviezen", permission=Permission.WORK, request_method="GET",
             renderer=TEMPLATES + "worklist.jinja2")
def worklist(context, request):
    if request.subpath:
        raise HTTPNotFound()
    team_ids = sorted({a.team_id for a in request.user.roles
                       if a.role == Role.ADVISER and a.team_id is not None})
    return {"requests": services.open_for_teams(request.dbsession, team_ids),
            "is_adviser": bool(team_ids), "today": utcnow().date()}


# ---------------------------------------------------------------------------------------------
# The public page behind an e-mail link: the token is the only key


@view_config(context=Root, name="advies", permission=PUBLIC, request_method=("GET", "POST"),
             renderer=TEMPLATES + "public.jinja2")
def public_page(context, request):
    """``/advies/<token>`` (GET, POST) and ``/advies/<token>/documenten/<n>`` (a shared
    document). An unknown, used or expired link gets a 404 that says why it may fail."""
    parts = request.subpath
    advice = services.by_token(request.dbsession, request.registry.settings,
                               parts[0] if parts else "", utcnow().date())
    request.response.cache_control = "no-store"
    if advice is None or len(parts) not in (1, 3) or (len(parts) == 3 and (
            parts[1] != "documenten" or request.method != "GET")):
        request.response.status = 404
        return {"advice": None}
    base = f"/advies/{parts[0]}"
    if len(parts) == 3:
        for document in shared_documents(advice):
            if str(document.number) == parts[2]:
                return attachment_response(request, document.current)
        raise HTTPNotFound()
    form = answer_form(request, base, with_file=False)
    page = {"advice": advice, "dossier": advice.dossier, **shared_view(
        request, advice, lambda d: f"{base}/documenten/{d.number}")}
    if request.method != "POST":
        return {**page, "answer_form": render_form(request, form)}
    problem = record_answer(request, advice, form, "link", None)
    if problem is not None:
        return {**page, "answer_form": problem.get("answer") or render_form(request, form),
                "error": problem.get("error")}
    return {"advice": advice, "done": True}
