"""Machine clients: access tokens of the ACM/IDM simulator (client credentials, over HTTP)
authenticate API calls; every kind of bad token is refused with 401 or 403 and audited."""

import base64
import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import requests
import webtest
from joserfc import jws
from pyramid.interfaces import IDefaultCSRFOptions
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from loket.audit.models import AuditEvent
from loket.db import get_engine
from loket.identity.models import RevokedToken
from loket.identity.policy import LoketSecurityPolicy
from loket.identity.tokens import ApiClient, Bearer, csrf_applies, revoke
from loket.integrations.acmidm.simulator import API_CLIENTS, api_audience
from loket.integrations.acmidm.simulator import make_app as make_acmidm
from loket.integrations.simulators import Dispatcher
from loket.main import main
from loket.security import Role
from tests.conftest import ValidatingTestApp, csrf_token
from tests.identity.conftest import TIMEOUT, Provider
from tests.servers import serve

SENTINEL_RRN = "85073003328"


# ---------------------------------------------------------------------------------------------
# Fixtures (test_callbacks.py imports them): the simulator on a real port, and a Loket whose
# issuer it is.


@pytest.fixture(scope="session")
def api_provider(app_settings):
    simulator = make_acmidm(app_settings)
    with serve(Dispatcher({"acmidm": simulator})) as base_url:
        yield Provider(base_url, simulator)


@pytest.fixture
def provider(api_provider):
    yield api_provider
    api_provider.control(reset=True)


@pytest.fixture(scope="session")
def bearer_settings(app_settings, api_provider):
    # Refresh the keys at once on an unknown kid, so rotation tests need not wait a minute.
    return {**app_settings, "loket.acmidm.issuer": api_provider.issuer,
            "loket.acmidm.timeout": "2", "loket.api.jwks_refresh_interval": "0"}


@pytest.fixture(scope="session")
def bearer_app(bearer_settings):
    app = main({}, **bearer_settings)
    yield app
    app.registry["db_engine"].dispose()


@pytest.fixture
def api(bearer_app, provider, tm, dbsession):
    """A validating test browser on the Loket that trusts the simulator, in the test's
    rolled-back transaction."""
    return ValidatingTestApp(bearer_app, extra_environ={
        "HTTP_HOST": "localhost", "tm.active": True, "tm.manager": tm,
        "app.dbsession": dbsession,
    })


def fetch_token(provider, client_id: str, scope: str | None = None) -> str:
    """An access token for an API client, from the simulator's token endpoint."""
    data = {"grant_type": "client_credentials"}
    if scope is not None:
        data["scope"] = scope
    response = requests.post(provider.issuer + "/v1/token", data=data, timeout=TIMEOUT,
                             auth=(client_id, API_CLIENTS[client_id].secret))
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def audit_events(dbsession, action: str) -> list[AuditEvent]:
    dbsession.flush()
    return list(dbsession.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                  .order_by(AuditEvent.id)))


def assert_invalid_token(response, dbsession, reason: str):
    assert response.status_int == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="loket", error="invalid_token"'
    assert response.json["error"]["status"] == 401
    assert "Set-Cookie" not in response.headers
    [event] = audit_events(dbsession, "api.token_rejected")
    assert event.actor_id is None
    assert event.details["reason"] == reason
    assert event.details["method"] == response.request.method


# ---------------------------------------------------------------------------------------------
# The simulator's client credentials grant


def test_simulator_gives_api_clients_rfc9068_access_tokens(provider, app_settings):
    metadata = requests.get(provider.issuer + "/.well-known/openid-configuration",
                            timeout=TIMEOUT).json()
    assert "client_credentials" in metadata["grant_types_supported"]
    answer = requests.post(metadata["token_endpoint"], timeout=TIMEOUT,
                           auth=("notulen", API_CLIENTS["notulen"].secret),
                           data={"grant_type": "client_credentials"})
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "loket.callbacks.besluit"
    token = jws.extract_compact(body["access_token"].encode())
    assert token.headers()["alg"] == "RS256" and token.headers()["typ"] == "at+jwt"
    claims = json.loads(token.payload)
    assert claims["iss"] == provider.issuer
    assert claims["sub"] == claims["client_id"] == "notulen"
    assert claims["aud"] == api_audience(app_settings) == "http://localhost/api"
    assert claims["scope"] == "loket.callbacks.besluit"
    assert claims["exp"] - claims["iat"] == body["expires_in"]
    assert claims["jti"]
    # Every token is a new one.
    assert fetch_token(provider, "notulen") != fetch_token(provider, "notulen")


