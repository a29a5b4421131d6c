"""Each list and filter returns exactly the right dossiers; counts match; keyset pages are
disjoint and complete; search finds by reference, name and text (on both databases)."""

import os
from datetime import timedelta

import pytest

from loket.advice.models import AdviceRequest
from loket.completion.models import CompletionRequest
from loket.db import utcnow
from loket.notes.models import DossierNote, NoteMention
from loket.worklists.queries import BadCursor, Filters, Viewer, worklist, worklist_counts
from loket.worklists.search import fts5_query, terms

ON_PG = bool(os.environ.get("LOKET_TEST_POSTGRESQL"))


def refs(dbsession, viewer, **filters):
    page = worklist(dbsession, viewer, Filters(**filters))
    return {row.reference for row in page.rows}


@pytest.fixture
def lists(world, dbsession):
    w, today = world, world.today
    made = {
        "mine": w.dossier(handler_id=w.els.id, due=today + timedelta(20)),
        "bart": w.dossier(handler_id=w.bart.id, due=today - timedelta(2)),
        "free": w.dossier(due=today + timedelta(3)),
        "free_late": w.dossier(due=today - timedelta(1), state="in_behandeling"),
        "advice": w.dossier(handler_id=w.bart.id),
        "mentioned": w.dossier(team=w.other_team),
        "closed": w.dossier(handler_id=w.els.id, state="afgesloten", due=today - timedelta(9)),
        "draft": w.dossier(state="concept"),
        "foreign": w.dossier(team=w.other_team, due=today),
    }
    dbsession.add(AdviceRequest(dossier_id=made["advice"].id, number=1, channel="internal",
                                team_id=w.other_team.id, due=today + timedelta(10)))
    dbsession.add(AdviceRequest(dossier_id=made["bart"].id, number=1, channel="internal",
                                team_id=w.other_team.id, due=today, status="answered"))
    note = DossierNote(dossier_id=made["mentioned"].id, author_id=w.stranger.id, body="kijk")
    note.mentions.append(NoteMention(dossier_id=made["mentioned"].id, user_id=w.els.id))
    seen = DossierNote(dossier_id=made["foreign"].id, author_id=w.stranger.id, body="gezien")
    seen.mentions.append(NoteMention(dossier_id=made["foreign"].id, user_id=w.els.id, seen=True))
    dbsession.add_all([note, seen, CompletionRequest(dossier_id=made["free"].id, question="?")])
    dbsession.flush()
    return {k: v.reference for k, v in made.items()}


def test_each_list_and_its_count(world, lists, dbsession):
    viewer = Viewer(world.els.id, [world.team.id], world.today)
    expected = {
        "mijn": {lists["mine"], lists["mentioned"]},
        "team": {lists[k] for k in ("mine", "bart", "free", "free_late", "advice")},
        "vrij": {lists["free"], lists["free_late"]},
        "advies": {lists["advice"]},
        "bezwaren": set(),  # no objections in this world (tests/objections)
        "te-laat": {lists["bart"], lists["free_late"]},
        "deze-week": {lists["free"]},
        "teruggestuurd": set(),  # loket.sending: no letter came back
    }
    for name, wanted in expected.items():
        assert refs(dbsession, viewer, list=name) == wanted, name
    counts = worklist_counts(dbsession, viewer, Filters())
    assert counts == {name: len(wanted) for name, wanted in expected.items()}


def test_flags(world, lists, dbsession):
    viewer = Viewer(world.els.id, [world.team.id], world.today)
    rows = {r.reference: r for r in worklist(dbsession, viewer, Filters()).rows}
    assert rows[lists["advice"]].flags["advice_waiting"]
    assert not rows[lists["bart"]].flags["advice_waiting"]
    assert rows[lists["free"]].flags["completion_requested"]
    assert not rows[lists["mine"]].flags["completion_requested"]


def test_filters(world, lists, dbsession):
    viewer = Viewer(world.els.id, [world.team.id], world.today)
    assert refs(dbsession, viewer, state="in_behandeling") == {lists["free_late"]}
    assert refs(dbsession, viewer, handler=world.bart.id) == {lists["bart"], lists["advice"]}
    assert refs(dbsession, viewer, handler="geen") == {lists["free"], lists["free_late"]}
    code = world.premium.dossier_type.code
    assert len(refs(dbsession, viewer, type_code=code)) == 5
    assert refs(dbsession, viewer, type_code="bestaat-niet") == set()
    # Date range on the submission date
    old = world.dossier(submitted=utcnow() - timedelta(days=40))
    recent = refs(dbsession, viewer, date_from=world.today - timedelta(days=10))
    assert old.reference not in recent and lists["mine"] in recent
    assert refs(dbsession, viewer, date_to=world.today - timedelta(days=30)) == {old.reference}
    counts = worklist_counts(dbsession, viewer, Filters(handler="geen"))
    assert counts["team"] == 3 and counts["vrij"] == 3
    assert counts["mijn"] == 1  # the mention (unassigned, another team)


