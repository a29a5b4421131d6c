"""Login through ACM/IDM: the whole flow over real HTTP against the simulator, and every way
it must fail (clearly, audited, and changing nothing)."""

import json
import re

import pytest
import requests
import webtest
from sqlalchemy import create_engine, select

from loket.audit.models import AuditEvent
from loket.identity import oidc
from loket.identity.models import RoleAssignment, User, WebSession
from loket.identity.sessions import COOKIE_NAME, _hash
from loket.integrations.acmidm.personas import BY_KEY
from loket.main import main
from loket.security import Role
from tests.conftest import csrf_token, migrate
from tests.identity.conftest import TIMEOUT, choose_persona, log_in, start_login


def user_of(dbsession, persona: str) -> User | None:
    return dbsession.scalar(select(User).where(User.subject == BY_KEY[persona].sub))


def audit_events(dbsession, action: str) -> list[AuditEvent]:
    dbsession.flush()
    return list(dbsession.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def assert_refused(browser, dbsession, persona: str, reason: str):
    """Nobody logged in, no user made, and the refusal audited with ``reason``."""
    assert user_of(dbsession, persona) is None
    browser.get("/mijn-dossiers", status=302)  # still anonymous: sent to the login
    reasons = [e.details["reason"] for e in audit_events(dbsession, "login_failed")]
    assert reasons == [reason]
    assert audit_events(dbsession, "login") == []


# --- logging in ---------------------------------------------------------------------------


def test_citizen_login_creates_the_user_and_lands_on_my_dossiers(browser, dbsession):
    persona = BY_KEY["sofie"]
    auth_url = start_login(browser)
    callback = choose_persona(auth_url, "sofie")
    response = browser.get(callback, status=302)
    assert response.location == "http://localhost/mijn-dossiers"
    assert "Sofie Claes" in response.follow().text

    user = user_of(dbsession, "sofie")
    assert (user.kind, user.given_name, user.family_name, user.rrn) == (
        "citizen", "Sofie", "Claes", persona.rrn)
    assert [(a.role, a.team) for a in user.roles] == [(Role.CITIZEN, None)]
    [event] = audit_events(dbsession, "login")
    assert (event.actor_id, event.object_id, event.details["acr"]) == (
        user.id, str(user.id), persona.acr)
    # The national register number is in no URL and no audit detail.
    for text in (auth_url, callback, response.location, json.dumps(event.details)):
        assert persona.rrn not in text


def test_citizen_login_updates_an_existing_user(browser, dbsession):
    persona = BY_KEY["jan"]
    user = User(subject=persona.sub, kind="citizen", given_name="J.", family_name="Oud")
    user.roles.append(RoleAssignment(role=Role.CITIZEN))
    dbsession.add(user)
    dbsession.flush()

    log_in(browser, "jan")
    dbsession.refresh(user)
    assert (user.given_name, user.family_name, user.rrn) == ("Jan", "Peeters", persona.rrn)
    assert user.last_login is not None
    assert dbsession.scalar(select(User.id).where(User.subject == persona.sub)) == user.id


def test_staff_login_gets_roles_and_team_and_lands_on_the_workbench(browser, dbsession):
    response = log_in(browser, "els")
    assert response.location == "http://localhost/werkbank"
    user = user_of(dbsession, "els")
    assert user.kind == "staff" and user.rrn is None
    assert [(a.role, a.team.code) for a in user.roles] == [(Role.HANDLER, "sociale-dienst")]
    browser.get("/werkbank", status=200)
    browser.get("/mijn-dossiers", status=403)


def test_login_starts_a_new_session(browser, dbsession):
    auth_url = start_login(browser)
    before = browser.cookies[COOKIE_NAME]
    browser.get(choose_persona(auth_url, "jan"), status=302)
    after = browser.cookies[COOKIE_NAME]
    assert after != before
    assert dbsession.get(WebSession, _hash(before)) is None  # the pre-login session is gone
    session = dbsession.get(WebSession, _hash(after))
    assert session.user_id == user_of(dbsession, "jan").id
    assert oidc.FLOWS_KEY not in session.data and session.data["acr"] == BY_KEY["jan"].acr
    # The CSRF token is made at login, so even an error page's logout button works.
    assert session.data["_csrft_"]


def test_the_authorization_request_uses_pkce_state_nonce_and_our_scopes(browser):
    auth_url = start_login(browser)
    query = requests.utils.urlparse(auth_url).query
    params = dict(p.split("=", 1) for p in query.split("&"))
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32
    assert params["scope"] == "openid+profile+rrn+vo+loket_rol"
    assert params["redirect_uri"] == "http%3A%2F%2Flocalhost%2Faanmelden-terug"


@pytest.mark.parametrize(("terug", "landing"), [
    ("//evil.example", "/mijn-dossiers"),
    ("https://evil.example/x", "/mijn-dossiers"),
    ("/\\evil.example", "/mijn-dossiers"),
    ("/dossiers/2026-000001?tab=documenten", "/dossiers/2026-000001?tab=documenten"),
])
def test_only_a_local_terug_is_followed(browser, terug, landing):
    response = log_in(browser, "jan", terug=terug)
    assert response.location == "http://localhost" + landing


def test_provider_metadata_and_keys_are_cached(browser, acmidm):
    log_in(browser, "jan")
    before = acmidm.counters()
    browser.reset()
    log_in(browser, "sofie")
    after = acmidm.counters()
    assert after.get("discovery") == before.get("discovery")
    assert after.get("jwks") == before.get("jwks")
    assert after["token"] == before["token"] + 1


def test_rotated_signing_key_is_fetched_once(browser, acmidm):
    log_in(browser, "jan")  # keys cached
    acmidm.control(rotate_key=True)
    before = acmidm.counters()["jwks"]
    browser.reset()
    log_in(browser, "els")
    assert acmidm.counters()["jwks"] == before + 1


# --- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize("tamper", ["wrong", "missing"])
def test_wrong_or_missing_state_is_refused(browser, dbsession, tamper):
    callback = choose_persona(start_login(browser), "jan")
    replacement = "state=forged" if tamper == "wrong" else ""
    callback = re.sub(r"state=[^&]*", replacement, callback)
    response = browser.get(callback, status=400)
    assert response.html.find("h1").text.strip()
    assert response.html.find(attrs={"role": "alert"})
    assert_refused(browser, dbsession, "jan", "state")


@pytest.mark.parametrize(("mode", "reason"), [
    ("expired", "id_token_expired"),
    ("bad_signature", "id_token_signature"),
    ("unknown_kid", "id_token_signature"),
    ("wrong_audience", "id_token_aud"),
    ("wrong_nonce", "id_token_nonce"),
    ("wrong_issuer", "id_token_iss"),
    ("alg_none", "id_token_algorithm"),
    ("hs256", "id_token_algorithm"),
])
def test_untrustworthy_id_token_is_refused(browser, dbsession, acmidm, mode, reason):
    acmidm.control(id_token=mode)
    log_in(browser, "jan", status=400)
    assert_refused(browser, dbsession, "jan", reason)


def test_unknown_key_id_refetches_the_keys_only_once(browser, acmidm):
    log_in(browser, "jan")  # keys cached
    acmidm.control(id_token="unknown_kid")
    before = acmidm.counters()["jwks"]
    browser.reset()
    log_in(browser, "jan", status=400)
    assert acmidm.counters()["jwks"] == before + 1


def test_cancel_at_the_provider_is_a_clear_refusal(browser, dbsession):
    callback = choose_persona(start_login(browser), "jan", action="annuleren")
    assert "error=access_denied" in callback
    browser.get(callback, status=400)
    assert_refused(browser, dbsession, "jan", "provider_access_denied")


def test_provider_down_at_the_callback(browser, dbsession, acmidm):
    callback = choose_persona(start_login(browser), "jan")
    acmidm.control(down=True)
    response = browser.get(callback, status=502)
    assert response.html.find(attrs={"role": "alert"})
    assert_refused(browser, dbsession, "jan", "token_endpoint_http_503")


def test_provider_too_slow(browser, dbsession, acmidm):
    callback = choose_persona(start_login(browser), "jan")
    acmidm.control(slow=1.5)  # Loket waits one second (loket.acmidm.timeout)
    browser.get(callback, status=502)
    acmidm.control(slow=0)
    assert_refused(browser, dbsession, "jan", "provider_unreachable")


def test_provider_unreachable_at_the_start(testapp, dbsession):
    # The default test app's issuer is a closed port.
    response = testapp.get("/aanmelden", status=502)
    assert response.html.find("h1").text.strip()
    [event] = audit_events(dbsession, "login_failed")
    assert event.details == {"reason": "provider_unreachable"}


@pytest.mark.parametrize(("status", "answer", "reason"), [
    (500, 502, "token_endpoint_http_500"),
    (400, 400, "token_refused_server_error"),
])
def test_token_endpoint_errors(browser, dbsession, acmidm, status, answer, reason):
    acmidm.control(token_status=status)
    log_in(browser, "jan", status=answer)
    assert_refused(browser, dbsession, "jan", reason)


def test_an_authorization_code_works_once(browser, oidc_settings, acmidm):
    callback = choose_persona(start_login(browser), "jan")
    browser.get(callback, status=302)
    code = re.search(r"code=([^&]+)", callback).group(1)
    reuse = requests.post(acmidm.issuer + "/v1/token", timeout=TIMEOUT, auth=(
        oidc_settings["loket.acmidm.client_id"], oidc_settings["loket.acmidm.client_secret"]),
        data={"grant_type": "authorization_code", "code": code,
              "redirect_uri": "http://localhost/aanmelden-terug", "code_verifier": "x" * 43})
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
    browser.get(callback, status=400)  # and Loket's side of it is used up too


def test_claims_of_neither_citizen_nor_staff_are_refused(testapp, dbsession, monkeypatch):
    # Staff of another municipality: a role claim for another KBO number.
    claims = {"sub": "someone-else", "given_name": "Eva",
              "loket_rol_3d": ["handler/sociale-dienst:0999999999"]}
    monkeypatch.setattr(oidc, "finish", lambda request: (claims, {"target": ""}))
    testapp.get("/aanmelden-terug", status=400)
    assert dbsession.scalar(select(User).where(User.subject == "someone-else")) is None
    [event] = audit_events(dbsession, "login_failed")
    assert event.details == {"reason": "claims_rejected"}


@pytest.mark.parametrize(("claims", "reason"), [
    ({"sub": "x", "rrn": "85.63.14-153.04"}, "claim_rrn"),
    ({"sub": "x", "rrn": 85631415304}, "claim_rrn"),
    ({"sub": "x", "loket_rol_3d": [{"role": "admin"}]}, "claim_loket_rol_3d"),
])
def test_claims_of_an_odd_shape_are_refused(testapp, dbsession, monkeypatch, claims, reason):
    monkeypatch.setattr(oidc, "finish", lambda request: (claims, {"target": ""}))
    testapp.get("/aanmelden-terug", status=400)
    [event] = audit_events(dbsession, "login_failed")
    assert event.details == {"reason": reason}


def test_a_single_role_claim_may_be_a_plain_string(testapp, dbsession, monkeypatch):
    claims = {"sub": "solo", "acr": "urn:be:vlaanderen:authmech:eid",
              "loket_rol_3d": "admin:0207123407"}
    monkeypatch.setattr(oidc, "finish", lambda request: (claims, {"target": ""}))
    response = testapp.get("/aanmelden-terug", status=302)
    assert response.location == "http://localhost/beheer/"
    user = dbsession.scalar(select(User).where(User.subject == "solo"))
    assert [a.role for a in user.roles] == [Role.ADMIN]


def test_refused_login_is_audited_in_a_real_transaction(app_settings, tmp_path):
    """Outside the tests' rolled-back transaction: the login_failed row really commits."""
    url = f"sqlite:///{tmp_path / 'real.sqlite'}"
    migrate(url)
    app = main({}, **{**app_settings, "sqlalchemy.url": url})
    try:
        client = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
        client.get("/aanmelden-terug", {"state": "forged", "code": "x"}, status=400)
    finally:
        app.registry["db_engine"].dispose()
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(AuditEvent.action, AuditEvent.details)).all()
            sessions = connection.execute(select(WebSession.id)).all()
    finally:
        engine.dispose()
    assert [(action, details) for action, details in rows] == [
        ("login_failed", {"reason": "state"})]
    assert sessions == []  # a stray callback leaves no session behind