@pytest.mark.parametrize("client,secret,data,status,error", [
    ("notulen", "fout", {}, 401, "invalid_client"),
    ("onbekend", "x", {}, 401, "invalid_client"),
    ("notulen", None, {"scope": "loket.api.read"}, 400, "invalid_scope"),
    ("notulen", None, {"grant_type": "password"}, 400, "unsupported_grant_type"),
    ("notulen", None, {"grant_type": "authorization_code", "code": "x"}, 400,
     "unauthorized_client"),
    ("loket-test", "loket-test-secret", {}, 400, "unauthorized_client"),
])
def test_simulator_refuses_bad_client_credentials_requests(provider, client, secret, data,
                                                           status, error):
    secret = secret or API_CLIENTS[client].secret
    answer = requests.post(provider.issuer + "/v1/token", auth=(client, secret), timeout=TIMEOUT,
                           data={"grant_type": "client_credentials", **data})
    assert answer.status_code == status
    assert answer.json()["error"] == error


# ---------------------------------------------------------------------------------------------
# What an integrator reads


def test_integrator_reads_every_dossier_without_personal_data(api, provider, factories,
                                                              dbsession):
    citizen = factories.citizen(given_name="Mira", family_name="Peeters", rrn=SENTINEL_RRN)
    dossiers = [factories.dossier(applicant=citizen, data={"iban": "BE68539007547034"}),
                factories.dossier(), factories.dossier(state="goedgekeurd")]
    token = fetch_token(provider, "integrator")
    listed = api.get("/api/v1/dossiers?limit=100", headers=bearer(token))
    references = {item["reference"] for item in listed.json["items"]}
    assert {d.reference for d in dossiers} <= references
    assert listed.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in listed.headers
    # One token serves many calls during its lifetime.
    for dossier in dossiers:
        body = api.get(f"/api/v1/dossiers/{dossier.reference}", headers=bearer(token)).json
        assert body["reference"] == dossier.reference and body["state"] == dossier.state
        assert body["version"] == dossier.version
        assert "applicant" not in body and "data" not in body
    text = api.get(f"/api/v1/dossiers/{dossiers[0].reference}", headers=bearer(token)).text
    assert SENTINEL_RRN not in text and "Peeters" not in text and "BE68" not in text
    assert audit_events(dbsession, "api.token_rejected") == []


def test_integrator_reads_no_documents_nor_workflow(api, provider, factories, dbsession):
    dossier = factories.dossier()
    factories.document(dossier)
    token = fetch_token(provider, "integrator")
    for path in ("documenten", "documenten/1", "documenten/1/inhoud", "workflow"):
        response = api.get(f"/api/v1/dossiers/{dossier.reference}/{path}",
                           headers=bearer(token), status=403)
        assert response.headers["WWW-Authenticate"] == \
            'Bearer realm="loket", error="insufficient_scope"'
    assert [e.details["client"] for e in audit_events(dbsession, "api.forbidden")] == \
        ["integrator"] * 4