@pytest.mark.parametrize("sort", ["termijn", "gewijzigd", "ingediend", "referentie"])
def test_keyset_pages_are_disjoint_and_complete(world, dbsession, sort):
    for i in range(13):
        world.dossier(due=world.today + timedelta(i % 4) if i % 3 else None,
                      submitted=None if i % 5 == 0 else utcnow() - timedelta(days=i % 4))
    viewer = Viewer(world.els.id, [world.team.id], world.today)
    everything = [r.id for r in worklist(
        dbsession, viewer, Filters(sort=sort, limit=100)).rows]
    seen, cursor = [], None
    while True:
        page = worklist(dbsession, viewer, Filters(sort=sort, limit=4, cursor=cursor))
        seen.extend(r.id for r in page.rows)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == everything and len(set(seen)) == 13


def test_a_foreign_cursor_is_refused(world, dbsession):
    viewer = Viewer(world.els.id, [world.team.id], world.today)
    for bad in ("bm9wZQ", "eyJ4IjoxfQ", "%%%"):
        with pytest.raises(BadCursor):
            worklist(dbsession, viewer, Filters(cursor=bad))
    for _ in range(3):
        world.dossier()
    cursor = worklist(dbsession, viewer, Filters(limit=1)).next_cursor
    with pytest.raises(BadCursor):  # a cursor of another sort order
        worklist(dbsession, viewer, Filters(sort="referentie", cursor=cursor))


def test_search_by_reference_name_and_text(world, dbsession, factories):
    viewer = Viewer(world.els.id, [world.team.id], world.today)
    target = world.dossier(data={"motivatie": "De verwarmingspremie voor mijn stookolie",
                                 "iban": "BE68539007547034"})
    target.applicant.family_name = "Vandersteen"
    dbsession.flush()
    target.title = "Premie stookolie"  # a change of the dossier rewrites its search row
    dbsession.flush()
    world.dossier(data={"motivatie": "iets anders"})
    found = {r: refs(dbsession, viewer, search=r) for r in
             (target.reference, "stookolie", "verwarmingspremie", "Premie Stook")}
    assert all(v == {target.reference} for v in found.values()), found
    # Not the IBAN (not a text field), nothing for unknown words, and no FTS syntax injection.
    assert refs(dbsession, viewer, search="BE68539007547034") == set()
    assert refs(dbsession, viewer, search="onbestaand") == set()
    for nasty in ('"', "stook* OR NOT", "NEAR(a b)", "motivatie:stookolie", "') OR 1=1 --"):
        refs(dbsession, viewer, search=nasty)  # no error
    # The name as it was when the dossier last changed
    assert target.reference in refs(dbsession, viewer, search="Vandersteen")


@pytest.mark.postgresql
def test_dutch_stemming_on_postgresql(world, dbsession):
    viewer = Viewer(world.els.id, [world.team.id], world.today)
    target = world.dossier(data={"motivatie": "Aanvraag van een premie voor isolatie"})
    assert refs(dbsession, viewer, search="premies") == {target.reference}
    assert refs(dbsession, viewer, search="isolaties") == {target.reference}


def test_search_terms_are_quoted():
    assert terms("2026-000123  Jan\"s") == ["2026-000123", "Jan", "s"]
    assert fts5_query(['a"b', "OR"]) == '("a""b"*) AND ("OR"*)'
    assert fts5_query(["premies"]) == '("premies"* OR "premie"*)'
    assert len(terms("w " * 50)) == 8


@pytest.mark.skipif(ON_PG, reason="SQLite's query plan")
def test_sqlite_search_uses_the_fts_index(world, dbsession):
    from sqlalchemy import text

    plan = dbsession.execute(text(
        "EXPLAIN QUERY PLAN SELECT rowid FROM dossier_search_fts "
        "WHERE dossier_search_fts MATCH '\"x\"*'")).all()
    assert any("VIRTUAL TABLE INDEX" in str(row) for row in plan)


@pytest.mark.postgresql
def test_postgresql_search_uses_the_gin_index(world, dbsession):
    from sqlalchemy import select, text

    from loket.dossiers.models import Dossier
    from loket.worklists.search import matches

    dbsession.execute(text("SET LOCAL enable_seqscan = off"))
    statement = select(Dossier.id).where(matches("postgresql", "premies"))
    compiled = statement.compile(dbsession.get_bind(), compile_kwargs={"literal_binds": True})
    plan = " ".join(r[0] for r in dbsession.execute(text(f"EXPLAIN {compiled}")))
    assert "ix_dossier_search_body_dutch" in plan


def test_the_type_filter_offers_each_type_by_its_title(dbsession, factories):
    from loket.worklists.queries import dossier_types

    version = factories.type_version(title={"nl": "Huurpremie", "en": "Rent premium"})
    titles = dict(dossier_types(dbsession))
    assert titles[version.dossier_type.code] == {"nl": "Huurpremie", "en": "Rent premium"}


def test_counts_stop_at_the_limit(dbsession, world, lists, monkeypatch):
    from loket.worklists import queries

    viewer = Viewer(world.els.id, [world.team.id], world.today)
    exact = worklist_counts(dbsession, viewer, Filters())
    assert exact["team"] >= 3
    monkeypatch.setattr(queries, "COUNT_LIMIT", 2)
    capped = worklist_counts(dbsession, viewer, Filters())
    assert capped["team"] == 3  # read: more than 2
    assert all(capped[name] == min(count, 3) for name, count in exact.items())