# --- logging out --------------------------------------------------------------------------


def test_logout_needs_post_and_csrf_and_ends_both_sessions(browser, dbsession, acmidm):
    log_in(browser, "jan")
    session_token = browser.cookies[COOKIE_NAME]
    browser.get("/afmelden", status=404)
    browser.post("/afmelden", status=400)
    browser.get("/mijn-dossiers", status=200)  # neither of those logged out

    # A page that refreshes to ACM/IDM's logout: a redirect after a form post would break
    # our CSP's form-action 'self' in browsers.
    page = browser.post("/afmelden", {"csrf_token": csrf_token(browser)}, status=200)
    refresh = page.html.find("meta", attrs={"http-equiv": "refresh"})["content"]
    end_session = refresh.removeprefix("0; url=")
    assert end_session.startswith(acmidm.issuer + "/v1/logout?")
    assert page.html.find("a", href=end_session)  # the same as a link, for who needs one
    assert not page.html.find("form", action="/afmelden")  # no longer shown as logged in
    back = requests.get(end_session, allow_redirects=False, timeout=TIMEOUT)
    assert back.headers["Location"] == "http://localhost/"

    dbsession.flush()
    assert dbsession.get(WebSession, _hash(session_token)) is None
    browser.get("/mijn-dossiers", status=302)
    [event] = audit_events(dbsession, "logout")
    assert event.object_id == str(user_of(dbsession, "jan").id)


def test_logout_without_a_reachable_provider_goes_home(testapp, login, factories):
    login(factories.citizen())
    response = testapp.post("/afmelden", {"csrf_token": csrf_token(testapp)}, status=302)
    assert response.location == "http://localhost/"
