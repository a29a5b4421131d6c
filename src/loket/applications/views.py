"""The citizen's application pages.

``/catalogus/<code>/aanvragen`` starts (or resumes) the draft; then, under the draft:
``/dossiers/<ref>/aanvraag?stap=N`` (the form's steps), ``…/bijlagen`` (documents),
``…/controleren`` (summary and submission) and ``…/ontvangen`` (confirmation). The pages of
a draft answer only while it is a draft the user may edit; afterwards they lead to the dossier
page (or, for the submission, to the confirmation: a doubled submission is no error). Reading
needs ``view``, saving ``edit``, submitting ``act`` (which the applicant keeps after
submission, so a replayed submission still finds its confirmation).
"""

import deform
from pyramid.httpexceptions import HTTPFound
from pyramid.view import view_config

from loket.applications import services
from loket.applications.authentication import step_up_response
from loket.applications.presentation import step_links, summary_sections
from loket.applications.uploads import read_upload
from loket.catalogue import services as catalogue
from loket.catalogue.definition import text
from loket.catalogue.formbuilder import build_form, locale_of, steps
from loket.catalogue.models import DossierType
from loket.documents.files import FileRejected
from loket.dossiers.drafts import draft_days, kept_until
from loket.dossiers.models import Dossier
from loket.i18n import _, format_date
from loket.security import Permission
from loket.web import flash
from loket.web.contact import notification_address, use_for_notifications
from loket.web.forms import render_failure, render_form
from loket.web.views import error_response, not_found
from loket.workflow.engine import TransitionConflict, TransitionRefused

TEMPLATES = "loket:applications/templates/"
SAVE, NEXT = "bewaren", "volgende"


def _draft_or_redirect(request, dossier):
    """None when the user may edit this draft now, else where to go instead."""
    if services.is_draft(dossier) and request.has_permission(Permission.EDIT, dossier):
        return step_up_response(request, dossier.type_version.definition, request.path_qs)
    if dossier.submitted is not None and dossier.applicant_id == request.user.id:
        return HTTPFound(location=request.resource_path(dossier, "ontvangen"))
    return HTTPFound(location=request.resource_path(dossier))


def _page(request, dossier, current) -> dict:
    return {"dossier": dossier, "title": dossier.title, "current": current,
            "links": step_links(request, dossier, current),
            "kept_until": kept_until(request, dossier),
            "prefill_status": (dossier.prefill or {}).get("status"),
            "has_documents": bool(services.document_types(dossier))}


# ---------------------------------------------------------------------------------------------
# Start


@view_config(context=DossierType, name="aanvragen", permission=Permission.APPLY,
             request_method=("GET", "POST"), renderer=TEMPLATES + "start.jinja2")
def start(context, request):
    version = catalogue.current_version(context)
    if version is None:
        return not_found(request)
    step_up = step_up_response(request, version.definition, request.path_qs)
    if step_up is not None:
        return step_up
    if request.method == "GET":
        draft = services.find_draft(request.dbsession, context, request.user)
        if draft is not None:
            return HTTPFound(location=request.resource_path(draft, "aanvraag"))
        definition = version.definition
        return {"dossier_type": context, "title": text(definition.get("title"),
                                                       locale_of(request)),
                "documents": definition.get("documents") or [], "locale": locale_of(request),
                "days": draft_days(request.registry.settings)}
    try:
        dossier = services.start(request, context, request.user)
    except services.NotAvailable:
        return error_response(request, 409, _("You cannot apply for this yet"), _(
            "Online applications for this are not open yet. Contact the municipality."))
    return HTTPFound(location=request.resource_path(dossier, "aanvraag", query={"stap": 1}))


# ---------------------------------------------------------------------------------------------
# The form's steps


def step_index(request, definition) -> int:
    try:
        index = int(request.GET.get("stap", "1")) - 1
    except ValueError:
        index = 0
    return min(max(index, 0), max(len(steps(definition)) - 1, 0))


def _after_step(request, dossier, index):
    if SAVE in request.POST:
        flash(request, _("Your application was saved. You can continue until ${date}.",
                         mapping={"date": format_date(kept_until(request, dossier),
                                                   request.locale_name)}))
        return request.resource_path(dossier)
    if index + 1 < len(steps(dossier.type_version.definition)):
        return request.resource_path(dossier, "aanvraag", query={"stap": index + 2})
    if services.document_types(dossier):
        return request.resource_path(dossier, "bijlagen")
    return request.resource_path(dossier, "controleren")


@view_config(context=Dossier, name="aanvraag", permission=Permission.VIEW,
             request_method="GET", renderer=TEMPLATES + "step.jinja2")
@view_config(context=Dossier, name="aanvraag", permission=Permission.EDIT,
             request_method="POST", renderer=TEMPLATES + "step.jinja2")
