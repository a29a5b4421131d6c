"""The ACM/IDM simulator on its own: a real OIDC provider that is strict where ACM/IDM is."""

import base64
import hashlib
import re

import pytest
import requests
from bs4 import BeautifulSoup
from pyramid.exceptions import ConfigurationError

from loket.integrations.acmidm.personas import PERSONAS
from loket.integrations.acmidm.simulator import make_app
from tests.identity.conftest import TIMEOUT

REDIRECT_URI = "http://localhost/aanmelden-terug"
VERIFIER = "v" * 50
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=")


@pytest.fixture
def client(app_settings):
    return app_settings["loket.acmidm.client_id"], app_settings["loket.acmidm.client_secret"]


def authorize(acmidm, **overrides) -> requests.Response:
    params = {"client_id": acmidm.app.client_id, "redirect_uri": REDIRECT_URI,
              "response_type": "code", "scope": "openid profile rrn vo loket_rol",
              "state": "s1", "nonce": "n1", "code_challenge": CHALLENGE.decode(),
              "code_challenge_method": "S256", **overrides}
    params = {k: v for k, v in params.items() if v is not None}
    return requests.get(acmidm.issuer + "/v1/auth", params=params, allow_redirects=False,
                        timeout=TIMEOUT)


def code_for(acmidm, persona: str) -> str:
    page = authorize(acmidm)
    tx = BeautifulSoup(page.text, "html.parser").find("input", {"name": "tx"})["value"]
    answer = requests.post(acmidm.issuer + "/v1/auth", data={"tx": tx, "persona": persona},
                           allow_redirects=False, timeout=TIMEOUT)
    return re.search(r"code=([^&]+)", answer.headers["Location"]).group(1)


def redeem(acmidm, code, auth=None, **overrides) -> requests.Response:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
            "code_verifier": VERIFIER, **overrides}
    return requests.post(acmidm.issuer + "/v1/token", data=data, auth=auth, timeout=TIMEOUT)


def test_discovery_names_the_acmidm_endpoints(acmidm):
    metadata = requests.get(acmidm.issuer + "/.well-known/openid-configuration",
                            timeout=TIMEOUT).json()
    assert metadata["issuer"] == acmidm.issuer
    for key, path in [("authorization_endpoint", "/v1/auth"), ("token_endpoint", "/v1/token"),
                      ("userinfo_endpoint", "/v1/userinfo"), ("jwks_uri", "/v1/keys"),
                      ("end_session_endpoint", "/v1/logout")]:
        assert metadata[key] == acmidm.issuer + path
    assert metadata["id_token_signing_alg_values_supported"] == ["RS256"]
    keys = requests.get(metadata["jwks_uri"], timeout=TIMEOUT).json()["keys"]
    assert all(k["kty"] == "RSA" and k["kid"] and "d" not in k for k in keys)


def test_persona_page_is_dutch_accessible_and_lists_every_persona(acmidm):
    page = authorize(acmidm)
    assert page.status_code == 200
    html = BeautifulSoup(page.text, "html.parser")
    assert html.find("html")["lang"] == "nl"
    assert html.find("h1") and len(html.find_all("legend")) == 3  # citizens, staff, means
    assert not html.find_all("script") and not html.find_all(style=True)
    radios = html.find_all("input", type="radio", attrs={"name": "persona"})
    assert sorted(r["value"] for r in radios) == sorted(p.key for p in PERSONAS)
    for radio in radios:
        label = html.find("label", attrs={"for": radio["id"]})
        assert label and label.text.strip()
        assert html.find(id=radio["aria-describedby"]).text.strip()
    assert "itsme" in html.find(id="persona-ahmed-uitleg").text  # a citizen's means
    assert "Sociale dienst" in html.find(id="persona-els-uitleg").text  # a handler's team
    assert "script-src" not in page.headers["Content-Security-Policy"]


def test_persona_must_be_chosen(acmidm):
    page = authorize(acmidm)
    tx = BeautifulSoup(page.text, "html.parser").find("input", {"name": "tx"})["value"]
    answer = requests.post(acmidm.issuer + "/v1/auth", data={"tx": tx, "actie": "aanmelden"},
                           timeout=TIMEOUT)
    assert answer.status_code == 400
    assert BeautifulSoup(answer.text, "html.parser").find(attrs={"role": "alert"})


@pytest.mark.parametrize("overrides", [
    {"client_id": "someone-else"},
    {"redirect_uri": "https://evil.example/aanmelden-terug"},
    {"redirect_uri": None},
])
def test_unknown_client_or_redirect_is_never_redirected_to(acmidm, overrides):
    response = authorize(acmidm, **overrides)
    assert response.status_code == 400 and "Location" not in response.headers


