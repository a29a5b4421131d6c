"""Server-side sessions: hashed ids, timeouts, fresh id at login, nothing kept after logout."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from webob import Response

from loket.identity.models import WebSession
from loket.identity.sessions import COOKIE_NAME, SessionFactory, _hash, purge_expired


def _session_row(testapp, dbsession):
    token = testapp.cookies[COOKIE_NAME].strip('"')
    return dbsession.get(WebSession, _hash(token))


def test_only_the_hash_of_the_cookie_is_stored(testapp, login, factories, dbsession):
    login(factories.citizen())
    token = testapp.cookies[COOKIE_NAME].strip('"')
    assert dbsession.get(WebSession, token) is None
    assert _session_row(testapp, dbsession) is not None


def test_anonymous_pages_create_no_session(testapp, dbsession):
    before = dbsession.scalars(select(WebSession)).all()
    response = testapp.get("/")
    assert "Set-Cookie" not in response.headers
    assert dbsession.scalars(select(WebSession)).all() == before


def test_idle_timeout_ends_the_session(testapp, login, factories, dbsession, app):
    login(factories.citizen())
    row = _session_row(testapp, dbsession)
    row.accessed -= timedelta(minutes=31)
    dbsession.flush()
    testapp.get("/mijn-dossiers", status=302)
    # Gone, whether the request or the worker's housekeeping removed it.
    purge_expired(dbsession, app.registry.settings)
    dbsession.expire_all()
    assert dbsession.scalars(select(WebSession).where(WebSession.id == row.id)).first() is None


def test_absolute_timeout_ends_an_active_session(testapp, login, factories, dbsession):
    login(factories.citizen())
    row = _session_row(testapp, dbsession)
    row.created -= timedelta(hours=13)
    dbsession.flush()
    testapp.get("/mijn-dossiers", status=302)


@pytest.mark.parametrize("secure", [True, False])
def test_cookie_flags(secure):
    response = Response()
    SessionFactory({"loket.session.secure": str(secure)})._set_cookie(response, "token")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert ("secure" in cookie.lower()) is secure
    assert cookie.startswith("__Host-loket_session=") is secure


def test_session_touch_is_throttled(testapp, login, factories, dbsession):
    login(factories.citizen())
    testapp.get("/mijn-dossiers")  # the first page stores a CSRF token: a real change
    row = _session_row(testapp, dbsession)
    first = row.accessed
    testapp.get("/mijn-dossiers")
    assert _session_row(testapp, dbsession).accessed == first  # < 1 minute: no write
    row.accessed -= timedelta(minutes=2)
    dbsession.flush()
    testapp.get("/mijn-dossiers")
    assert _session_row(testapp, dbsession).accessed > first - timedelta(minutes=2)