def step(context, request):
    elsewhere = _draft_or_redirect(request, context)
    if elsewhere is not None:
        return elsewhere
    definition = context.type_version.definition
    if not steps(definition):
        return HTTPFound(location=request.resource_path(context, "bijlagen"))
    index = step_index(request, definition)
    schema = services.step_schema(request, context, index)
    form = build_form(schema, formid="aanvraag", request=request,
                      action=request.resource_path(context, "aanvraag",
                                                   query={"stap": index + 1}),
                      buttons=(deform.Button(NEXT, _("Next")),
                               deform.Button(SAVE, _("Save and continue later"),
                                             css_class="btn-secondary")))
    page = {**_page(request, context, index), "index": index,
            "prefilled": set((context.prefill or {}).get("fields") or ()) & set(
                f["name"] for f in steps(definition)[index].get("fields") or [])}
    if request.method == "GET":
        form.cstruct = services.step_cstruct(context, index)
        return {**page, "form": render_form(request, form)}
    try:
        appstruct = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        request.response.status = 400
        return {**page, "form": render_failure(request, failure), "invalid": True}
    services.save_step(request, context, index, appstruct)
    return HTTPFound(location=_after_step(request, context, index))


# ---------------------------------------------------------------------------------------------
# Documents


@view_config(context=Dossier, name="bijlagen", permission=Permission.VIEW,
             request_method="GET", renderer=TEMPLATES + "documents.jinja2")
@view_config(context=Dossier, name="bijlagen", permission=Permission.EDIT,
             request_method="POST", renderer=TEMPLATES + "documents.jinja2")
def attachments(context, request):
    elsewhere = _draft_or_redirect(request, context)
    if elsewhere is not None:
        return elsewhere
    specs = {d["code"]: d for d in services.document_types(context)}
    errors = {}
    if request.method == "POST":
        present = services.attachments(context)
        code = request.POST.get("code", "")
        if code not in specs:
            return not_found(request)
        if "verwijderen" in request.POST:
            if code in present:
                services.remove_attachment(request, context, present[code])
                flash(request, _("The document was removed."))
            return HTTPFound(location=request.resource_path(context, "bijlagen"))
        try:
            checked = read_upload(request, specs[code])
        except FileRejected as rejected:
            request.response.status = 400
            errors[code] = rejected.message
        else:
            services.add_attachment(request, context, code, checked)
            flash(request, _("The document was added."))
            return HTTPFound(location=request.resource_path(context, "bijlagen"))
    present = services.attachments(context)
    return {**_page(request, context, "bijlagen"), "specs": list(specs.values()),
            "present": present, "errors": errors, "locale": locale_of(request)}


# ---------------------------------------------------------------------------------------------
# Summary and submission


@view_config(context=Dossier, name="controleren", permission=Permission.VIEW,
             request_method="GET", renderer=TEMPLATES + "summary.jinja2")
@view_config(context=Dossier, name="controleren", permission=Permission.ACT,
             request_method="POST", renderer=TEMPLATES + "summary.jinja2")
def summary(context, request):
    if request.method == "POST" and context.submitted is not None:
        return HTTPFound(location=request.resource_path(context, "ontvangen"))
    elsewhere = _draft_or_redirect(request, context)
    if elsewhere is not None:
        return elsewhere
    refusal = None
    if request.method == "POST":
        try:
            expected = int(request.POST.get("versie", ""))
        except ValueError:
            expected = -1
        try:
            services.submit(request, context, request.user, expected)
        except TransitionConflict:
            # A second press of the button (or another tab) got there first, or the draft
            # changed: nothing of this request is kept; the next page tells which.
            request.tm.doom()
            return HTTPFound(location=request.resource_path(context, "controleren"))
        except TransitionRefused as refused:
            request.response.status = 400
            refusal = refused.message
        else:
            return HTTPFound(location=request.resource_path(context, "ontvangen"))
    return {**_page(request, context, "controleren"),
            "sections": summary_sections(request, context),
            "problems": services.problems(context, request), "refusal": refusal,
            **_notifications(request, context)}


def _notifications(request, dossier) -> dict:
    """Where notifications go, and whether the typed address differs from it."""
    address = notification_address(request, request.user)
    if address is None:
        return {"notify": None}
    typed = services.typed_email(dossier)
    return {"notify": address,
            "other_email": typed if typed and typed.lower() != (address.email or "").lower()
            else None}


@view_config(context=Dossier, name="meldingsadres", permission=Permission.EDIT,
             request_method="POST")
def notification_email(context, request):
    """The summary's question answered yes: notifications go to the application's address.
    The address is the draft's own answer, never a value of this request."""
    elsewhere = _draft_or_redirect(request, context)
    if elsewhere is not None:
        return elsewhere
    typed = services.typed_email(context)
    if typed and use_for_notifications(request, request.user, typed):
        flash(request, _("From now on we send e-mails about your dossiers to this address."))
    return HTTPFound(location=request.resource_path(context, "controleren"))


@view_config(context=Dossier, name="ontvangen", permission=Permission.VIEW,
             request_method="GET", renderer=TEMPLATES + "confirmation.jinja2")
def confirmation(context, request):
    if context.submitted is None or context.applicant_id != request.user.id:
        return HTTPFound(location=request.resource_path(context))
    return {"dossier": context, "receipt": services.receipt_of(context),
            "days": _first_deadline_days(context)}


def _first_deadline_days(dossier):
    """The days within which the first legal deadline after submission runs, if any."""
    for deadline in dossier.type_version.definition.get("deadlines") or []:
        if deadline.get("start_state") == dossier.state:
            return deadline.get("days")
    return None
