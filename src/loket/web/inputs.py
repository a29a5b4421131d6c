"""Input from outside (path segments, query parameters, form fields) before they reach SQL.

Every database integer column is PostgreSQL's 32-bit ``integer`` (SQLite's holds 64 bits): a
larger number is a ``DataError`` there ("integer out of range"), one beyond 64 bits an
``OverflowError`` on SQLite, a 5,000-digit one a ``ValueError`` in ``int()`` itself. Callers
treat ``None`` as "no such object" or bad input.
"""

import re

MAX_ID = 2**31 - 1
MAX_DIGITS = len(str(MAX_ID))


def parse_id(text) -> int | None:
    """A positive decimal identifier in ASCII digits within 32 bits, else None ("²", "٣",
    "-1", "1e3" and 25 digits are all None)."""
    if not isinstance(text, str) or not text.isascii() or not text.isdigit() \
            or len(text) > MAX_DIGITS:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


# ---------------------------------------------------------------------------------------------
# Invalid UTF-8 in the URL


def _valid_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")  # strict: overlong forms and lone surrogates (ED A0 80) fail too
    except UnicodeDecodeError:
        return False
    return True


def url_is_valid_utf8(environ) -> bool:
    """Whether the path and every part of the query string decode as UTF-8 (WSGI hands
    them over as latin-1 text of the raw bytes)."""
    path = environ.get("PATH_INFO", "").encode("latin-1", "replace")
    return _valid_utf8(path) and _valid_utf8(_query_bytes(environ))


def _query_bytes(environ) -> bytes:
    from urllib.parse import unquote_to_bytes

    query = environ.get("QUERY_STRING", "").encode("latin-1", "replace")
    return unquote_to_bytes(query.replace(b"+", b" "))


# NUL and control characters (tab, newline and CR aside): PostgreSQL refuses NUL in a query.
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def query_has_control_characters(environ) -> bool:
    return bool(_CONTROL_BYTES.search(_query_bytes(environ)))


BAD_URL = "loket.url_not_utf8"


def utf8_url_tween_factory(handler, registry):
    """Nearest the ingress: a URL that is not UTF-8 is made harmless (root path, no query)
    before anything reads it. Pyramid (traversal), WebOb (``request.GET``) and the error page
    itself decode strictly and would raise; :func:`bad_url_tween_factory` answers 400."""

    def utf8_url_tween(request):
        environ = request.environ
        if not url_is_valid_utf8(environ):
            path = environ.get("PATH_INFO", "")
            if not _valid_utf8(path.encode("latin-1", "replace")):
                # The API's prefix stays, so the 400 is JSON there.
                path = "/api/" if path.startswith("/api/") else "/"
            environ.update({"PATH_INFO": path, "QUERY_STRING": "", BAD_URL: "utf-8"})
        elif query_has_control_characters(environ):
            environ.update({"QUERY_STRING": "", BAD_URL: "control"})
        return handler(request)

    return utf8_url_tween


def bad_url_tween_factory(handler, registry):
    """Below the exception view: the 400 is rendered like every error page."""
    from pyramid.httpexceptions import HTTPBadRequest
    from pyramid.interfaces import IRootFactory

    from loket.i18n import _
    from loket.web.forms import GARBAGE_MESSAGE

    def bad_url_tween(request):
        if request.environ.get(BAD_URL):
            # No traversal happened: the error page's layout gets the root as its context.
            factory = request.registry.queryUtility(IRootFactory)
            request.context = request.root = factory(request)
            if request.environ[BAD_URL] == "control":
                raise HTTPBadRequest(GARBAGE_MESSAGE)
            raise HTTPBadRequest(_("This address is not valid: it is not UTF-8 text."))
        return handler(request)

    return bad_url_tween
