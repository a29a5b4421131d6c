"""The register of outgoing mail costs the same statements with 3 rows as with 40 (no query per
row), as HTML, JSON and CSV."""

import pytest
from sqlalchemy import event

from loket.security import Role
from loket.sending.models import ACCEPTED, Dispatch
from tests.fixtures.magda import SOFIE


def add_dispatches(dbsession, letter, n, start=0):
    for i in range(start, start + n):
        dbsession.add(Dispatch(letter_id=letter.id, attempt=i + 1, dossier_id=letter.dossier_id,
                               letter_kind=letter.kind, title=f"Brief {i}",
                               recipient_name="Sofie Claes", channel="paper",
                               reason="no_ebox_consent", status=ACCEPTED))
    dbsession.flush()


@pytest.mark.parametrize("path", ["/verzendregister", "/api/v1/verzendregister",
                                  "/verzendregister/csv"])
def test_the_register_costs_the_same_whatever_its_rows(app, testapp, login, factories,
                                                       dbsession, ready_letter, path):
    letters = [ready_letter(SOFIE) for _ in range(3)]
    login(factories.staff(Role.SECRETARIAT))
    for letter in letters:
        add_dispatches(dbsession, letter, 1)
    counts = []
    for extra in (0, 12):
        for letter in letters:
            add_dispatches(dbsession, letter, extra, start=100)
        testapp.get(path)
        dbsession.expunge_all()
        statements = []

        def record(conn, cursor, statement, *args, statements=statements):
            statements.append(statement)

        event.listen(app.registry["db_engine"], "before_cursor_execute", record)
        try:
            testapp.get(path)
        finally:
            event.remove(app.registry["db_engine"], "before_cursor_execute", record)
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 12
