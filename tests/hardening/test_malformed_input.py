"""No input causes a 500 (or stores garbage): every registered view below the root, a dossier
and its children, reached with numbers beyond 64 bits, invalid UTF-8, NUL and control
characters, lone surrogates, NaN and deeply nested JSON, answers below 500."""

import json
from decimal import Decimal
from urllib.parse import quote_from_bytes, unquote_to_bytes

import colander
import pytest
from sqlalchemy import func, select
from webob import Request

from loket.catalogue.validators import LocaleDecimal
from loket.notes.models import DossierNote
from loket.resources import Root
from loket.security import Role
from tests.conftest import csrf_token
from tests.hardening.test_existence import _names, child_paths

HUGE = "9" * 5000
BIG = "9" * 25
PARAMETERS = ["behandelaar", "cursor", "limit", "na", "q", "sort", "lijst", "type", "terug",
              "kies", "version", "message", "dossiers", "body", "decision", "van", "tot",
              "since", "until", "date_from", "date_to"]


def paths(app, reference) -> list[str]:
    """Every view name on the root, and every path below a dossier, pages and API."""
    root = {f"/{name}" for name in _names(app, Root)}
    dossier = {f"/dossiers/{reference}/{path}" for path in child_paths(app)}
    return sorted(root | dossier | {f"/api/v1{p}" for p in dossier} | {"/api/v1/dossiers"})


@pytest.fixture
def everyone(factories, login):
    """A staff member with every role in the dossier's team, so views run past permission."""
    team = factories.team()
    user = factories.staff(*[r for r in Role if r not in (Role.CITIZEN, Role.INTEGRATOR)],
                           team=team)
    dossier = factories.dossier(team=team)
    factories.document(dossier)
    login(user)
    return dossier


def _status(testapp, method, url, **kw):
    response = getattr(testapp, method)(url, status="*", expect_errors=True, **kw)
    return response.status_int


VALUES = [HUGE, BIG, "-1", "\x00", "a\x1fb", "\ud800", "NaN", "Infinity", "1,000.00.00",
          "0001-01-01", "9999-12-31"]  # the ends of the calendar, for 'from' and 'until' dates


def test_malformed_values_in_query_and_path(testapp, app, everyone):
    failures = []
    for path in paths(app, everyone.reference):
        for value in VALUES:
            url = f"{path}?" + "&".join(
                f"{p}={quote_from_bytes(value.encode('utf-8', 'surrogatepass'))}"
                for p in PARAMETERS)
            if (status := _status(testapp, "get", url)) >= 500:
                failures.append((url[:120], status))
        for segment in (BIG, HUGE[:400], "%C2%B2", "%00"):
            if (status := _status(testapp, "get", f"{path.rstrip('/')}/{segment}")) >= 500:
                failures.append((path, segment[:20], status))
    assert failures == []


def test_malformed_form_fields(testapp, app, everyone, dbsession):
    token = csrf_token(testapp)
    failures = []
    for path in paths(app, everyone.reference):
        for value in VALUES:
            # One 5,000-digit field at most: a body above 10 kB goes to a temporary file that
            # WebOb leaves to the garbage collector.
            fields = {p: value.encode("utf-8", "surrogatepass")
                      for p in PARAMETERS if value != HUGE or p == "behandelaar"}
            fields["csrf_token"] = token
            if (status := _status(testapp, "post", path, params=fields)) >= 500:
                failures.append((path, value[:20], status))
    assert failures == []
    assert dbsession.scalar(select(func.count()).select_from(DossierNote)) == 0


@pytest.mark.parametrize("body", [
    "[" * 5000 + "]" * 5000, json.dumps({"body": "x", "a": "[" * 40 + "]" * 40}),
    '{"body": "x", "a": ' + "[" * 40 + "]" * 40 + "}",
    '{"decision": "admissible", "version": NaN}', '{"decision": "admissible", "version": 1e999}',
    '{"decision": "\\ud800", "version": 1}', '{"body": "a\\u0000b"}', '{"body": "\\ud800"}',
    '{"decision": "admissible", "version": ' + HUGE[:4000] + "}", b"\xff\xfe",
])
@pytest.mark.parametrize("child", ["ontvankelijkheid", "notities", "adviezen"])
def test_malformed_json(testapp, everyone, dbsession, body, child):
    token = csrf_token(testapp)
    response = testapp.post(f"/api/v1/dossiers/{everyone.reference}/{child}", body,
                            headers={"X-CSRF-Token": token}, content_type="application/json",
                            status="*")
    assert response.status_int in (400, 404, 405, 409, 413), response.text[:300]
    assert response.json["error"]["message"]
    dbsession.expire_all()
    assert everyone.state == "ingediend"
    assert dbsession.scalar(select(func.count()).select_from(DossierNote)) == 0


@pytest.mark.parametrize("url", ["/%ff", "/dossiers/%ff%fe", "/werkbank?q=%ff%fe",
                                 "/werkbank?%ff=1", "/api/v1/dossiers?cursor=%ff",
                                 "/werkbank?q=%ed%a0%80", "/dossiers/%c0%af"])
@pytest.mark.parametrize("logged_in", [False, True])
def test_invalid_utf8_in_the_url_is_a_400_page(testapp, login, factories, url, logged_in):
    # Raw WSGI: a test browser cannot even build such a URL for its cookie jar.
    environ = dict(testapp.extra_environ)
    if logged_in:
        login(factories.staff(Role.HANDLER, team=factories.team()))
        environ["HTTP_COOKIE"] = "; ".join(f"{c.name}={c.value}" for c in testapp.cookiejar)
    path, _sep, query = url.partition("?")
    request = Request.blank("/", environ=environ)
    request.environ["PATH_INFO"] = _unquote_latin1(path)
    request.environ["QUERY_STRING"] = query
    if url.startswith("/api/"):
        request.headers["Accept"] = "application/json"
    response = request.get_response(testapp.app)
    assert response.status_int == 400
    text = response.text
    assert "UTF-8" in text


def _unquote_latin1(path: str) -> str:
    return unquote_to_bytes(path).decode("latin-1")


@pytest.mark.parametrize("typed", ["1,000.00.00", "NaN", "Infinity", "-Infinity", "1e999",
                                   "1.2.3", "1..0", "12,5,0", "٣", HUGE])
def test_numbers_people_did_not_mean_are_refused(typed):
    node = colander.SchemaNode(LocaleDecimal(quant="0.01"), name="bedrag")
    with pytest.raises(colander.Invalid):
        node.deserialize(typed)


@pytest.mark.parametrize("typed,meant", [("1.420,50", "1420.50"), ("1420,5", "1420.50"),
                                         ("1420.50", "1420.50"), ("2.500.000", "2500000.00"),
                                         ("€ 12", "12.00")])
def test_numbers_people_type_are_read(typed, meant):
    node = colander.SchemaNode(LocaleDecimal(quant="0.01"), name="bedrag")
    assert node.deserialize(typed) == Decimal(meant)
