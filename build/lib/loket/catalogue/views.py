"""Catalogue pages: the public catalogue and type pages, and the functional administrator's
pages (list, new type, import, version, new concept, preview, publish,
export). The editor of a concept is in :mod:`loket.catalogue.editor`."""

from datetime import date, timedelta

import deform
from pyramid.httpexceptions import HTTPFound
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import select

from loket.catalogue import services
from loket.catalogue.definition import DefinitionError, text, validate_definition
from loket.catalogue.formbuilder import (
    build_form,
    build_step_schema,
    locale_of,
    merge_prefill,
    prefill_values,
    steps,
)
from loket.catalogue.forms import (
    ConfirmSchema,
    ImportSchema,
    NewTypeSchema,
    PublishSchema,
    admin_form,
)
from loket.catalogue.models import CONCEPT, DossierType, DossierTypeVersion
from loket.catalogue.presentation import describe_amount
from loket.catalogue.resources import CatalogueContainer
from loket.i18n import _
from loket.identity.models import Team
from loket.security import PUBLIC, Permission
from loket.web import flash
from loket.web.forms import render_failure, render_form
from loket.web.views import error_response, not_found
from loket.workflow.definition import workflows

TEMPLATES = "loket:catalogue/templates/"
# Shown read-only in the administrator's preview, so the prefill can be seen at work.
SAMPLE_PERSON = {
    "given_name": "Jan", "family_name": "Peeters", "birth_date": date(1985, 3, 14),
    "address": {"street": "Kerkstraat", "number": "12", "box": "", "postcode": "2400",
                "municipality": "Heidebeek"},
    "household": [
        {"given_name": "An", "family_name": "Peeters", "birth_date": date(1987, 6, 2)},
        {"given_name": "Lien", "family_name": "Peeters", "birth_date": date(2015, 9, 21)},
    ],
}


def may_manage(request, context) -> bool:
    return bool(request.has_permission(Permission.MANAGE_CATALOGUE, context))


def card(request, dossier_type, version) -> dict:
    """What the catalogue shows of a type: the texts of the version in force."""
    locale = locale_of(request)
    d = version.definition
    return {
        "type": dossier_type, "version": version,
        "title": text(d.get("title"), locale), "summary": text(d.get("summary"), locale),
        "who_can_apply": text(d.get("who_can_apply"), locale),
        "what_to_bring": text(d.get("what_to_bring"), locale),
        "amount": describe_amount(d, request.localizer, locale),
        "direction": (d.get("amount") or {}).get("direction"),
    }


# ---------------------------------------------------------------------------------------------
# Public


@view_config(context=CatalogueContainer, permission=PUBLIC, request_method="GET",
             renderer=TEMPLATES + "catalogue.jinja2")
def catalogue(context, request):
    return {"cards": [card(request, context.adopt(t), v) for t, v in
                      services.types_in_force(request.dbsession)],
            "may_manage": may_manage(request, context)}


@view_config(context=DossierType, permission=PUBLIC, request_method="GET",
             renderer=TEMPLATES + "type.jinja2")
def type_page(context, request):
    version = services.current_version(context)
    manager = may_manage(request, context)
    if version is None and not manager:
        return not_found(request)
    locale = locale_of(request)
    details = card(request, context, version) if version else None
    if version:
        details["documents"] = version.definition.get("documents") or []
        details["deadlines"] = version.definition.get("deadlines") or []
        details["body"] = (version.definition.get("decision") or {}).get("body")
    return {"dossier_type": context, "details": details, "may_manage": manager,
            "locale": locale}


# ---------------------------------------------------------------------------------------------
# The administrator's preview of the citizen's form: one step at a time, checked on POST,
# nothing stored. (The citizen's own application is loket.applications.)


def _step_index(request, definition) -> int:
    try:
        index = int(request.GET.get("stap", "1")) - 1
    except ValueError:
        index = 0
    return min(max(index, 0), max(len(steps(definition)) - 1, 0))


