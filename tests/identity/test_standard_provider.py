"""Loket against the ACM/IDM simulator behaving as a standard OpenID provider: single sign-on
and step-up, the RFC 9207 ``iss`` parameter, claims from userinfo, ``acr``/``auth_time`` only
when asked, S256 only, exact post-logout addresses, introspection."""

import re
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from bs4 import BeautifulSoup
from joserfc import jwt
from joserfc.jwk import KeySet

from loket.identity.models import User
from tests.identity.conftest import TIMEOUT, start_login
from tests.identity.test_acr import session_of
from tests.identity.test_login import assert_refused
from tests.identity.test_simulator import authorize, code_for, redeem

EID = "urn:be:vlaanderen:authmech:eid"
SMS = "urn:be:vlaanderen:authmech:csamsms"


@pytest.fixture
def client(app_settings):
    return app_settings["loket.acmidm.client_id"], app_settings["loket.acmidm.client_secret"]


def at_provider(session: requests.Session, auth_url: str, persona: str | None = None,
                means: str | None = None) -> str:
    """Follow Loket's redirect in a browser that keeps the provider's cookies: the persona
    page when the provider shows one (then ``persona`` is chosen), else its silent answer.
    The redirect back to Loket."""
    page = session.get(auth_url, allow_redirects=False, timeout=TIMEOUT)
    if page.status_code == 302:
        assert persona is None, "the provider logged in silently, no page was shown"
        return page.headers["Location"]
    assert page.status_code == 200 and persona is not None, page.text
    form = BeautifulSoup(page.text, "html.parser").find("form")
    fields = {i["name"]: i.get("value", "") for i in form.find_all("input", type="hidden")}
    if means:
        fields["aanmeldmiddel"] = means
    answer = session.post(urljoin(auth_url, form["action"]), allow_redirects=False,
                          timeout=TIMEOUT, data={**fields, "persona": persona})
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def session_acr(browser, dbsession):
    return session_of(browser, dbsession).get("acr")


def test_step_up_with_an_existing_provider_session_asks_again(browser, dbsession, acmidm):
    provider = requests.Session()
    browser.get(at_provider(provider, start_login(browser), "jan", means=SMS), status=302)
    # The provider has a single-sign-on session now: a plain login is silent.
    silent = at_provider(provider, authorize(acmidm).url)
    assert "code=" in silent
    # The page needs eID: Loket asks for a fresh login, so the provider shows its page again
    # instead of handing back the weaker login (which would loop on "te zwak aangemeld").
    step_up = browser.get("/aanmelden", {"terug": "/mijn-dossiers", "middel": "eid"},
                          status=302).location
    query = parse_qs(urlsplit(step_up).query)
    assert query["prompt"] == ["login"] and query["max_age"] == ["0"]
    assert query["acr_values"] == [EID]
    back = browser.get(at_provider(provider, step_up, "jan", means=EID), status=302)
    assert back.location == "http://localhost/mijn-dossiers"
    assert session_acr(browser, dbsession) == EID


def test_without_prompt_login_a_step_up_would_loop(acmidm):
    """What Loket's step-up guards against: the standard provider reuses its session."""
    provider = requests.Session()
    at_provider(provider, authorize(acmidm).url, "jan", means=SMS)
    again = at_provider(provider, authorize(acmidm, acr_values=EID).url)
    code = re.search(r"code=([^&]+)", again).group(1)
    tokens = redeem(acmidm, code, auth=(acmidm.app.client_id, acmidm.app.client_secret)).json()
    claims = jwt.decode(tokens["id_token"], KeySet(list(acmidm.app.keys))).claims
    assert claims["acr"] == SMS  # the weaker means, silently


def test_prompt_none_without_a_session_is_login_required(acmidm):
    answer = authorize(acmidm, prompt="none")
    query = parse_qs(urlsplit(answer.headers["Location"]).query)
    assert query["error"] == ["login_required"] and query["iss"] == [acmidm.issuer]


@pytest.mark.parametrize(("mode", "reason"), [("wrong", "iss_parameter_mismatch"),
                                              ("missing", "iss_parameter_missing")])
