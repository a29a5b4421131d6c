"""Team names in the reader's language: a team's ``{nl, en}`` title on the workbench, the
dossier pages and the advice request form (issue 19, point 2's team names)."""

import pytest
from sqlalchemy import select

from loket.demo import load_demo_data
from loket.dossiers.models import Dossier
from loket.identity.models import Team, User


@pytest.fixture
def demo(dbsession, app_settings):
    load_demo_data(dbsession, app_settings)
    users = {u.given_name: u for u in dbsession.scalars(select(User))}
    by_title = {d.title: d for d in dbsession.scalars(select(Dossier))}
    return users, by_title["Verwarmingstoelage"], by_title["Mantelzorgpremie"]


def _main(testapp, path, language) -> str:
    testapp.set_cookie("loket_taal", language)
    page = testapp.get(path)
    assert page.html.html["lang"] == language
    return " ".join(page.html.find("main").get_text(" ").split())


def test_the_handler_reads_team_names_in_english(testapp, login, demo):
    users, heating, in_handling = demo
    login(users["Els"])
    workbench = _main(testapp, "/werkbank", "en")
    assert "Social services (PCSW)" in workbench and "Sociale dienst" not in workbench
    page = _main(testapp, f"/dossiers/{heating.reference}", "en")
    assert "Team Social services (PCSW)" in page and "Sociale dienst" not in page
    # The advice form names the advising teams the same way.
    testapp.set_cookie("loket_taal", "en")
    form = testapp.get(f"/dossiers/{in_handling.reference}").html.select_one(
        "option[value='team:financiele-dienst']")
    assert form.get_text(strip=True) == "Finance department"


def test_the_citizen_reads_the_team_in_english_and_in_dutch(testapp, login, demo):
    users, heating, _in_handling = demo
    login(users["Jan"])
    english = _main(testapp, f"/dossiers/{heating.reference}", "en")
    assert "Handled by Social services (PCSW)" in english
    dutch = _main(testapp, f"/dossiers/{heating.reference}", "nl")
    assert "Behandeld door Sociale dienst (OCMW)" in dutch


def test_a_team_without_an_english_title_reads_in_dutch(dbsession, factories):
    team = factories.team(name="Dienst Burgerzaken")
    dbsession.flush()
    assert team.title == {"nl": "Dienst Burgerzaken"}
    assert team.title_in("en") == team.title_in("nl") == "Dienst Burgerzaken"
    assert dbsession.scalar(select(Team.title).where(Team.id == team.id)) == {
        "nl": "Dienst Burgerzaken"}