def test_the_token_decides_not_the_session_cookie(api, provider, factories, login, testapp):
    citizen = factories.citizen()
    own = factories.dossier(applicant=citizen)
    other = factories.dossier()
    login(citizen)
    api.cookiejar = testapp.cookiejar  # the citizen's session comes along
    assert {i["reference"] for i in api.get("/api/v1/dossiers").json["items"]} == \
        {own.reference}
    token = fetch_token(provider, "integrator")
    with_token = api.get("/api/v1/dossiers?limit=100", headers=bearer(token)).json["items"]
    assert {own.reference, other.reference} <= {i["reference"] for i in with_token}
    # A draft is its applicant's alone: not in the list, not readable with the scope.
    draft = factories.dossier(applicant=citizen, state="concept")
    with_token = api.get("/api/v1/dossiers?limit=100", headers=bearer(token)).json["items"]
    assert draft.reference not in {i["reference"] for i in with_token}
    api.get(f"/api/v1/dossiers/{draft.reference}", headers=bearer(token), status=404)
    # A bad token does not fall back on the session: the request is anonymous.
    api.get(f"/api/v1/dossiers/{own.reference}", headers=bearer("x.y.z"), status=401)
    # A staff member's session does not stand in the machine view's way either.
    login(factories.staff(Role.HANDLER))
    api.cookiejar = testapp.cookiejar
    with_token = api.get("/api/v1/dossiers?limit=100", headers=bearer(token)).json["items"]
    assert {own.reference, other.reference} <= {i["reference"] for i in with_token}


def test_principals_of_a_machine_client():
    client = ApiClient("notulen", frozenset({"loket.callbacks.besluit", "b"}), "j",
                       datetime.now(UTC))
    request = SimpleNamespace(bearer=Bearer(present=True, client=client))
    principals = LoketSecurityPolicy().principals(request)
    assert principals == ["system.Everyone", "system.Authenticated", "client:notulen",
                          "role:integrator", "scope:b", "scope:loket.callbacks.besluit"]
    assert LoketSecurityPolicy().authenticated_userid(request) == "client:notulen"
    anonymous = SimpleNamespace(bearer=Bearer(present=True, error=Exception("x")))
    assert LoketSecurityPolicy().principals(anonymous) == ["system.Everyone"]


# ---------------------------------------------------------------------------------------------
# Bad tokens


@pytest.mark.parametrize("mode,reason", [
    ("expired", "expired"),
    ("not_yet_valid", "claim_nbf"),
    ("wrong_audience", "claim_aud"),
    ("wrong_issuer", "claim_iss"),
    ("bad_signature", "signature"),
    ("unknown_kid", "unknown_key"),
    ("alg_none", "algorithm"),
    ("hs256", "algorithm"),
])
def test_bad_tokens_from_the_provider_are_refused(api, provider, factories, dbsession, mode,
                                                  reason):
    dossier = factories.dossier()
    provider.control(access_token=mode)
    token = fetch_token(provider, "integrator")
    response = api.get(f"/api/v1/dossiers/{dossier.reference}", headers=bearer(token),
                       status=401)
    assert_invalid_token(response, dbsession, reason)
    if mode == "expired":
        assert "expired" in response.json["error"]["message"] or \
            "verlopen" in response.json["error"]["message"]


def _handmade(header: dict, claims: dict) -> str:
    def b64(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{b64(header)}.{b64(claims)}.c2lnbmF0dXJl"


@pytest.mark.parametrize("token,reason", [
    ("", "malformed"),
    ("abc", "malformed"),
    ("a.b", "malformed"),
    ("Zm9v.YmFy.YmF6", "malformed"),
    ("x" * 9000, "malformed"),
    (_handmade({"alg": "RS256", "typ": "JWT"}, {"sub": "x"}), "not_an_access_token"),
    (_handmade({"alg": "RS512", "typ": "at+jwt"}, {"sub": "x"}), "algorithm"),
    (_handmade({"alg": "none", "typ": "at+jwt"}, {"sub": "x"}), "algorithm"),
])
def test_malformed_and_forged_tokens_are_refused(api, provider, factories, dbsession, token,
                                                 reason):
    response = api.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {token}"},
                       status=401)
    assert_invalid_token(response, dbsession, reason)