@pytest.mark.parametrize(("overrides", "error"), [
    ({"scope": "openid profile beheer"}, "invalid_scope"),
    ({"scope": "profile"}, "invalid_scope"),
    ({"response_type": "token"}, "unsupported_response_type"),
    ({"code_challenge": None}, "invalid_request"),
])
def test_bad_authorization_requests_go_back_with_an_error(acmidm, overrides, error):
    response = authorize(acmidm, **overrides)
    assert response.status_code == 302
    assert response.headers["Location"].startswith(REDIRECT_URI + "?error=" + error)
    assert "state=s1" in response.headers["Location"]


def test_token_endpoint_authenticates_the_client_and_checks_pkce(acmidm, client):
    assert redeem(acmidm, code_for(acmidm, "jan"), auth=(client[0], "wrong")).status_code == 401
    wrong_pkce = redeem(acmidm, code_for(acmidm, "jan"), auth=client, code_verifier="w" * 50)
    assert wrong_pkce.json()["error"] == "invalid_grant"
    other_redirect = redeem(acmidm, code_for(acmidm, "jan"), auth=client,
                            redirect_uri="http://127.0.0.1/elders")
    assert other_redirect.json()["error"] == "invalid_grant"
    # client_secret_post works as well as client_secret_basic.
    posted = redeem(acmidm, code_for(acmidm, "jan"), client_id=client[0],
                    client_secret=client[1])
    assert posted.status_code == 200 and posted.headers["Cache-Control"] == "no-store"


def test_codes_are_single_use_and_expire(acmidm, client):
    code = code_for(acmidm, "jan")
    assert redeem(acmidm, code, auth=client).status_code == 200
    assert redeem(acmidm, code, auth=client).json()["error_description"] == (
        "authorization code already used")
    late = code_for(acmidm, "jan")
    acmidm.app.codes[late]["expires"] = 0  # as if 60 seconds went by
    assert redeem(acmidm, late, auth=client).json()["error_description"] == (
        "authorization code expired")


def test_userinfo_takes_the_access_token_only(acmidm, client):
    tokens = redeem(acmidm, code_for(acmidm, "els"), auth=client).json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] > 0
    url = acmidm.issuer + "/v1/userinfo"
    info = requests.get(url, headers={"Authorization": f"Bearer {tokens['access_token']}"},
                        timeout=TIMEOUT).json()
    assert info["loket_rol_3d"] == ["handler/sociale-dienst:0207123407"]
    assert info["vo_orgcode"] == "0207123407" and "rrn" not in info
    for token in (tokens["id_token"], "garbage"):
        answer = requests.get(url, headers={"Authorization": f"Bearer {token}"},
                              timeout=TIMEOUT)
        assert answer.status_code == 401


def test_down_answers_503_everywhere(acmidm):
    acmidm.control(down=True)
    for path in ("/.well-known/openid-configuration", "/v1/keys", "/v1/auth", "/v1/token"):
        assert requests.get(acmidm.issuer + path, timeout=TIMEOUT).status_code == 503


def test_control_refuses_unknown_switch_values(acmidm):
    answer = requests.post(acmidm.issuer + "/_control", json={"id_token": "random"},
                           timeout=TIMEOUT)
    assert answer.status_code == 400
    form_post = requests.post(acmidm.issuer + "/_control", data={"down": "1"}, timeout=TIMEOUT)
    assert form_post.status_code == 415


def test_logout_only_redirects_to_known_addresses(acmidm):
    url = acmidm.issuer + "/v1/logout"
    home = requests.get(url, params={"post_logout_redirect_uri": "http://localhost/"},
                        allow_redirects=False, timeout=TIMEOUT)
    assert home.headers["Location"] == "http://localhost/"
    evil = requests.get(url, params={"post_logout_redirect_uri": "https://evil.example/"},
                        allow_redirects=False, timeout=TIMEOUT)
    assert evil.status_code == 400 and "afgemeld" in evil.text and "Location" not in evil.headers
    for near in ("http://localhost/elders", "http://localhost/?next=https://evil.example/"):
        answer = requests.get(url, params={"post_logout_redirect_uri": near},
                              allow_redirects=False, timeout=TIMEOUT)
        assert answer.status_code == 400  # registered addresses match exactly


def test_the_simulator_refuses_production_settings(app_settings):
    with pytest.raises(ConfigurationError):
        make_app({**app_settings, "loket.environment": "production"})