def _form_page(context, request, version, person):
    definition = version.definition
    index = _step_index(request, definition)
    prefill = prefill_values(definition, person)
    schema = build_step_schema(definition, index, request, prefill)
    action = request.path_url + f"?stap={index + 1}"
    form = build_form(schema, formid="aanvraag", action=action, request=request,
                      buttons=(deform.Button("controleren", _("Check this step")),))
    page = {"context": context, "version": version, "index": index,
            "steps": [text(s.get("title"), locale_of(request)) for s in steps(definition)],
            "documents": definition.get("documents") or [], "locale": locale_of(request),
            "title": text(definition.get("title"), locale_of(request)), "checked": False}
    if request.method == "GET":
        return {**page, "form": render_form(request, form, appstruct=prefill)}
    try:
        appstruct = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        request.response.status = 400
        return {**page, "form": render_failure(request, failure)}
    data = merge_prefill(definition, appstruct, prefill, step=index)
    return {**page, "checked": True, "form": render_form(request, form, appstruct=data)}


@view_config(context=DossierTypeVersion, name="voorbeeld",
             permission=Permission.MANAGE_CATALOGUE, request_method=("GET", "POST"),
             renderer=TEMPLATES + "form.jinja2")
def preview(context, request):
    return _form_page(context, request, context, SAMPLE_PERSON)


# ---------------------------------------------------------------------------------------------
# Administration


@view_config(context=CatalogueContainer, name="beheer", permission=Permission.MANAGE_CATALOGUE,
             request_method="GET", renderer=TEMPLATES + "manage.jinja2")
def manage(context, request):
    today = date.today()
    return {"types": [context.adopt(t) for t in services.all_types(request.dbsession)],
            "today": today,
            "locale": locale_of(request)}


def _teams(request):
    return [(t.code, t.name) for t in request.dbsession.scalars(select(Team).order_by(Team.name))]


@view_config(context=CatalogueContainer, name="nieuw", permission=Permission.MANAGE_CATALOGUE,
             request_method=("GET", "POST"), renderer=TEMPLATES + "new_type.jinja2")
def new_type(context, request):
    form = admin_form(NewTypeSchema(), request, "nieuw-type",
                      (deform.Button("aanmaken", _("Create the type")),),
                      workflows=sorted(workflows()), teams=_teams(request))
    if request.method == "GET":
        return {"form": render_form(request, form)}
    try:
        appstruct = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        request.response.status = 400
        return {"form": render_failure(request, failure)}
    try:
        dossier_type = services.create_type(request, appstruct["code"], appstruct["title"],
                                            appstruct["workflow"], appstruct["team"])
    except DefinitionError as error:
        request.response.status = 400
        return {"form": render_form(request, form, appstruct=appstruct),
                "problems": error.problems}
    context.adopt(dossier_type)
    flash(request, _("The dossier type was created with a first concept version."))
    return HTTPFound(location=request.resource_path(dossier_type.versions[0], "bewerken"))


@view_config(context=CatalogueContainer, name="importeren",
             permission=Permission.MANAGE_CATALOGUE, request_method=("GET", "POST"),
             renderer=TEMPLATES + "import.jinja2")
def import_type(context, request):
    form = admin_form(ImportSchema(), request, "importeren",
                      (deform.Button("importeren", _("Import")),))
    if request.method == "GET":
        return {"form": render_form(request, form)}
    try:
        appstruct = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        request.response.status = 400
        return {"form": render_failure(request, failure)}
    if appstruct.get("file"):
        with appstruct["file"]["fp"] as fp:
            raw = fp.read(services.transfer.MAX_BYTES + 1)
        content = raw.decode("utf-8", "replace")
    else:
        content = appstruct["text"]
    try:
        dossier_type = services.import_yaml(request, content)
    except DefinitionError as error:
        request.response.status = 400
        return {"form": render_form(request, form, appstruct={"text": appstruct["text"]}),
                "problems": error.problems}
    context.adopt(dossier_type)
    flash(request, _("The dossier type ${code} was imported.",
                     mapping={"code": dossier_type.code}))
    return HTTPFound(location=request.resource_path(dossier_type))


