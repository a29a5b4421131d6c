"""Applications as JSON, for an integrator acting for a logged-in citizen (their ACM/IDM
access token with the scope ``loket.aanvragen``) or for the citizen's own session.

    POST /api/v1/catalogus/{code}/aanvragen        start (201 with Location) or resume (200)
    GET  /api/v1/dossiers/{reference}/aanvraag     the draft: form, answers, what is missing
    PUT  /api/v1/dossiers/{reference}/aanvraag     save answers (400 lists field → message)
    POST /api/v1/dossiers/{reference}/bijlagen/{code}  attach a document (multipart ``bestand``)
    POST /api/v1/dossiers/{reference}/indienen     submit; a second call answers the same

Everything goes through :mod:`loket.applications.services`, exactly as the pages do; the
status is the dossier's own JSON (``/dossiers/{reference}`` and ``…/workflow``). The catalogue
is ``/api/v1/catalogus`` (:mod:`loket.catalogue.api`).
"""

import colander
from pyramid.view import view_config

from loket.api.openapi import API_ROUTE, bad_request_response
from loket.api.views import link
from loket.applications import services
from loket.applications.authentication import accepted_means
from loket.applications.uploads import read_upload
from loket.catalogue.definition import text
from loket.catalogue.formbuilder import locale_of, steps
from loket.catalogue.models import DossierType
from loket.documents.files import FileRejected
from loket.dossiers.models import Dossier
from loket.i18n import _
from loket.identity.acr import acr_satisfied, means_needed
from loket.security import Permission
from loket.web.views import error_response, not_found
from loket.workflow.engine import TransitionRefused

SUMMARY_FIELDS = ("name", "type", "required", "readonly_when_prefilled")


def _conflict(request, message):
    return error_response(request, 409, _("Not possible now"), message)


def _form_summary(definition: dict, locale: str) -> dict:
    """The form as a client builds its screens from it (the full definition is at
    ``/catalogus/{code}``)."""
    def field(spec):
        out = {k: spec[k] for k in SUMMARY_FIELDS if k in spec}
        out["label"] = text(spec.get("label"), locale)
        if spec.get("choices"):
            out["choices"] = [{"value": c["value"], "label": text(c.get("label"), locale)}
                              for c in spec["choices"]]
        if spec.get("fields"):
            out["fields"] = [field(sub) for sub in spec["fields"]]
        return out

    return {
        "steps": [{"title": text(step.get("title"), locale),
                   "fields": [field(f) for f in step.get("fields") or ()]}
                  for step in steps(definition)],
        "documents": [{"code": d["code"], "title": text(d.get("title"), locale),
                       "required": bool(d.get("required")), "media_types": d["media_types"],
                       "max_size_mb": d["max_size_mb"]}
                      for d in definition.get("documents") or ()],
    }


def _missing(request, dossier) -> list[dict]:
    return [{"step": m.step + 1 if m.step is not None else None, "field": m.field,
             "document": m.document, "label": m.label, "message": m.message}
            for m in services.problems(dossier, request)]


def application_json(request, dossier) -> dict:
    locale = locale_of(request)
    reference = dossier.reference
    attached = services.attachments(dossier)
    receipt = services.receipt_of(dossier)
    return {
        "reference": reference,
        "type": dossier.type_version.dossier_type.code,
        "title": text(dossier.type_version.definition.get("title"), locale) or dossier.title,
        "state": dossier.state,
        "version": dossier.version,
        "submitted": dossier.submitted.isoformat() if dossier.submitted else None,
        "form": _form_summary(dossier.type_version.definition, locale),
        "answers": dossier.data or {},
        "prefilled": list((dossier.prefill or {}).get("fields") or ()),
        "prefill_status": (dossier.prefill or {}).get("status"),
        "attachments": [{"code": code, "number": d.number, "filename": d.current.filename}
                        for code, d in sorted(attached.items())],
        "missing": _missing(request, dossier) if services.is_draft(dossier) else [],
        "links": {
            "self": link(request, "dossiers", reference, "aanvraag"),
            "dossier": link(request, "dossiers", reference),
            "workflow": link(request, "dossiers", reference, "workflow"),
            "submit": link(request, "dossiers", reference, "indienen"),
            "receipt": link(request, "dossiers", reference, "documenten", receipt.number,
                            "inhoud") if receipt else None,
        },
    }


