"""Pages every visitor can reach (home, language choice) and the error pages."""

import logging
import os
import sys

from pyramid.exceptions import BadCSRFOrigin, BadCSRFToken
from pyramid.httpexceptions import HTTPBadRequest, HTTPForbidden, HTTPFound
from pyramid.location import lineage
from pyramid.renderers import render_to_response
from pyramid.response import FileResponse
from pyramid.view import (
    exception_view_config,
    forbidden_view_config,
    notfound_view_config,
    view_config,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from loket.i18n import LANGUAGES, LOCALE_COOKIE, _
from loket.resources import Root
from loket.security import PUBLIC, Permission
from loket.web.redirects import safe_local_path

log = logging.getLogger(__name__)


def wants_json(request) -> bool:
    if request.path.startswith("/api/"):
        return True
    offers = request.accept.acceptable_offers(["text/html", "application/json"])
    return bool(offers) and offers[0][0] == "application/json"


def error_response(request, status: int, title, message, kept=()):
    """An error as a page (HTML) or as ``{"error": …}`` (API), translated. ``kept``: what the
    user typed, shown on the page so it is not lost (an API client keeps its own input)."""
    request.response.status = status
    localizer = request.localizer
    if wants_json(request):
        request.response.content_type = "application/json"
        request.response.json_body = {
            "error": {"status": status, "title": localizer.translate(title),
                      "message": localizer.translate(message)}
        }
        return request.response
    return render_to_response(
        "error.jinja2", {"title": title, "message": message, "status": status, "kept": kept},
        request=request, response=request.response,
    )


@view_config(context=Root, renderer="home.jinja2", permission=PUBLIC, request_method="GET")
def home(context, request):
    return {}


@view_config(context=Root, name="favicon.ico", permission=PUBLIC, request_method="GET")
def favicon(context, request):
    """Browsers ask for /favicon.ico whatever the page says: answer it, not a 404 per visit."""
    path = os.path.join(request.registry["loket.static_dir"], "favicon.ico")
    response = FileResponse(path, request=request, content_type="image/vnd.microsoft.icon")
    response.cache_control.max_age = 24 * 3600
    return response


@view_config(context=Root, name="taal", permission=PUBLIC, request_method="GET")
def choose_language(context, request):
    """A plain link sets the language cookie: no server-side state, so no CSRF token needed."""
    language = request.GET.get("kies")
    target = safe_local_path(request.GET.get("terug"), default="/")
    response = HTTPFound(location=target)
    if language in LANGUAGES:
        response.set_cookie(LOCALE_COOKIE, language, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True, secure=request.scheme == "https")
    return response


def _absence_asks_login(request) -> bool:
    """An anonymous caller below a container that asks login first (``/dossiers``): a missing
    dossier or child answers as a present one would (login, 401), so numbers cannot be probed.
    Not the opposite (404 for both): the link in a citizen's mail must lead to the login."""
    if request.is_authenticated:
        return False
    context = getattr(request, "context", None)
    return context is not None and any(getattr(r, "ask_login_when_absent", False)
                                       for r in lineage(context))


@view_config(route_name="deform_jquery2", permission=PUBLIC)
@notfound_view_config()
def not_found(request):
    if _absence_asks_login(request):
        try:  # the forbidden views (pages, API, machine requests) answer as for a present one
            raise HTTPForbidden()
        except HTTPForbidden:
            return request.invoke_exception_view(sys.exc_info())
    return error_response(
        request, 404, _("Page not found"),
        _("This page does not exist, or you do not have access to it."),
    )


@forbidden_view_config()
def forbidden(exc, request):
    """Not logged in: to the login. Logged in but not allowed to see it: 404, so nobody learns
    whether someone else's dossier exists."""
    if request.user is None:
        if wants_json(request):
            return error_response(request, 401, _("Login required"),
                                  _("Log in to use this part of the API."))
        return HTTPFound(location=request.resource_path(request.root, "aanmelden",
                                                        query={"terug": request.path_qs}))
    context = request.context
    hidden = any(getattr(r, "hide_when_forbidden", False) for r in lineage(context))
    if hidden and not request.has_permission(Permission.VIEW, context):
        return not_found(request)
    moved_on = getattr(context, "moved_on", None)
    if request.method not in SAFE_METHODS and moved_on is not None and moved_on(request):
        # Someone else took the step first, and no step of the new state is the caller's.
        return conflict_response(request)
    return error_response(request, 403, _("Not allowed"),
                          _("You are not allowed to do this."))


@exception_view_config(BadCSRFToken)
@exception_view_config(BadCSRFOrigin)
def csrf_failed(exc, request):
    return error_response(
        request, 400, _("Form expired"),
        _("The form was sent without a valid security token. Go back, reload the page and "
          "try again."),
    )


@exception_view_config(HTTPBadRequest)
def bad_request(exc, request):
    return error_response(request, 400, _("Bad request"), exc.detail or exc.explanation)


def _recover_session(request, exc):
    """After a database error the request's transaction is lost (pyramid_tm aborts it);
    roll the session back now so the error page's layout can still read the database."""
    session = request.__dict__.get("dbsession")
    if session is not None and isinstance(exc, SQLAlchemyError):
        session.rollback()


def _is_unique_violation(exc: IntegrityError) -> bool:
    orig = exc.orig
    return (getattr(orig, "sqlstate", None) == "23505"  # PostgreSQL
            or "UNIQUE constraint failed" in str(orig))  # SQLite


@exception_view_config(StaleDataError)
@exception_view_config(IntegrityError)
def conflict(exc, request):
    """Two requests changed the same thing at once and this one lost the race (a version
    check at flush, or a unique key taken meanwhile): 409, never 500."""
    if isinstance(exc, IntegrityError) and not _is_unique_violation(exc):
        return server_error(exc, request)
    _recover_session(request, exc)
    log.info("conflict on %s: %s", request.path, type(exc).__name__)
    return conflict_response(request)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Form fields that are the form's machinery, not what the user typed.
_MACHINERY = frozenset({"csrf_token", "version", "transition", "_charset_", "__formid__",
                        "__start__", "__end__", "send", "submit"})


def kept_input(request) -> list[str]:
    """The texts a refused form post carried, to show back to the user (never logged)."""
    if request.method in SAFE_METHODS or wants_json(request):
        return []
    try:
        fields = list(request.POST.items())
    except (UnicodeDecodeError, ValueError):
        return []
    return [value for name, value in fields
            if name not in _MACHINERY and isinstance(value, str) and value.strip()]


def conflict_response(request, message=None):
    """409: someone else was quicker; nothing of the caller's was saved, what they typed is
    shown back."""
    return error_response(
        request, 409, _("Someone else was quicker"),
        message or _("This was changed by someone else in the meantime, so nothing of yours "
                     "was saved. Go back, reload the page and try again."),
        kept=kept_input(request),
    )


# A retryable error (a dropped connection, a serialisation failure) passes by this view
# unless it is the last attempt, so pyramid_retry can run the request again.
@exception_view_config(Exception, retryable_error=False)
@exception_view_config(Exception, last_retry_attempt=True)
def server_error(exc, request):
    # Generic on purpose: no traceback or data leaves the server (the log has the details).
    log.exception("unhandled error on %s", request.path)
    _recover_session(request, exc)
    return error_response(
        request, 500, _("Something went wrong"),
        _("Your request could not be completed. Nothing was changed. Try again later."),
    )
