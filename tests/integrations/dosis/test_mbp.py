"""The Mijn Burgerprofiel page of the simulator: a citizen logs in through the ACM/IDM
simulator and sees the dossiers of every source that name them, and nobody else's."""

import uuid
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from bs4 import BeautifulSoup

from loket.integrations.dosis.client import DosisClient
from loket.integrations.dosis.keys import load_key
from loket.integrations.dosis.mbp import MijnBurgerprofiel
from loket.integrations.dosis.simulator import OAUTH_PATH
from tests.integrations.dosis.conftest import BRON, CLIENT_ID, JAN, SOFIE, TIMEOUT


def status(number, name, rrn, code="InBehandeling", phase="Behandeling", action=None,
           link=None) -> dict:
    return {
        "Identificatie": {"Bron": BRON, "DossierNummer": number}, "UploadId": str(uuid.uuid4()),
        "Naam": name, "WijzigingsDatum": "2026-11-22T10:30:00",
        "Status": {"VlaamsCode": code, "VlaamsFase": phase, "Detail1": "Toelichting",
                   "Actie": {"ActieNodig": True, "Actie": action} if action
                   else {"ActieNodig": False}},
        "TypeDossierCode": "DossierStatus", "Producten": [{"Id": "100103"}],
        "DossierBeheerder": {"Naam": "Gemeente Heidebeek", "Dienst": "Sociale dienst"},
        "Agenten": [{"Identificatie": rrn, "Toegangsrechten": [{"Code": "Raadpleger"}]}],
        "Doorverwijzing": link or f"http://127.0.0.1:6543/dossiers/{number}",
    }


@pytest.fixture
def pushed(dosis, dosis_key_file):
    """Two dossiers of Jan and one of Sofie, pushed by Loket's client."""
    client = DosisClient(token_url=dosis.url + OAUTH_PATH, base_url=dosis.url,
                         client_id=CLIENT_ID, key=load_key(dosis_key_file))
    client.push(status("2026-000101", "Verwarmingstoelage", JAN, "DossierOnvolledig",
                       "Samenstelling", action="Bezorg ons het attest van je ziekenfonds."))
    client.push(status("2026-000102", "Mantelzorgpremie", JAN, "Goedgekeurd"))
    client.push(status("2026-000103", "Geboortepremie", SOFIE, "Betaald", "Afgerond"))
    return client


def log_in(dosis, persona: str) -> tuple[requests.Session, requests.Response]:
    """The whole login at Mijn Burgerprofiel: its redirect, the persona page, the way back."""
    browser = requests.Session()
    page = browser.get(dosis.url + "/mbp/aanmelden", timeout=TIMEOUT)  # follows to ACM/IDM
    assert page.status_code == 200, page.text
    assert urlsplit(page.url).path == "/acmidm/op/v1/auth"
    form = BeautifulSoup(page.text, "html.parser").find("form")
    fields = {i["name"]: i.get("value", "") for i in form.find_all("input", type="hidden")}
    answer = browser.post(urljoin(page.url, form["action"]), timeout=TIMEOUT,
                          data={**fields, "persona": persona, "actie": "aanmelden"})
    return browser, answer


def cards(response) -> dict[str, BeautifulSoup]:
    html = BeautifulSoup(response.text, "html.parser")
    return {c.find("h2").get_text(strip=True): c for c in html.select(".dossier")}


def test_welcome_page_before_login(dosis):
    page = requests.get(dosis.url + "/mbp", timeout=TIMEOUT)
    assert page.status_code == 200
    html = BeautifulSoup(page.text, "html.parser")
    assert html.html["lang"] == "nl"
    assert html.find("h1").get_text() == "Mijn Burgerprofiel"
    assert html.find("a", string="Aanmelden")["href"] == "/dosis/mbp/aanmelden"
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    css = requests.get(dosis.url + "/mbp/static/mbp.css", timeout=TIMEOUT)
    assert css.headers["Content-Type"].startswith("text/css")