def _claims(provider, **changes) -> dict:
    now = int(datetime.now(UTC).timestamp())
    claims = {"iss": provider.issuer, "sub": "integrator", "client_id": "integrator",
              "aud": "http://localhost/api", "scope": "loket.api.read", "iat": now,
              "exp": now + 300, "jti": "j-1"}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.mark.parametrize("changes,reason", [
    ({"jti": None}, "claim_jti"),
    ({"jti": "j" * 256}, "claim_jti"),
    ({"client_id": None}, "claim_client_id"),
    ({"client_id": "a b", "sub": "a b"}, "claim_client_id"),
    # On behalf of a person but without loket.aanvragen: valid, yet it may do nothing (and
    # never a machine's loket.api.read).
    ({"sub": "b1f0c3a2-0101-4000-8000-000000000101"}, "forbidden"),
    ({"sub": "not a subject"}, "claim_sub"),
    ({"scope": ["loket.api.read"]}, "claim_scope"),
    ({"scope": 'loket.api.read "x"'}, "claim_scope"),
    ({"aud": ["een-andere-api", "http://localhost/api"]}, None),
    ({"scope": None}, "forbidden"),
])
def test_claims_of_a_well_signed_token_are_checked(api, provider, dbsession, changes, reason):
    # White-box: the simulator's own signing key (published in its JWKS) signs claims its
    # token endpoint never produces.
    token = provider.app.sign(_claims(provider, **changes), typ="at+jwt")
    if reason is None:  # one audience of several is ours: fine
        api.get("/api/v1/dossiers", headers=bearer(token))
    elif reason == "forbidden":  # no scope at all: authenticated, but may do nothing
        api.get("/api/v1/dossiers", headers=bearer(token), status=403)
    else:
        response = api.get("/api/v1/dossiers", headers=bearer(token), status=401)
        assert_invalid_token(response, dbsession, reason)


def test_an_id_token_or_a_persons_access_token_is_no_api_token(api, provider, factories,
                                                               dbsession):
    from tests.identity.test_simulator import code_for, redeem

    tokens = redeem(provider, code_for(provider, "els"),
                    auth=("loket-test", "loket-test-secret")).json()
    api.get("/api/v1/dossiers", headers=bearer(tokens["id_token"]), status=401)
    api.get("/api/v1/dossiers", headers=bearer(tokens["access_token"]), status=401)
    reasons = [e.details["reason"] for e in audit_events(dbsession, "api.token_rejected")]
    # The ID token is no access token; the person's access token is for Loket's login (its
    # audience is Loket's client id), not for the API.
    assert reasons == ["not_an_access_token", "claim_aud"]


def test_a_token_for_the_api_without_the_scope_is_forbidden(api, provider, factories,
                                                            dbsession):
    dossier = factories.dossier()
    for client in ("notulen", "zonder-scope"):
        token = fetch_token(provider, client)
        for url in ("/api/v1/dossiers", f"/api/v1/dossiers/{dossier.reference}"):
            response = api.get(url, headers=bearer(token), status=403)
            assert response.headers["WWW-Authenticate"] == (
                'Bearer realm="loket", error="insufficient_scope", scope="loket.api.read"')
            assert "loket.api.read" in response.json["error"]["message"]
    events = audit_events(dbsession, "api.forbidden")
    assert [(e.details["client"], e.details["scope"]) for e in events] == \
        [("notulen", "loket.api.read")] * 2 + [("zonder-scope", "loket.api.read")] * 2


def test_a_revoked_token_is_refused_until_it_expires(api, provider, factories, dbsession):
    token, other = fetch_token(provider, "integrator"), fetch_token(provider, "integrator")
    api.get("/api/v1/dossiers", headers=bearer(token))
    claims = json.loads(jws.extract_compact(token.encode()).payload)
    revoke(dbsession, jti=claims["jti"], client_id="integrator", reason="leaked",
           expires=datetime.fromtimestamp(claims["exp"], UTC))
    response = api.get("/api/v1/dossiers", headers=bearer(token), status=401)
    assert_invalid_token(response, dbsession, "revoked")
    api.get("/api/v1/dossiers", headers=bearer(other))  # the client's other tokens still work
    # The deny list forgets what has expired anyway.
    from loket.identity.tokens import purge_revoked

    dbsession.get(RevokedToken, claims["jti"]).expires = datetime.now(UTC) - timedelta(hours=1)
    dbsession.flush()
    assert purge_revoked(dbsession) == 1


def test_a_rotated_provider_key_is_fetched(api, provider):
    api.get("/api/v1/dossiers", headers=bearer(fetch_token(provider, "integrator")))
    provider.control(rotate_key=True)
    api.get("/api/v1/dossiers", headers=bearer(fetch_token(provider, "integrator")))


