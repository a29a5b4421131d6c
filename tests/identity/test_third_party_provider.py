"""Logging in against a certified third-party OpenID provider running as a real server:
panva/oidc-provider (tests/oidc_provider), configured like ACM/IDM (code flow, PKCE S256,
RS256, an ``rrn`` claim and a role claim, acr values, a single-sign-on session). It puts the
scope claims in userinfo rather than in the ID token, sends the RFC 9207 ``iss`` parameter and
reuses its session unless asked otherwise, as a standard provider does."""

import json
import shutil
import socket
import subprocess
import threading
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
import webtest
from bs4 import BeautifulSoup

from loket.identity.models import User
from loket.integrations.acmidm.personas import BY_KEY, ROLE_CLAIM
from loket.main import main
from tests.identity.test_acr import session_of

FOLDER = Path(__file__).parent.parent / "oidc_provider"
CLIENT_ID, CLIENT_SECRET = "loket-derde-partij", "een-geheim-van-32-tekens-of-meer!"
EID, SMS = "urn:be:vlaanderen:authmech:eid", "urn:be:vlaanderen:authmech:csamsms"
KBO = "0207123407"
TIMEOUT = 10


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def account(key: str) -> dict:
    persona = BY_KEY[key]
    claims = {"given_name": persona.given_name, "family_name": persona.family_name,
              "email": persona.email}
    if persona.rrn:
        claims["rrn"] = persona.rrn
    if persona.roles:
        claims.update({ROLE_CLAIM: persona.role_claims(KBO), "vo_orgcode": KBO,
                       "vo_doelgroepcode": "LB"})
    return claims


@pytest.fixture(scope="module")
def third_party():
    if shutil.which("node") is None:
        pytest.skip("node is not installed here (CI installs it and runs these tests)")
    if not (FOLDER / "node_modules" / "oidc-provider").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=FOLDER, check=True,
                       capture_output=True, timeout=300)
    port = free_port()
    config = {"port": port, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
              "redirect_uris": ["http://localhost/aanmelden-terug"],
              "post_logout_redirect_uris": ["http://localhost/"],
              "acr_values": [EID, SMS],
              "accounts": {BY_KEY[k].sub: account(k) for k in ("jan", "els")}}
    process = subprocess.Popen(["node", "server.js"], cwd=FOLDER, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process.stdin.write(json.dumps(config))
    process.stdin.close()
    ready = []
    reader = threading.Thread(target=lambda: ready.append(process.stdout.readline()))
    reader.start()
    reader.join(TIMEOUT)
    if not ready or not ready[0].startswith("ready "):
        process.kill()
        error = process.stderr.read()[:2000]
        process.stdout.close()
        process.stderr.close()
        pytest.fail(f"oidc-provider did not start: {error}")
    yield ready[0].split()[1]
    process.terminate()
    process.wait(TIMEOUT)
    process.stdout.close()
    process.stderr.close()


@pytest.fixture(scope="module")
def third_party_app(app_settings, third_party):
    app = main({}, **{**app_settings, "loket.acmidm.issuer": third_party,
                      "loket.acmidm.client_id": CLIENT_ID,
                      "loket.acmidm.client_secret": CLIENT_SECRET,
                      "loket.public_url": "http://localhost"})
    yield app
    app.registry["db_engine"].dispose()


@pytest.fixture
def browser(third_party_app, tm, dbsession):
    return webtest.TestApp(third_party_app, extra_environ={
        "HTTP_HOST": "localhost", "tm.active": True, "tm.manager": tm,
        "app.dbsession": dbsession})


def at_provider(provider: requests.Session, url: str, persona: str | None = None,
                means: str = EID) -> str:
    """Follow the provider's redirects (and its login page, choosing ``persona``) until it
    sends the browser back to Loket; that address."""
    for _ in range(10):
        answer = provider.get(url, allow_redirects=False, timeout=TIMEOUT)
        if answer.status_code == 200:
            assert persona is not None, "the provider asked for a login"
            form = BeautifulSoup(answer.text, "html.parser").find("form")
            answer = provider.post(urljoin(url, form["action"]), allow_redirects=False,
                                   data={"account": BY_KEY[persona].sub, "acr": means},
                                   timeout=TIMEOUT)
            persona = None
        assert answer.status_code in (302, 303), answer.text
        url = urljoin(url, answer.headers["Location"])
        if url.startswith("http://localhost/"):
            return url
    raise AssertionError("too many redirects")


def test_citizen_login_reads_the_rrn_from_userinfo(browser, dbsession, third_party):
    auth_url = browser.get("/aanmelden", status=302).location
    assert auth_url.startswith(third_party)
    callback = at_provider(requests.Session(), auth_url, "jan")
    assert parse_qs(urlsplit(callback).query)["iss"] == [third_party]  # RFC 9207
    assert browser.get(callback, status=302).location == "http://localhost/mijn-dossiers"
    user = dbsession.query(User).filter_by(rrn=BY_KEY["jan"].rrn).one()
    assert (user.given_name, user.family_name, user.kind) == ("Jan", "Peeters", "citizen")


def test_staff_login_gets_the_roles_of_the_role_claim(browser, dbsession):
    auth_url = browser.get("/aanmelden", status=302).location
    browser.get(at_provider(requests.Session(), auth_url, "els"), status=302)
    user = dbsession.query(User).filter_by(subject=BY_KEY["els"].sub).one()
    assert user.is_staff and user.roles


def test_step_up_with_an_existing_provider_session(browser, dbsession):
    provider = requests.Session()
    browser.get(at_provider(provider, browser.get("/aanmelden").location, "jan", means=SMS),
                status=302)
    assert session_of(browser, dbsession)["acr"] == SMS
    # The provider's session is reused silently for a plain login…
    silent = browser.get("/aanmelden", status=302)
    assert silent.location == "http://localhost/mijn-dossiers"  # (already logged in here)
    # …but the step-up asks for a fresh login, so the page is shown and eID can be chosen.
    step_up = browser.get("/aanmelden", {"terug": "/mijn-dossiers", "middel": "eid"},
                          status=302).location
    back = browser.get(at_provider(provider, step_up, "jan", means=EID), status=302)
    assert back.location == "http://localhost/mijn-dossiers"
    assert session_of(browser, dbsession)["acr"] == EID


def test_the_provider_session_alone_logs_in_silently(third_party_app, tm, dbsession):
    provider = requests.Session()
    first = webtest.TestApp(third_party_app, extra_environ={
        "HTTP_HOST": "localhost", "tm.active": True, "tm.manager": tm, "app.dbsession": dbsession})
    first.get(at_provider(provider, first.get("/aanmelden").location, "jan"), status=302)
    second = webtest.TestApp(third_party_app, extra_environ=first.extra_environ)
    callback = at_provider(provider, second.get("/aanmelden").location)  # no login page
    assert second.get(callback, status=302).location == "http://localhost/mijn-dossiers"