def test_citizen_sees_only_their_own_dossiers(dosis, pushed):
    browser, page = log_in(dosis, "jan")
    assert page.status_code == 200, page.text
    assert page.url == dosis.url + "/mbp"
    assert "Jan Peeters" in page.text
    found = cards(page)
    # Loket's two, and one from another source; not Sofie's nor Lotte's.
    assert set(found) == {"Verwarmingstoelage", "Mantelzorgpremie",
                          "Mijn VerbouwPremie: dakisolatie"}
    heating = found["Verwarmingstoelage"]
    assert heating.select_one(".dossier__status").get_text() == "Dossier onvolledig"
    assert heating.select_one(".dossier__phase").get_text() == "Samenstelling"
    assert "Actie nodig: Bezorg ons het attest" in heating.get_text(" ", strip=True)
    link = heating.find("a")
    assert link["href"] == "http://127.0.0.1:6543/dossiers/2026-000101"
    assert link.get_text() == "Bekijk dossier 2026-000101 bij Gemeente Heidebeek"
    assert "Actie nodig" not in found["Mantelzorgpremie"].get_text()
    assert JAN not in page.text  # the number is the key, never shown

    sofie_browser, sofie_page = log_in(dosis, "sofie")
    assert set(cards(sofie_page)) == {"Geboortepremie"}
    # Jan's session is his own.
    assert set(cards(browser.get(dosis.url + "/mbp", timeout=TIMEOUT))) == set(found)


def test_citizen_without_dossiers(dosis, pushed):
    _browser, page = log_in(dosis, "ahmed")
    assert cards(page) == {}
    assert "Er zijn geen dossiers op uw naam." in page.text


def test_what_sources_send_is_escaped_and_only_web_links_are_links(dosis, pushed):
    pushed.push(status("2026-000104", "<script>alert(1)</script>", JAN))
    _browser, page = log_in(dosis, "jan")
    assert "<script>alert(1)</script>" in cards(page)
    assert "<script>" not in page.text
    view = MijnBurgerprofiel.view({**status("1", "x", JAN), "Doorverwijzing": "javascript:x"})
    assert view["link"] == ""


def test_logout(dosis, pushed):
    browser, page = log_in(dosis, "jan")
    assert browser.cookies.get("mbp_sessie")
    form = BeautifulSoup(page.text, "html.parser").find("form")
    answer = browser.post(urljoin(page.url, form["action"]), timeout=TIMEOUT)
    assert answer.url == dosis.url + "/mbp"
    assert "Aanmelden" in answer.text and not cards(answer)
    assert browser.get(dosis.url + "/mbp/afmelden", timeout=TIMEOUT).status_code == 405


def test_cancelled_login(dosis):
    browser = requests.Session()
    page = browser.get(dosis.url + "/mbp/aanmelden", timeout=TIMEOUT)
    form = BeautifulSoup(page.text, "html.parser").find("form")
    fields = {i["name"]: i.get("value", "") for i in form.find_all("input", type="hidden")}
    answer = browser.post(urljoin(page.url, form["action"]), timeout=TIMEOUT,
                          data={**fields, "actie": "annuleren"})
    assert answer.status_code == 400
    assert "geannuleerd" in answer.text
    assert not browser.cookies.get("mbp_sessie")


def test_callback_without_a_login_in_progress(dosis):
    answer = requests.get(dosis.url + "/mbp/terug", params={"code": "x", "state": "verzonnen"},
                          timeout=TIMEOUT)
    assert answer.status_code == 400
    assert "verlopen" in answer.text


def test_login_refused_on_a_foreign_host(dosis):
    answer = requests.get(dosis.url + "/mbp/aanmelden", headers={"Host": "evil.example"},
                          timeout=TIMEOUT, allow_redirects=False)
    assert answer.status_code == 400
