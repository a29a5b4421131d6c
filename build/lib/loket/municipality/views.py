"""The administrator's page for the municipality's identity, and the public logo."""

import deform
from pyramid.httpexceptions import HTTPFound, HTTPNotFound
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import inspect

from loket import audit
from loket.documents.files import FileRejected, check_upload
from loket.documents.services import blobstore
from loket.i18n import _
from loket.municipality.forms import MunicipalitySchema, normalise
from loket.resources import Administration, Root
from loket.security import PUBLIC, Permission
from loket.web.forms import render_failure, render_form

LOGO_TYPES = {"image/png": "png", "image/jpeg": "jpg"}
LOGO_MAX_SIZE = 1024 * 1024
FIELDS = [n for n in MunicipalitySchema().children if n.name not in ("csrf_token", "logo")]


@view_config(context=Administration, permission=Permission.MANAGE_SETTINGS,
             renderer="loket:municipality/templates/admin.jinja2", request_method="GET")
def administration(context, request):
    return {}


def _form(request):
    return deform.Form(MunicipalitySchema().bind(request=request), formid="gemeente",
                       buttons=(deform.Button("save", _("Save")),))


@view_config(context=Administration, name="gemeente", permission=Permission.MANAGE_SETTINGS,
             renderer="loket:municipality/templates/settings.jinja2",
             request_method=("GET", "POST"))
def edit_municipality(context, request):
    municipality = request.municipality
    form = _form(request)
    if request.method == "GET":
        current = {node.name: getattr(municipality, node.name) for node in FIELDS}
        return {"form": render_form(request, form, appstruct={
            k: v for k, v in current.items() if v is not None})}
    try:
        appstruct = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        request.response.status = 400
        return {"form": render_failure(request, failure)}
    logo = appstruct.pop("logo", None)
    if logo:
        with logo["fp"] as fp:
            data = fp.read()
        try:
            checked = check_upload(data, logo.get("filename") or "logo", LOGO_MAX_SIZE,
                                   LOGO_TYPES)
        except FileRejected as rejected:
            request.response.status = 400
            return {"form": render_form(request, form, appstruct=appstruct),
                    "error": rejected.message}
        municipality.logo_sha256 = blobstore(request).put(checked.data)
        municipality.logo_media_type = checked.media_type
    for key, value in normalise(appstruct).items():
        setattr(municipality, key, value)
    if inspect(municipality).transient:
        request.dbsession.add(municipality)
    request.dbsession.flush()
    audit.record(request, "municipality.changed", "municipality", municipality.id,
                 fields=sorted(appstruct))
    request.session.flash(request.localizer.translate(_("The municipality's details were saved.")))
    return HTTPFound(location=request.resource_path(context, "gemeente"))


@view_config(context=Root, name="logo", permission=PUBLIC, request_method="GET")
def logo(context, request):
    municipality = request.municipality
    if not municipality.logo_sha256:
        raise HTTPNotFound()
    response = Response(body=blobstore(request).get(municipality.logo_sha256),
                        content_type=municipality.logo_media_type)
    response.cache_control.max_age = 3600
    response.cache_control.public = True
    return response
