"""The workbench page: lists with counts, filters, time left, flags; the same number of SQL
statements for every list, with few rows or many."""

import contextlib
from datetime import timedelta

import pytest
from sqlalchemy import event

from loket.notes.models import DossierNote, NoteMention

LISTS = ("mijn", "team", "vrij", "advies", "bezwaren", "teruggestuurd", "te-laat",
         "deze-week")  # in this order


def test_page_shows_lists_rows_and_time_left(testapp, login, world, dbsession):
    late = world.dossier(handler_id=world.els.id, due=world.today - timedelta(days=3))
    soon = world.dossier(handler_id=world.els.id, due=world.today + timedelta(days=5))
    login(world.els)
    page = testapp.get("/werkbank")
    tabs = page.html.find("nav", class_="worklists").find_all("a")
    assert len(tabs) == len(LISTS)
    assert tabs[0]["aria-current"] == "page" and "(2)" in tabs[0].text  # "Mijn dossiers"
    rows = {tr.th.text.strip(): tr for tr in page.html.find("table").tbody.find_all("tr")}
    assert set(rows) == {late.reference, soon.reference}
    assert "3" in rows[late.reference].find("strong").text  # overdue, in bold, with words
    assert "5" in rows[soon.reference].text
    # Every cell carries its label for the phone layout; the filters have labels
    assert all(td.get("data-label") for td in rows[late.reference].find_all("td"))
    for field in page.html.find("form", role="search").find_all(["input", "select"]):
        if field.get("type") != "hidden":
            assert page.html.find("label", attrs={"for": field["id"]}), field["id"]
    # Filters and search narrow the list; a bad cursor or value starts afresh
    searched = testapp.get("/werkbank", {"zoek": late.reference})
    assert soon.reference not in searched.text and late.reference in searched.text
    # A search is not counted per list (a common name matches thousands of dossiers)
    assert not searched.html.select(".worklists__count")
    assert testapp.get("/api/v1/werkbank", {"zoek": late.reference}).json["counts"] is None
    assert late.reference in testapp.get("/werkbank", {"na": "kapot", "van": "nooit"}).text


def test_staff_without_team_sees_a_note(testapp, login, factories):
    from loket.security import Role

    login(factories.staff(Role.SECRETARIAT))
    page = testapp.get("/werkbank")
    assert page.html.find("p", class_="empty")
    assert page.html.find("table") is None


@contextlib.contextmanager
def recorded(engine):
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def fill(world, dbsession, count):
    team = world.team
    for i in range(count):
        dossier = world.dossier(team=team, handler_id=world.els.id if i % 2 else None,
                                due=world.today + timedelta(days=i % 9 - 2))
        if i % 3 == 0:
            note = DossierNote(dossier_id=dossier.id, author_id=world.bart.id, body="@els")
            note.mentions.append(NoteMention(dossier_id=dossier.id, user_id=world.els.id))
            dbsession.add(note)
    dbsession.flush()


@pytest.mark.parametrize("name", LISTS)
def test_statements_per_list_do_not_grow_with_rows(testapp, login, world, dbsession, app,
                                                   name):
    login(world.els)
    testapp.get("/werkbank")  # the session settles
    engine = app.registry["db_engine"]

    def count():
        dbsession.expunge_all()
        testapp.get("/werkbank", {"lijst": name})  # process caches (type definitions) fill
        dbsession.expunge_all()
        with recorded(engine) as statements:
            testapp.get("/werkbank", {"lijst": name, "zoek": ""})
            testapp.get("/api/v1/werkbank", {"lijst": name})
        return len(statements)

    fill(world, dbsession, 2)
    few = count()
    fill(world, dbsession, 40)
    assert count() == few


@pytest.mark.parametrize("query", ["tot=9999-12-31", "van=0001-01-01&tot=9999-12-31",
                                   "van=9999-12-31&datum=gewijzigd"])
def test_the_farthest_dates_filter_without_an_error(testapp, login, world, query):
    login(world.els)
    page = testapp.get(f"/werkbank?{query}", status=200)
    assert page.html.find("main")