@view_config(context=DossierTypeVersion, permission=Permission.MANAGE_CATALOGUE,
             request_method="GET", renderer=TEMPLATES + "version.jinja2")
def version_page(context, request):
    return {"version": context, "dossier_type": context.dossier_type,
            "d": context.definition, "locale": locale_of(request),
            "problems": validate_definition(context.definition),
            "amount": describe_amount(context.definition, request.localizer,
                                      locale_of(request))}


@view_config(context=DossierType, name="nieuwe-versie", permission=Permission.MANAGE_CATALOGUE,
             request_method=("GET", "POST"), renderer=TEMPLATES + "new_version.jinja2")
def new_version(context, request):
    form = admin_form(ConfirmSchema(), request, "nieuwe-versie",
                      (deform.Button("aanmaken", _("Create a new concept")),))
    page = {"dossier_type": context, "source": services.current_version(context)
            or services.latest_published(context)}
    if context.concept is not None:
        request.response.status = 409
        return {**page, "problems": [_("Version ${number} is already a concept: edit or "
                                       "publish it first.",
                                       mapping={"number": context.concept.number})]}
    if request.method == "GET":
        return {**page, "form": render_form(request, form)}
    try:
        form.validate(request.POST.items())
        concept = services.new_concept(request, context)
    except deform.ValidationFailure as failure:
        request.response.status = 400
        return {**page, "form": render_failure(request, failure)}
    except DefinitionError as error:
        request.response.status = 409
        return {**page, "form": render_form(request, form), "problems": error.problems}
    flash(request, _("Version ${number} was created as a concept.",
                     mapping={"number": concept.number}))
    return HTTPFound(location=request.resource_path(concept, "bewerken"))


def read_only(request, version):
    return error_response(request, 409, _("This version is published"), _(
        "A published version never changes. Create a new concept version to make changes."))


@view_config(context=DossierTypeVersion, name="publiceren",
             permission=Permission.MANAGE_CATALOGUE, request_method=("GET", "POST"),
             renderer=TEMPLATES + "publish.jinja2")
def publish(context, request):
    if context.status != CONCEPT:
        return read_only(request, context)
    form = admin_form(PublishSchema(), request, "publiceren",
                      (deform.Button("publiceren", _("Publish")),))
    in_force = services.current_version(context.dossier_type)
    default = date.today() + timedelta(days=1) if in_force else date.today()
    page = {"version": context, "dossier_type": context.dossier_type, "in_force": in_force}
    if request.method == "GET":
        return {**page, "form": render_form(request, form, appstruct={"valid_from": default})}
    try:
        appstruct = form.validate(request.POST.items())
        services.publish(request, context, appstruct["valid_from"])
    except deform.ValidationFailure as failure:
        request.response.status = 400
        return {**page, "form": render_failure(request, failure)}
    except DefinitionError as error:
        request.response.status = 400
        return {**page, "form": render_form(request, form, appstruct=appstruct),
                "problems": error.problems}
    flash(request, _("Version ${number} is published.", mapping={"number": context.number}))
    return HTTPFound(location=request.resource_path(context))


def _yaml_attachment(body: str, filename: str) -> Response:
    response = Response(body=body.encode("utf-8"), content_type="application/yaml",
                        charset="utf-8")
    response.content_disposition = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@view_config(context=DossierType, name="exporteren", permission=Permission.MANAGE_CATALOGUE,
             request_method="GET")
def export_type(context, request):
    return _yaml_attachment(services.export_yaml(context), f"{context.code}.yaml")


@view_config(context=DossierTypeVersion, name="exporteren",
             permission=Permission.MANAGE_CATALOGUE, request_method="GET")
def export_version(context, request):
    code = context.dossier_type.code
    return _yaml_attachment(services.export_yaml(context.dossier_type, {context.number}),
                            f"{code}-{context.number}.yaml")
