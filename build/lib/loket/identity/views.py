"""Login and logout views: ACM/IDM is the only way in (no passwords anywhere).

A refused login is answered with a normal response, never an exception, so the request's
transaction commits and the ``login_failed`` audit row is kept.
"""

import logging
import time

from pyramid.csrf import new_csrf_token
from pyramid.httpexceptions import HTTPFound
from pyramid.renderers import render_to_response
from pyramid.security import forget, remember
from pyramid.view import view_config

from loket import audit
from loket.i18n import _
from loket.identity import acr, oidc
from loket.identity.oidc import LoginError
from loket.identity.services import ClaimsRejected, sync_user
from loket.integrations.acmidm.personas import ROLE_CLAIM
from loket.resources import Root
from loket.security import PUBLIC
from loket.web.redirects import safe_local_path
from loket.web.start import landing_path as start_landing_path

log = logging.getLogger(__name__)

LOGIN_FAILED_TEMPLATE = "loket:identity/templates/login_failed.jinja2"
LOGGED_OUT_TEMPLATE = "loket:identity/templates/logged_out.jinja2"
TEXT_CLAIMS = ("sub", "given_name", "family_name", "email", "rrn")


def landing_path(request, user) -> str:
    """Each role starts at its own work (``config.add_start_page``), else the home page."""
    return start_landing_path(request)


@view_config(context=Root, name="aanmelden", permission=PUBLIC, request_method="GET")
def login(context, request):
    """Start the login at ACM/IDM; ``terug`` is where to go afterwards (local paths only),
    ``middel`` (repeated) the means accepted (a step up when the current login is weaker)."""
    target = safe_local_path(request.GET.get("terug"), default="")
    accepted = acr.known_urns(request.GET.getall(acr.MEANS_PARAM))
    if request.user is not None and acr.acr_satisfied(request, accepted):
        return HTTPFound(location=target or landing_path(request, request.user))
    try:
        url = oidc.begin(request, target, accepted)
    except LoginError as error:
        return login_failed(request, error)
    return HTTPFound(location=url)


@view_config(context=Root, name="aanmelden-terug", permission=PUBLIC, request_method="GET")
def login_callback(context, request):
    """ACM/IDM sends the browser back here with a code (or an error)."""
    try:
        # Network first (token endpoint, keys), database work after.
        claims, flow = oidc.finish(request)
        check_means(request, claims, flow)
        user = sync_user(request.dbsession, user_claims(claims),
                         request.registry.settings.get("loket.municipality.kbo", ""))
    except ClaimsRejected:
        return login_failed(request, LoginError(
            "claims_rejected",
            _("This login gives no access to this e-counter. Citizens need a login with their "
              "national register number; staff need a role for this municipality."),
            title=_("No access")))
    except LoginError as error:
        return login_failed(request, error)

    means = claims.get("acr") if isinstance(claims.get("acr"), str) else None
    auth_time = claims.get("auth_time")
    if not isinstance(auth_time, int | float) or isinstance(auth_time, bool):
        auth_time = time.time()
    remember(request, user.id, auth_time=int(auth_time), acr=means)  # a fresh session id
    # The CSRF token is made now, in a request that commits: one first made on an error page
    # (403, 404) would be rolled back with that request, and the logout button would fail.
    new_csrf_token(request)
    request.user = user  # the rest of this request (audit, headers) sees who logged in
    audit.record(request, "login", "user", user.id, acr=means, kind=user.kind)
    return HTTPFound(location=safe_local_path(flow["target"],
                                              default=landing_path(request, user)))


class MeansRefused(LoginError):
    """The login was made with a means the page asked not for (too weak for it)."""

    status = 403
    title = _("Another way of logging in is needed")

    def __init__(self, request, used: str | None, accepted: list[str], target: str):
        super().__init__("acr_insufficient", _(
            "For this you need to log in with ${needed}. You logged in with ${used}, so you "
            "were not logged in again. Nothing was changed.",
            mapping={"needed": acr.means_needed(request, accepted),
                     "used": acr.means_label(request, used)}))
        self.retry_url = acr.step_up_url(request, target or "/", accepted)


def check_means(request, claims: dict, flow: dict):
    """Refuse an ID token whose means (``acr``) is not one the login asked for."""
    accepted = flow.get("acr_values") or []
    used = claims.get("acr") if isinstance(claims.get("acr"), str) else None
    if accepted and used not in accepted:
        raise MeansRefused(request, used, accepted, flow["target"])


@view_config(context=Root, name="afmelden", permission=PUBLIC, request_method="POST")
def logout(context, request):
    """End our session, then ACM/IDM's (which sends the browser back to our home page)."""
    if request.user is not None:
        audit.record(request, "logout", "user", request.user.id)
    forget(request)
    request.user = None  # the page below is for someone logged out
    url = oidc.get_client(request).end_session_url()
    if url is None:
        return HTTPFound(location=request.resource_path(request.root))
    # Not a redirect: our CSP's form-action 'self' also covers redirects after a form post,
    # so browsers would block one to ACM/IDM. A page that refreshes to it is not a form post.
    return render_to_response(LOGGED_OUT_TEMPLATE, {"end_session_url": url}, request=request)


def user_claims(claims: dict) -> dict:
    """The claims :func:`sync_user` reads, in the shapes it expects; odd shapes are refused."""
    picked = {}
    for name in TEXT_CLAIMS:
        value = claims.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise oidc.TokenRejected(f"claim_{name}")
        picked[name] = value
    rrn = picked.get("rrn")
    if rrn is not None and not (len(rrn) == 11 and rrn.isascii() and rrn.isdigit()):
        raise oidc.TokenRejected("claim_rrn")
    roles = claims.get(ROLE_CLAIM)
    if isinstance(roles, str):  # one role may come as a plain string
        roles = [roles]
    if roles is not None:
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise oidc.TokenRejected(f"claim_{ROLE_CLAIM}")
        picked[ROLE_CLAIM] = roles
    return picked


def login_failed(request, error: LoginError):
    """The error page for a refused login, audited (the reason is a code, no personal data)."""
    log.warning("login refused: %s", error.reason)
    audit.record(request, "login_failed", "user", "-", reason=error.reason)
    request.response.status = error.status
    return render_to_response(
        LOGIN_FAILED_TEMPLATE,
        {"title": error.title, "message": error.message, "status": error.status,
         "retry_url": getattr(error, "retry_url", None)},
        request=request, response=request.response,
    )
