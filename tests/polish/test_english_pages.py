"""The citizen's and the handler's pages in English: no Dutch left of the listed strings, and
amounts and sizes written the English way (the demo data, as `make run` shows it)."""

import re

import pytest
from sqlalchemy import select

from loket.demo import load_demo_data
from loket.dossiers.models import Dossier
from loket.identity.models import User

DUTCH_LEFTOVERS = ["Verwarmingstoelage", "Mantelzorgpremie", "Factuur of leveringsbewijs",
                   "Attest van zorgbehoevendheid", "stookolie", "Vast bureau (OCMW)",
                   "The municipality's", "Whose turn", "1.420,00", "€ 1.420"]


@pytest.fixture
def demo(dbsession, app_settings):
    load_demo_data(dbsession, app_settings)
    users = {u.given_name: u for u in dbsession.scalars(select(User))}
    heating = dbsession.scalars(select(Dossier).where(Dossier.title == "Verwarmingstoelage")).one()
    return users, heating


def _english_text(testapp, path) -> str:
    testapp.set_cookie("loket_taal", "en")
    page = testapp.get(path)
    assert page.html.html["lang"] == "en"
    return " ".join(page.html.find("main").get_text(" ").split())


def _no_dutch(text):
    for dutch in DUTCH_LEFTOVERS:
        assert dutch not in text, dutch
    assert not re.search(r"\d\.\d kB", text)  # never "0.6 kB"


def test_citizen_pages_in_english(testapp, login, demo):
    users, heating = demo
    login(users["Jan"])
    for path in ("/mijn-dossiers", "/catalogus/verwarmingstoelage",
                 f"/dossiers/{heating.reference}"):
        _no_dutch(_english_text(testapp, path))
    page = _english_text(testapp, f"/dossiers/{heating.reference}")
    assert "Heating allowance" in page and "Invoice or delivery note" in page
    assert "Next step by The municipality" in page
    assert "Amount of the invoice €1,420.00" in page and "Fuel Heating gas oil" in page
    assert "Standing committee of the OCMW" in _english_text(testapp,
                                                            "/catalogus/verwarmingstoelage")


def test_handler_pages_in_english(testapp, login, demo):
    users, heating = demo
    login(users["Els"])
    for path in ("/werkbank", f"/dossiers/{heating.reference}"):
        _no_dutch(_english_text(testapp, path))
    assert "Heating allowance" in _english_text(testapp, f"/dossiers/{heating.reference}")


def test_the_same_pages_in_dutch(testapp, login, demo):
    users, heating = demo
    login(users["Jan"])
    page = " ".join(testapp.get(f"/dossiers/{heating.reference}").html.find("main")
                    .get_text(" ").split())
    assert "Verwarmingstoelage" in page and "Factuur of leveringsbewijs" in page
    assert "Bedrag van de factuur € 1.420,00" in page and "Wie is aan zet De gemeente" in page
