"""The signing folder: what waits for the signatory, grouped per meeting; sign one, a
selection or a meeting's batch (on the platform's page, with the eID); decline with a reason;
preview a letter."""

from urllib.parse import urlsplit

from pyramid.httpexceptions import HTTPFound, HTTPNotFound, HTTPSeeOther
from pyramid.renderers import render_to_response
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import select

from loket.i18n import _
from loket.letters.models import Letter
from loket.plugins.kinds import NotConfigured
from loket.plugins.registry import Kind, implementation
from loket.security import Permission
from loket.signing import services
from loket.signing.resources import SigningFolder
from loket.web.headers import content_security_policy
from loket.web.inputs import parse_id

TEMPLATE = "loket:signing/templates/folder.jinja2"


def _page(request, error=None, status=200):
    waiting = services.folder(request.dbsession, request.user)
    response = render_to_response(TEMPLATE, {
        "groups": services.by_meeting(waiting), "error": error,
        "returned": request.GET.get("terug") == "1",
        # One path for every letter's preview link (a URL built per row was a tenth of it).
        "preview": request.resource_path(request.context, "voorbeeld"),
    }, request=request)
    response.status = status
    response.cache_control = "no-store"
    _allow_platform(request, response)
    return response


def _allow_platform(request, response) -> None:
    """The folder's forms end on the platform's signing page (a redirect after the POST):
    its origin joins ``form-action``, which browsers apply to redirects too."""
    try:
        platform = implementation(request.registry, Kind.SIGNING)
    except NotConfigured:
        return
    page = urlsplit(platform.signing_page("", [], ""))
    policy = content_security_policy(request.csp_nonce)
    response.headers["Content-Security-Policy"] = policy.replace(
        "form-action 'self'", f"form-action 'self' {page.scheme}://{page.netloc}")


@view_config(context=SigningFolder, permission=Permission.SIGN, request_method="GET")
def folder(context, request):
    return _page(request)


def _letters(request, ids) -> list[Letter]:
    numbers = {parse_id(value) for value in ids} - {None}
    if not numbers:
        return []
    return list(request.dbsession.scalars(select(Letter).where(Letter.id.in_(numbers))
                                          .options(*services.LETTER_LOADS)
                                          .order_by(Letter.id)))


@view_config(context=SigningFolder, name="tekenen", permission=Permission.SIGN,
             request_method="POST")
def sign(context, request):
    """Check the chosen letters (or a meeting's letters whose turn it is), then hand the
    signatory to the platform's page, which comes back here."""
    meeting = parse_id(request.POST.get("meeting", ""))
    if meeting is not None:
        letters = [w.letter for w in services.folder(request.dbsession, request.user)
                   if w.turn and w.meeting is not None and w.meeting.id == meeting]
    else:
        letters = _letters(request, request.POST.getall("letter"))
    try:
        platform = implementation(request.registry, Kind.SIGNING)
        packages = services.request_signatures(request.dbsession, request.user, letters)
    except NotConfigured:
        return _page(request, _("No signing platform is configured."), 503)
    except services.SigningError as refused:
        return _page(request, refused.message, 400)
    back = request.resource_url(context, query={"terug": "1"})
    return HTTPSeeOther(location=platform.signing_page(request.user.email or "", packages,
                                                       back))


@view_config(context=SigningFolder, name="weigeren", permission=Permission.SIGN,
             request_method="POST")
def decline(context, request):
    letters = _letters(request, [request.POST.get("letter", "")])
    if not letters:
        return _page(request, _("Choose the letter you decline to sign."), 400)
    try:
        services.decline(request.dbsession, request.registry, request.user, letters[0],
                         request.POST.get("reason", ""))
    except services.SigningError as refused:
        return _page(request, refused.message, 400)
    request.session.flash(request.localizer.translate(_(
        "You declined to sign the letter; it went back to the secretariat.")))
    return HTTPFound(location=request.resource_path(context))


@view_config(context=SigningFolder, name="voorbeeld", permission=Permission.SIGN,
             request_method="GET")
def preview(context, request):
    """The letter's current PDF, for its own signatories only (others: 404)."""
    letters = _letters(request, [request.GET.get("brief", "")])
    letter = letters[0] if letters else None
    if letter is None or letter.document is None or request.user.id not in {
            s.user_id for s in letter.signatories}:
        raise HTTPNotFound()
    current = letter.document.current
    data = request.registry["loket.blobstore"].get(current.sha256)
    response = Response(body=data, content_type="application/pdf")
    response.content_disposition = f'inline; filename="{current.filename}"'
    response.cache_control = "no-store"
    return response
