"""Login level (acr): a page asks ACM/IDM for the means it needs, the simulator lets the tester
choose the means, and a login with another means is refused on a page that says what is
needed (and changes nothing)."""

from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from bs4 import BeautifulSoup
from pyramid.testing import DummyRequest

from loket.identity import acr
from loket.identity.models import WebSession
from loket.identity.sessions import COOKIE_NAME, _hash
from loket.integrations.acmidm.simulator import ACR_LABELS, DEFAULT_ACR
from loket.resources import Root
from tests.identity.conftest import TIMEOUT, choose_persona, log_in, start_login
from tests.identity.test_login import assert_refused, audit_events, user_of
from tests.identity.test_simulator import authorize

EID = acr.ACR_PREFIX + "eid"
ITSME = acr.ACR_PREFIX + "itsme"
SMS = acr.ACR_PREFIX + "csamsms"


def means_page(auth_url: str) -> BeautifulSoup:
    page = requests.get(auth_url, timeout=TIMEOUT)
    assert page.status_code == 200, page.text
    return BeautifulSoup(page.text, "html.parser")


def offered(html: BeautifulSoup) -> dict[str, bool]:
    """The means on the persona page: acr → checked."""
    return {r["value"]: r.has_attr("checked")
            for r in html.find_all("input", attrs={"name": "aanmeldmiddel"})}


def session_of(browser, dbsession) -> dict:
    return dbsession.get(WebSession, _hash(browser.cookies[COOKIE_NAME])).data


# --- acr_satisfied and step_up_url --------------------------------------------------------


def _request(acr_value, logged_in=True):
    request = DummyRequest()
    request.bearer = SimpleNamespace(present=False, client=None)
    request.user = object() if logged_in else None
    request.session["acr"] = acr_value
    return request


@pytest.mark.parametrize(("session_acr", "accepted", "logged_in", "expected"), [
    (EID, [EID, ITSME], True, True),
    (SMS, [EID, ITSME], True, False),
    (None, [EID], True, False),
    (SMS, [], True, True),  # no demand: any login
    (EID, [], False, False),  # nobody logged in
])
def test_acr_satisfied(session_acr, accepted, logged_in, expected):
    assert acr.acr_satisfied(_request(session_acr, logged_in), accepted) is expected


def test_a_citizens_api_token_carries_its_own_means():
    request = _request(SMS)
    request.bearer = SimpleNamespace(present=True, client=SimpleNamespace(acr=ITSME))
    assert acr.acr_satisfied(request, [ITSME])
    assert not acr.acr_satisfied(request, [EID])


def test_step_up_url_names_the_means_and_only_a_local_return():
    request = DummyRequest()
    request.root = Root(request)
    url = acr.step_up_url(request, "/catalogus/energiepremie/@@aanvragen",
                          [EID, ITSME, "urn:example:unknown"])
    parts = urlsplit(url)
    assert parts.path == "/aanmelden"
    assert parse_qs(parts.query) == {"terug": ["/catalogus/energiepremie/@@aanvragen"],
                                     "middel": ["eid", "itsme"]}
    assert "evil" not in acr.step_up_url(request, "https://evil.example/", [EID])


# --- the login asks for the means ---------------------------------------------------------


def test_a_step_up_login_sends_acr_values_and_the_simulator_offers_only_those(browser):
    auth_url = start_login(browser, "/mijn-dossiers")
    assert "acr_values" not in parse_qs(urlsplit(auth_url).query)
    assert offered(means_page(auth_url)) == {urn: urn == DEFAULT_ACR for urn in ACR_LABELS}

    response = browser.get("/aanmelden", {"terug": "/mijn-dossiers", "middel": ["itsme", "eid"]},
                           status=302)
    query = parse_qs(urlsplit(response.location).query)
    assert query["acr_values"] == [f"{ITSME} {EID}"]
    html = means_page(response.location)
    assert offered(html) == {ITSME: False, EID: True}  # eID preselected when it may be used
    for radio in html.find_all("input", attrs={"name": "aanmeldmiddel"}):
        assert html.find("label", attrs={"for": radio["id"]}).text.strip()


def test_the_chosen_means_is_recorded_in_the_session(browser, dbsession):
    auth_url = browser.get("/aanmelden", {"middel": ["eid", "itsme"]}).location
    browser.get(choose_persona(auth_url, "jan", means=ITSME), status=302)
    assert session_of(browser, dbsession)["acr"] == ITSME
    [event] = audit_events(dbsession, "login")
    assert event.details["acr"] == ITSME


def test_a_weaker_login_is_stepped_up_and_a_strong_enough_one_is_not(browser, dbsession):
    log_in_with = choose_persona(start_login(browser), "jan", means=SMS)
    browser.get(log_in_with, status=302)
    assert session_of(browser, dbsession)["acr"] == SMS
    # The page needs eID or itsme: a new login at ACM/IDM, asking for those.
    step_up = browser.get("/aanmelden", {"terug": "/mijn-dossiers", "middel": ["eid", "itsme"]},
                          status=302)
    assert step_up.location.startswith(browser.app.registry.settings["loket.acmidm.issuer"])
    back = browser.get(choose_persona(step_up.location, "jan", means=EID), status=302)
    assert back.location == "http://localhost/mijn-dossiers"
    assert session_of(browser, dbsession)["acr"] == EID
    # Now strong enough: straight on, no new login.
    again = browser.get("/aanmelden", {"terug": "/mijn-dossiers", "middel": "eid"}, status=302)
    assert again.location == "http://localhost/mijn-dossiers"


def test_the_simulator_refuses_a_means_it_did_not_offer(acmidm):
    page = authorize(acmidm, acr_values=f"{EID} {ITSME}")
    tx = BeautifulSoup(page.text, "html.parser").find("input", {"name": "tx"})["value"]
    answer = requests.post(acmidm.issuer + "/v1/auth", timeout=TIMEOUT, allow_redirects=False,
                           data={"tx": tx, "persona": "jan", "aanmeldmiddel": SMS})
    assert answer.status_code == 400
    assert "aanmeldmiddel" in BeautifulSoup(answer.text, "html.parser").find(
        attrs={"role": "alert"}).text


def test_a_login_with_another_means_than_asked_is_refused_clearly(browser, dbsession, acmidm):
    acmidm.control(acr=SMS)  # a provider that ignores acr_values
    browser.set_cookie("loket_taal", "en")
    auth_url = browser.get("/aanmelden", {"terug": "/dossiers/2026-000001",
                                          "middel": ["eid", "itsme"]}).location
    page = browser.get(choose_persona(auth_url, "jan"), status=403)
    html = BeautifulSoup(page.text, "html.parser")
    assert html.find("h1").text == "Another way of logging in is needed"
    message = html.find(attrs={"role": "alert"}).text
    assert "eID with a card reader or itsme" in message
    assert "a security code by text message" in message
    retry = html.find("a", string="Log in with another means")["href"]
    assert parse_qs(urlsplit(retry).query) == {"terug": ["/dossiers/2026-000001"],
                                               "middel": ["eid", "itsme"]}
    assert_refused(browser, dbsession, "jan", "acr_insufficient")


def test_an_unknown_means_in_the_url_is_ignored(browser, dbsession):
    response = browser.get("/aanmelden", {"middel": ["password", "../x"]}, status=302)
    assert "acr_values" not in parse_qs(urlsplit(response.location).query)
    log_in(browser, "sofie")
    assert user_of(dbsession, "sofie") is not None