def test_the_issuer_parameter_is_checked(browser, dbsession, acmidm, mode, reason):
    acmidm.control(iss_param=mode)
    callback = at_provider(requests.Session(), start_login(browser), "jan")
    browser.get(callback, status=400)
    assert_refused(browser, dbsession, "jan", reason)


def test_claims_missing_from_the_id_token_come_from_userinfo(browser, dbsession, acmidm):
    acmidm.control(id_token_claims=False)
    before = acmidm.counters().get("userinfo", 0)
    browser.get(at_provider(requests.Session(), start_login(browser), "jan"), status=302)
    assert acmidm.counters()["userinfo"] == before + 1
    user = dbsession.query(User).filter_by(rrn="85631415304").one()
    assert (user.given_name, user.family_name) == ("Jan", "Peeters")


def test_a_complete_id_token_needs_no_userinfo(browser, acmidm):
    before = acmidm.counters().get("userinfo", 0)
    browser.get(at_provider(requests.Session(), start_login(browser), "jan"), status=302)
    assert acmidm.counters().get("userinfo", 0) == before


@pytest.mark.parametrize(("mode", "status"), [("issued_in_future", 400), ("long_lived", 302)])
def test_iat_is_judged_with_exp(browser, dbsession, acmidm, mode, status):
    acmidm.control(id_token=mode)
    browser.get(at_provider(requests.Session(), start_login(browser), "jan"), status=status)
    if status == 400:
        assert_refused(browser, dbsession, "jan", "id_token_iat")


def test_acr_and_auth_time_only_when_asked(acmidm, client):
    def id_token_claims(**params):
        provider = requests.Session()
        code = re.search(r"code=([^&]+)", at_provider(provider, authorize(acmidm, **params).url,
                                                       "jan")).group(1)
        tokens = redeem(acmidm, code, auth=client).json()
        return jwt.decode(tokens["id_token"], KeySet(list(acmidm.app.keys))).claims

    plain = id_token_claims()
    assert "acr" not in plain and "auth_time" not in plain
    asked = id_token_claims(claims='{"id_token":{"acr":null,"auth_time":null}}')
    assert asked["acr"] and isinstance(asked["auth_time"], int)
    assert "auth_time" in id_token_claims(max_age="0") and "acr" in id_token_claims(
        acr_values=EID)


def test_only_s256(acmidm):
    for method in ("plain", None):
        answer = authorize(acmidm, code_challenge_method=method)
        assert parse_qs(urlsplit(answer.headers["Location"]).query)["error"] \
            == ["invalid_request"]
    discovery = requests.get(acmidm.issuer + "/.well-known/openid-configuration",
                             timeout=TIMEOUT).json()
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert discovery["authorization_response_iss_parameter_supported"] is True


def test_introspection(acmidm, client):
    tokens = redeem(acmidm, code_for(acmidm, "jan"), auth=client).json()
    url = acmidm.issuer + "/v1/introspect"
    active = requests.post(url, data={"token": tokens["access_token"]}, auth=client,
                           timeout=TIMEOUT).json()
    assert active["active"] is True and active["client_id"] == client[0]
    assert active["sub"] and "openid" in active["scope"].split()
    for token in (tokens["id_token"], "rommel"):  # an ID token is no access token
        assert requests.post(url, data={"token": token}, auth=client,
                             timeout=TIMEOUT).json() == {"active": False}
    anonymous = requests.post(url, data={"token": tokens["access_token"]}, timeout=TIMEOUT)
    assert anonymous.status_code == 401


def test_logout_ends_the_provider_session(acmidm):
    provider = requests.Session()
    at_provider(provider, authorize(acmidm).url, "jan")
    assert "code=" in at_provider(provider, authorize(acmidm).url)  # silent
    provider.get(acmidm.issuer + "/v1/logout", allow_redirects=False, timeout=TIMEOUT,
                 params={"post_logout_redirect_uri": "http://localhost/"})
    page = provider.get(authorize(acmidm).url, allow_redirects=False, timeout=TIMEOUT)
    assert page.status_code == 200  # the persona page again