def _login_too_weak(request, definition):
    accepted = accepted_means(definition)
    if acr_satisfied(request, accepted):
        return None
    return error_response(request, 403, _("Another way of logging in is needed"),
                          _("For this you need to log in with ${needed}.",
                            mapping={"needed": means_needed(request, accepted)}))


@view_config(route_name=API_ROUTE, context=DossierType, name="aanvragen",
             permission=Permission.APPLY, request_method="POST", renderer="json")
def start(context, request):
    version = services.catalogue.current_version(context)
    if version is None:
        return not_found(request)
    refused = _login_too_weak(request, version.definition)
    if refused is not None:
        return refused
    existing = services.find_draft(request.dbsession, context, request.user)
    dossier = existing or services.start(request, context, request.user)
    body = application_json(request, dossier)
    request.response.status = 200 if existing else 201
    request.response.location = body["links"]["self"]
    request.response.cache_control = "no-store"
    return body


@view_config(route_name=API_ROUTE, context=Dossier, name="aanvraag", permission=Permission.VIEW,
             request_method="GET", renderer="json")
def application(context, request):
    request.response.cache_control = "no-store"
    return application_json(request, context)


@view_config(route_name=API_ROUTE, context=Dossier, name="aanvraag", permission=Permission.EDIT,
             request_method="PUT", renderer="json")
def save_answers(context, request):
    """Validate the given answers step by step, and store them only when all are valid."""
    if not services.is_draft(context):
        return _conflict(request, _("This application was already submitted."))
    try:
        answers = request.json_body.get("answers")
    except (ValueError, AttributeError):
        answers = None
    if not isinstance(answers, dict):
        return bad_request_response(request, [{"location": "body", "name": "answers",
                                               "message": request.localizer.translate(
                                                   _("Send the answers as a JSON object."))}])
    step_names = [[f["name"] for f in step.get("fields") or ()]
                  for step in steps(context.type_version.definition)]
    known = {name for names in step_names for name in names}
    problems = [{"location": "body", "name": f"answers.{name}",
                 "message": request.localizer.translate(_("This form has no such field."))}
                for name in sorted(set(answers) - known)]
    valid = {}
    for index, names in enumerate(step_names):
        if not set(names) & set(answers):
            continue
        cstruct = {**services.step_cstruct(context, index),
                   **{n: services.to_cstruct(answers[n]) for n in names if n in answers}}
        try:
            valid[index] = services.validate_step(request, context, index, cstruct)
        except colander.Invalid as invalid:
            problems += [{"location": "body", "name": f"answers.{path}", "message": message}
                         for path, message in invalid.asdict(
                             translate=request.localizer.translate).items()]
    if problems:
        return bad_request_response(request, problems)
    for index, appstruct in valid.items():
        services.save_step(request, context, index, appstruct)
    request.response.cache_control = "no-store"
    return application_json(request, context)


@view_config(route_name=API_ROUTE, context=Dossier, name="bijlagen",
             permission=Permission.ADD_DOCUMENT, request_method="POST", renderer="json")
def attach(context, request):
    """Attach the file ``bestand`` (multipart) for the document type in the path."""
    if not services.is_draft(context):
        return _conflict(request, _("This application was already submitted."))
    code = request.subpath[0] if len(request.subpath) == 1 else None
    spec = next((d for d in services.document_types(context) if d["code"] == code), None)
    if spec is None:
        return not_found(request)
    try:
        checked = read_upload(request, spec)
    except FileRejected as rejected:
        return bad_request_response(request, [{
            "location": "body", "name": "bestand",
            "message": request.localizer.translate(rejected.args[0])}])
    services.add_attachment(request, context, code, checked)
    request.response.status = 201
    request.response.cache_control = "no-store"
    return application_json(request, context)


@view_config(route_name=API_ROUTE, context=Dossier, name="indienen", permission=Permission.ACT,
             request_method="POST", renderer="json")
def submit(context, request):
    """Submit the draft. Idempotent: once submitted, every call answers the same."""
    expected = request.api_parameters.query.get("versie", context.version)
    try:
        services.submit(request, context, request.user, expected)
    except services.Incomplete as incomplete:
        return bad_request_response(request, [
            {"location": "body", "name": p.field or p.document or "", "message": p.message}
            for p in incomplete.problems])
    except TransitionRefused as refused:  # 403 (login too weak), 409 (changed meanwhile) …
        title = _("Not allowed") if refused.status == 403 else _("Not possible now")
        return error_response(request, refused.status if refused.status != 400 else 409,
                              title, refused.message)
    request.response.cache_control = "no-store"
    return application_json(request, context)
