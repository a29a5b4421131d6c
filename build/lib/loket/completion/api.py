"""Completion as JSON, for integrators acting for the logged-in citizen (openapi.yaml here).

``GET /api/v1/dossiers/<ref>/vervollediging``: the open request; ``POST`` (multipart): the
answer, one file part per requested document type named by its code.
"""

from pyramid.view import view_config

from loket.api.openapi import API_ROUTE, Problem, bad_request_response
from loket.api.views import iso, link
from loket.completion import forms
from loket.completion.services import (
    Upload,
    answer_completion,
    answer_problems,
    answerable,
    open_request,
    requested_documents,
)
from loket.documents.files import FileRejected
from loket.dossiers.models import Dossier
from loket.i18n import _
from loket.security import Permission
from loket.web.views import error_response
from loket.workflow.presentation import localized

NAME = "vervollediging"
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def _links(request, dossier) -> dict:
    return {"self": link(request, "dossiers", dossier.reference, NAME),
            "dossier": link(request, "dossiers", dossier.reference)}


def _no_request(request):
    return error_response(request, 404, _("Not found"),
                          _("No information or documents are asked for this dossier."))


@view_config(route_name=API_ROUTE, context=Dossier, name=NAME, permission=Permission.VIEW,
             request_method="GET", renderer="json")
def open_completion(context, request):
    completion = open_request(request.dbsession, context)
    if completion is None:
        return _no_request(request)
    locale = request.locale_name
    return {
        "reference": context.reference,
        "version": context.version,
        "question": completion.question,
        "requested": iso(completion.requested),
        "due": completion.due.isoformat() if completion.due else None,
        "documents": [
            {"code": spec.code, "title": localized(spec.title, locale) or spec.code,
             "help": localized(spec.help, locale) or None,
             "media_types": list(spec.media_types),
             "max_size": forms.max_upload_size(request, spec)}
            for spec in requested_documents(context, completion)
        ],
        "links": _links(request, context),
    }


def _problem(name: str, message) -> Problem:
    return Problem(location="body", name=name, message=message)


def _read_body(request, completion, specs):
    """``(version, answer, uploads, problems)`` from the multipart body."""
    translate = request.localizer.translate
    problems = []
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
        problems.append(_problem("version", "is required: the dossier's version, an integer"))
    answer = (request.POST.get("answer") or "").strip()
    by_code = {spec.code: spec for spec in specs}
    uploads = []
    for name, value in request.POST.items():
        if name in ("version", "answer"):
            continue
        spec = by_code.get(name)
        if spec is None:
            problems.append(_problem(name, "is not a requested document type"))
            continue
        if not hasattr(value, "file"):
            problems.append(_problem(name, "must be a file part"))
            continue
        try:
            uploads.append(Upload(spec.code, forms.check_file(
                request, spec, value.file.read(), value.filename)))
        except FileRejected as rejected:
            problems.append(_problem(name, translate(rejected.message)))
    if not problems:
        problems = [_problem(code, translate(message)) for code, message
                    in answer_problems(completion, answer, uploads).items()]
    return version, answer, uploads, problems


@view_config(route_name=API_ROUTE, context=Dossier, name=NAME, permission=Permission.ACT,
             request_method="POST", renderer="json")
def answer(context, request):
    completion = answerable(request, context)
    specs = requested_documents(context, completion)
    if request.content_type not in FORM_TYPES:
        return bad_request_response(request, [Problem(
            location="header", name="Content-Type", message="must be multipart/form-data")])
    if (request.content_length or 0) > forms.max_body_size(request, specs):
        return error_response(request, 413, _("Too large"), _(
            "The files are too large together: at most ${size} MB.",
            mapping={"size": forms.max_body_size(request, specs) // 2**20}))
    version, text, uploads, problems = _read_body(request, completion, specs)
    if problems:
        return bad_request_response(request, problems)
    completion, added = answer_completion(request, context, text, uploads, version)
    return {
        "reference": context.reference,
        "version": context.version,
        "state": context.state,
        "answered": iso(completion.answered),
        "documents": [link(request, "dossiers", context.reference, "documenten", d.number)
                      for d in added],
        "links": _links(request, context),
    }
