"""Document pages: upload, details with versions, download as an attachment, and the staff's
in-browser preview."""

import deform
from pyramid.httpexceptions import HTTPFound, HTTPNotFound
from pyramid.response import Response
from pyramid.view import view_config

from loket.documents import services
from loket.documents.files import FileRejected, check_upload
from loket.documents.forms import upload_form
from loket.documents.models import Document
from loket.documents.resources import DossierDocuments
from loket.i18n import _
from loket.security import Permission
from loket.web.forms import render_failure, render_form
from loket.web.views import not_found

# Multipart overhead allowed on top of the file itself before we refuse to read the body.
_FORM_OVERHEAD = 64 * 1024


def _max_size(request) -> int:
    return int(request.registry.settings.get("loket.upload.max_size", 10 * 1024 * 1024))


def _handle_upload(request, context, with_title, store):
    """GET shows the form; POST validates the file by content and stores it via ``store``."""
    form = upload_form(request, with_title=with_title)
    page = {"context": context, "with_title": with_title}
    if request.method == "GET":
        return {**page, "form": render_form(request, form)}
    if (request.content_length or 0) > _max_size(request) + _FORM_OVERHEAD:
        request.response.status = 413
        return {**page, "form": render_form(request, form),
                "error": _("The file is too large: at most ${size} MB.",
                           mapping={"size": _max_size(request) // (1024 * 1024)})}
    try:
        appstruct = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        request.response.status = 400
        return {**page, "form": render_failure(request, failure)}
    upload = appstruct["file"]
    with upload["fp"] as fp:  # WebOb's spooled temporary file
        data = fp.read()
    try:
        checked = check_upload(data, upload.get("filename") or "", max_size=_max_size(request))
    except FileRejected as rejected:
        request.response.status = 400
        return {**page, "form": render_form(request, form, appstruct={
            k: v for k, v in appstruct.items() if k != "file"}), "error": rejected.message}
    target = store(checked, appstruct)
    request.session.flash(request.localizer.translate(_("The document was added.")))
    return HTTPFound(location=request.resource_path(target))


@view_config(context=DossierDocuments, name="toevoegen", permission=Permission.ADD_DOCUMENT,
             renderer="loket:documents/templates/upload.jinja2", request_method=("GET", "POST"))
def add_document(context, request):
    def store(checked, appstruct):
        services.add_document(request, context.dossier, checked, title=appstruct["title"])
        return context.dossier

    return _handle_upload(request, context, True, store)


@view_config(context=Document, name="nieuwe-versie", permission=Permission.ADD_DOCUMENT,
             renderer="loket:documents/templates/upload.jinja2", request_method=("GET", "POST"))
def add_version(context, request):
    def store(checked, appstruct):
        services.add_version(request, context, checked)
        return context

    return _handle_upload(request, context, False, store)


@view_config(context=Document, permission=Permission.VIEW, request_method="GET",
             renderer="loket:documents/templates/document.jinja2")
def document_page(context, request):
    return {"document": context,
            "may_add_version": request.has_permission(Permission.ADD_DOCUMENT, context)}


@view_config(context=Document, name="download", permission=Permission.VIEW,
             request_method="GET")
def download(context, request):
    return attachment_response(request, _requested_version(request, context))


# What a preview may do: show the file (the browser's own PDF viewer or image view) inside a
# page of this site, and nothing else: no script, no form, no request elsewhere. The sandbox
# gives the file an opaque origin, so even a PDF that carries JavaScript reaches nothing.
PREVIEW_POLICY = "; ".join([
    "default-src 'none'",
    "img-src 'self'",
    "object-src 'self'",
    "frame-ancestors 'self'",  # only our own dossier page may embed it
    "sandbox",
])


@view_config(context=Document, name="bekijken", permission=Permission.VIEW,
             request_method="GET")
def preview(context, request):
    """The file shown in the browser rather than downloaded: staff only (a citizen downloads
    their own files; a preview is a tool for reviewing them)."""
    if not request.user.is_staff:
        return not_found(request)
    version = _requested_version(request, context)
    response = attachment_response(request, version)
    response.content_disposition = f'inline; filename="{version.filename}"'
    response.headers["Content-Security-Policy"] = PREVIEW_POLICY
    return response


def _requested_version(request, document):
    number = request.GET.get("versie")
    if number is None:
        return document.current
    matches = [v for v in document.versions if str(v.version) == number]
    if not matches:
        raise HTTPNotFound()
    return matches[0]


def attachment_response(request, version) -> Response:
    """The stored bytes, always as an attachment with the safe name given at upload."""
    data = services.blobstore(request).get(version.sha256)
    response = Response(body=data, content_type=version.media_type)
    response.content_disposition = f'attachment; filename="{version.filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
