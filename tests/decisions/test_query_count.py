"""A meeting of 200 items renders and records within a fixed SQL statement budget: the same
number of statements for a few items as for 200."""

import contextlib
from datetime import timedelta

from sqlalchemy import event, func, select

from loket.db import utcnow
from loket.decisions import services
from loket.decisions.models import Decision, Meeting
from loket.notifications.models import NotificationPreference
from tests.decisions.conftest import on_agenda

# Rendering: what every page costs (session, user, layout), the meeting (traversal) and its
# items with their dossiers' references in one statement (was 9: the meeting again, then the
# items with their dossiers, each with its applicant, team and type).
RENDER_BUDGET = 7
# Recording: the meeting, its items and their dossiers; one UPDATE of all dossiers (each with
# its version check), of the items, the meeting; the history, audit events, decisions and
# notifications in batched INSERTs; the following meeting of the postponed items; the
# deadlines and the notification preferences of all dossiers at once; three statements per
# hash chain flush.
RECORD_BUDGET = 40


@contextlib.contextmanager
def recorded(engine):
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def render_count(testapp, dbsession, engine, meeting):
    path = f"/zittingen/{meeting.id}"
    testapp.get(path)
    dbsession.flush()
    dbsession.expunge_all()
    with recorded(engine) as statements:
        page = testapp.get(path)
    return len(statements), page


def test_meeting_page_costs_the_same_for_2_and_200_items(testapp, login, secretary, factories,
                                                         dbsession, held_meeting, app):
    engine = app.registry["db_engine"]
    login(secretary)
    meeting_id = held_meeting.id
    for _ in range(2):
        on_agenda(factories, dbsession, held_meeting)
    few, _page = render_count(testapp, dbsession, engine, held_meeting)
    held_meeting = dbsession.get(Meeting, meeting_id)
    for _ in range(198):
        on_agenda(factories, dbsession, held_meeting)
    many, _page = render_count(testapp, dbsession, engine, held_meeting)
    assert few == many <= RENDER_BUDGET, (few, many)


def _meeting(dbsession, bodies, hours):
    starts = utcnow() - timedelta(hours=hours)
    meeting = Meeting(body_id=bodies["college"].id, starts=starts,
                      agenda_closes=starts - timedelta(days=2), status="agenda_closed")
    dbsession.add(meeting)
    dbsession.flush()
    return meeting


def record_count(testapp, dbsession, engine, factories, meeting, items: int) -> list[str]:
    """Record a meeting of ``items`` items: all approved but one postponed and one withdrawn;
    every applicant wants an e-mail."""
    for _ in range(items):
        item = on_agenda(factories, dbsession, meeting)
        dbsession.add(NotificationPreference(user_id=item.dossier.applicant_id, by_email=True,
                                             email="burger@example.org"))
    dbsession.flush()
    dbsession.expunge_all()
    form = testapp.get(f"/zittingen/{meeting.id}").forms["notulen"]
    outcomes = [f for f in form.fields if f and f.startswith("outcome-")]
    for field in outcomes:
        form[field] = "approved"
    form[outcomes[0]], form[outcomes[1]] = "postponed", "withdrawn"
    dbsession.expunge_all()
    with recorded(engine) as statements:
        form.submit(status=302)
    return statements


def test_recording_costs_the_same_for_4_and_200_items(testapp, login, secretary, factories,
                                                      dbsession, bodies, app):
    engine = app.registry["db_engine"]
    login(secretary)
    services.ensure_meetings(dbsession, bodies["college"])  # where postponed items go
    few = record_count(testapp, dbsession, engine, factories, _meeting(dbsession, bodies, 3), 4)
    many = record_count(testapp, dbsession, engine, factories, _meeting(dbsession, bodies, 2),
                        200)
    assert dbsession.scalar(select(func.count()).select_from(Decision)) == 2 + 198
    if engine.dialect.name == "postgresql":
        assert len(few) == len(many) <= RECORD_BUDGET, (len(few), len(many))
    # SQLite: SQLAlchemy cannot batch ORM INSERTs there (no ordered RETURNING), so each new
    # row is its own INSERT; every other statement is the same for 2 items and for 200.
    reads = [s for s in many if not s.startswith("INSERT")]
    assert len(reads) == len([s for s in few if not s.startswith("INSERT")]) <= RECORD_BUDGET
    per_row = len(many) - len(reads)
    # History, 2 audit events, decision, e-mail; the decision letter with its event and audit.
    assert per_row <= 200 * 8, per_row
