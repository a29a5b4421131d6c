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


def test_principals_come_from_the_session_row_until_the_roles_change(
        testapp, login, factories, dbsession):
    """The row keeps the user's principals (no role query per request); a login that changes
    the user's roles clears them in every session of that user."""
    from loket.identity.services import sync_user
    from loket.security import Role

    team = factories.team(code="sociale-dienst")
    handler = login(factories.staff(Role.HANDLER, team=team))
    testapp.get("/werkbank", status=200)
    row = _session_row(testapp, dbsession)
    row.principals = ["system.Authenticated", f"user:{handler.id}", "role:citizen"]
    dbsession.flush()
    testapp.get("/werkbank", status=403)  # what the row says, not what the roles say

    kbo = "0207123407"
    sync_user(dbsession, {"sub": handler.subject, "given_name": "Hanne",
                          "loket_rol_3d": [f"handler/sociale-dienst:{kbo}", f"admin:{kbo}"]}, kbo)
    dbsession.refresh(row)
    assert row.principals is None
    testapp.get("/werkbank", status=200)


def test_principals_are_stored_when_the_row_is_written(testapp, login, factories, dbsession):
    """Stored with the next write of the row (here its touch); an API GET alone writes
    nothing (tests/api/test_health.py)."""
    from loket.identity.sessions import TOUCH_INTERVAL
    from loket.security import Role

    handler = login(factories.staff(Role.HANDLER, team=factories.team()))
    row = _session_row(testapp, dbsession)
    row.principals = None  # cleared, as a change of roles leaves it
    row.accessed -= TOUCH_INTERVAL * 2
    dbsession.flush()
    testapp.get("/api/v1/dossiers", status=200)
    dbsession.refresh(row)
    assert f"user:{handler.id}" in row.principals and "role:handler" in row.principals
