"""The lists are counted and paged through the partial indexes of open dossiers: the database
uses one only when the query's open condition is literally the index's (a workflow whose final
states change needs the migration regenerated: ``make migration``)."""

import contextlib
import os
import re

import pytest
from sqlalchemy import event

from loket.worklists.queries import Filters, Viewer, worklist, worklist_counts

ON_PG = bool(os.environ.get("LOKET_TEST_POSTGRESQL"))
OPEN_INDEXES = ("ix_dossiers_handler_due", "ix_dossiers_team_due", "ix_dossiers_team_handler_due",
                "ix_dossiers_team_state_modified", "ix_dossiers_team_open_modified")
ALLOWED = (*OPEN_INDEXES, "pk_dossiers", "PRIMARY KEY")


@contextlib.contextmanager
def captured(dbsession):
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    engine = dbsession.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def plan(dbsession, statement, parameters) -> str:
    connection = dbsession.connection().connection.driver_connection
    rows = connection.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
    return "\n".join(row[3] for row in rows)


# PostgreSQL's choice among indexes follows its statistics (a test's few rows say little): the
# benchmark's plans at a million dossiers show it there.
@pytest.mark.skipif(ON_PG, reason="SQLite's query plan")
def test_counts_and_pages_read_the_open_dossiers_indexes(world, dbsession):
    world.dossier(handler_id=world.els.id)
    world.dossier()
    viewer = Viewer(world.els.id, [world.team.id], world.today)
    worklist(dbsession, viewer, Filters())  # the type versions' facts are kept
    with captured(dbsession) as statements:
        worklist_counts(dbsession, viewer, Filters())
        worklist(dbsession, viewer, Filters(list="mijn"))
        worklist(dbsession, viewer, Filters(list="vrij"))
    for found in (plan(dbsession, *s) for s in statements):
        # Every read of dossiers goes through an open dossiers' index or the primary key.
        scans = [line for line in found.splitlines()
                 if re.search(r"(SEARCH|SCAN) dossiers\b", line)]
        assert scans and all(any(name in line for name in ALLOWED) for line in scans), found
        assert any(name in found for name in OPEN_INDEXES), found


def test_the_open_condition_is_written_into_the_sql(world, dbsession):
    """Not a bound parameter: neither SQLite nor a prepared statement's generic plan on
    PostgreSQL could prove the partial indexes' predicate from one."""
    viewer = Viewer(world.els.id, [world.team.id], world.today)
    with captured(dbsession) as statements:
        worklist_counts(dbsession, viewer, Filters())
    assert "NOT IN ('afgesloten'" in statements[-1][0]
