"""A meeting of 200 items renders and records within a fixed SQL statement budget."""

import contextlib

from sqlalchemy import event, func, select

from loket.decisions.models import Decision
from tests.decisions.conftest import on_agenda

RENDER_BUDGET = 12


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
    from loket.decisions.models import Meeting
    held_meeting = dbsession.get(Meeting, meeting_id)
    for _ in range(198):
        on_agenda(factories, dbsession, held_meeting)
    many, page = render_count(testapp, dbsession, engine, held_meeting)
    assert few == many <= RENDER_BUDGET, (few, many)

    form = page.forms["notulen"]
    for field in form.fields:
        if field and field.startswith("outcome-"):
            form[field] = "approved"
    with recorded(engine) as statements:
        form.submit(status=302)
    # Per item: the step (history, audit, dossier update, outbox …), the decision record and
    # its decision letter (loket.letters: the row and its audited event): a bounded number of
    # statements per item, not a growing one.
    print(f"recording 200 items: {len(statements)} statements")
    assert len(statements) < 200 * 16, len(statements)
    assert dbsession.scalar(select(func.count()).select_from(Decision)) == 200