def test_unknown_key_ids_refetch_the_keys_at_most_once_a_minute(bearer_settings, provider, tm,
                                                                dbsession):
    app = main({}, **{**bearer_settings, "loket.api.jwks_refresh_interval": "60"})
    browser = webtest.TestApp(app, extra_environ={
        "HTTP_HOST": "localhost", "tm.active": True, "tm.manager": tm,
        "app.dbsession": dbsession})
    browser.get("/api/v1/dossiers", headers=bearer(fetch_token(provider, "integrator")))
    fetched = provider.counters()["jwks"]
    provider.control(access_token="unknown_kid")
    for _ in range(5):
        browser.get("/api/v1/dossiers", headers=bearer(fetch_token(provider, "integrator")),
                    status=401)
    assert provider.counters()["jwks"] == fetched + 1
    app.registry["db_engine"].dispose()


def test_provider_unreachable_means_503_not_401(testapp, provider, factories):
    # testapp's issuer (port 9) never answers: its keys cannot be fetched.
    response = testapp.get("/api/v1/dossiers", status=503,
                           headers=bearer(fetch_token(provider, "integrator")))
    assert response.headers["Retry-After"] == "30"


def test_a_refusal_is_audited_even_though_its_transaction_is_rolled_back(bearer_app,
                                                                         database_url):
    """Served for real (pyramid_tm commits and aborts): the 401's audit row is committed in a
    transaction of its own, after the request's was rolled back."""
    with serve(bearer_app) as base_url:
        answer = requests.get(base_url + "/api/v1/dossiers", timeout=TIMEOUT,
                              headers={"Authorization": "Bearer not-a-token"})
    assert answer.status_code == 401
    engine = get_engine({"sqlalchemy.url": database_url})
    try:
        with Session(engine) as session:
            rejected = session.scalars(select(AuditEvent).where(
                AuditEvent.action == "api.token_rejected"))
            events = [e for e in rejected if e.details["path"] == "/api/v1/dossiers"]
            assert [(e.details["reason"], e.actor_id) for e in events] == [("malformed", None)]
            session.execute(delete(AuditEvent).where(AuditEvent.id == events[0].id))
            session.commit()
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------------------------
# CSRF: still required for every session; a valid token needs none


def test_csrf_callback_is_installed(app):
    options = app.registry.getUtility(IDefaultCSRFOptions)
    assert options.require_csrf is True and options.callback is csrf_applies


def test_session_posts_still_need_a_csrf_token(api, provider, factories, login, testapp):
    team = factories.team()
    dossier = factories.dossier(team=team)
    login(factories.staff(Role.HANDLER, team=team))
    api.cookiejar = testapp.cookiejar
    form = {"transition": "ontvankelijk_verklaren", "version": str(dossier.version)}
    token = fetch_token(provider, "integrator")
    # Without a token, with a bad one, and with a valid API token on a web page: the session is
    # what authenticates these, so CSRF applies.
    for headers in ({}, bearer("x.y.z"), bearer(token)):
        response = api.post(f"/dossiers/{dossier.reference}/stap", form, headers=headers,
                            status=400)
        assert "security token" in response.text or "beveiligingscode" in response.text
    assert dossier.state == "ingediend"
    # With the session's CSRF token it works (the bearer header changes nothing on a page).
    api.post(f"/dossiers/{dossier.reference}/stap",
             {**form, "csrf_token": csrf_token(api)}, headers=bearer(token), status=302)


def test_a_bearer_token_is_no_login_on_web_pages(api, provider):
    response = api.get("/werkbank", headers=bearer(fetch_token(provider, "integrator")),
                       status=302)
    assert "/aanmelden" in response.location



def test_simulator_access_token_switch_is_checked(provider):
    answer = requests.post(provider.issuer + "/_control", json={"access_token": "bogus"},
                           timeout=TIMEOUT)
    assert answer.status_code == 400 and "access_token" in answer.json()["switches"]
    assert provider.control(access_token="expired")["switches"]["access_token"] == "expired"
    assert provider.control(reset=True)["switches"]["access_token"] == "normal"
