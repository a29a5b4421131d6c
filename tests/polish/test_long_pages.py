"""Long pages: the staff dossier page has an index of its sections after the summary; the
worklist folds its filters beyond the search into a <details> (no script)."""

import pytest
from sqlalchemy import select

from loket.demo import load_demo_data
from loket.dossiers.models import Dossier
from loket.identity.models import User


@pytest.fixture
def els(dbsession, app_settings, login):
    load_demo_data(dbsession, app_settings)
    return login(dbsession.scalars(select(User).where(User.given_name == "Els")).one())


def test_the_staff_dossier_page_has_an_index(testapp, els, dbsession):
    heating = dbsession.scalars(select(Dossier).where(Dossier.title == "Verwarmingstoelage")).one()
    page = testapp.get(f"/dossiers/{heating.reference}").html
    index = page.find("nav", class_="page-index")
    links = {a["href"][1:]: a.get_text() for a in index.find_all("a")}
    sections = [h2["id"] for h2 in page.select("main h2[id]")]
    assert list(links) == sections  # every section, in order, and only those
    assert {"gegevens-titel", "documenten-titel", "tijdlijn-titel"} <= set(links)
    assert links["documenten-titel"] == "Documenten"
    assert index.find("h2").get_text() == "Op deze pagina"
    # The summary (reference, applicant …) comes before the index.
    assert page.find("dl", class_="facts").find_next("nav", class_="page-index") is index


def test_the_worklist_folds_its_filters(testapp, els):
    page = testapp.get("/werkbank").html
    folded = page.find("details", class_="worklist-filters__more")
    assert folded is not None and not folded.has_attr("open")
    assert folded.find("select", id="status") is not None
    assert page.find("input", id="zoek").find_parent("details") is None  # search stays in view
    filtered = testapp.get("/werkbank", {"status": "ingediend"}).html
    assert filtered.find("details", class_="worklist-filters__more").has_attr("open")
