"""Each role starts at its own work, and the menu shows only what the role can use."""

import pytest
from sqlalchemy import select

from loket.demo import load_demo_data
from loket.identity.models import User

MENU_PAGES = {"/mijn-dossiers", "/meldingen", "/werkbank", "/adviezen", "/beheer/", "/zittingen",
              "/betalingen", "/handtekenmap", "/vorderingen"}


@pytest.fixture
def personas(dbsession, app_settings):
    load_demo_data(dbsession, app_settings)
    return {u.given_name: u for u in dbsession.scalars(select(User))}


def _menu(page) -> set[str]:
    nav = page.html.find("nav", class_="site-nav")
    return {a["href"] for a in nav.find_all("a")} & MENU_PAGES


@pytest.mark.parametrize("persona, lands_on, menu", [
    ("Jan", "/mijn-dossiers", {"/mijn-dossiers", "/meldingen"}),
    ("Els", "/werkbank", {"/werkbank"}),
    ("Nadia", "/adviezen", {"/adviezen"}),  # an adviser, not a handler: no empty workbench
    ("An", "/beheer/", {"/beheer/"}),
    ("Karin", "/zittingen", {"/zittingen"}),  # secretariat: the meetings (decisions)
    ("Luc", "/handtekenmap", {"/handtekenmap", "/zittingen"}),  # signatory: what to sign
    # finance: the payment orders first, then the fees and bank statements
    ("Pieter", "/betalingen", {"/betalingen", "/vorderingen"}),
])
def test_each_role_lands_on_its_work(testapp, login, personas, persona, lands_on, menu):
    login(personas[persona])
    home = testapp.get("/")
    assert _menu(home) == menu
    response = testapp.get("/aanmelden", status=302)  # logged in already: straight to work
    assert response.location == f"http://localhost{lands_on}"
    if lands_on != "/":
        testapp.get(lands_on, status=200)
        assert "not a member of a team" not in testapp.get(lands_on).text


def test_staff_without_a_work_list_are_told_so(testapp, login, dbsession, dutch):
    from loket.i18n import _
    from loket.identity.models import User

    # Staff whose roles were all taken away (every role has its own list now).
    user = User(subject="staff-no-roles", kind="staff", given_name="Geen", family_name="Rol")
    dbsession.add(user)
    dbsession.flush()
    login(user)
    text = " ".join(testapp.get("/").html.get_text(" ").split())
    assert dutch(_("There is no work list for your role yet. Open a dossier from a link or by "
                   "its reference.")) in text
