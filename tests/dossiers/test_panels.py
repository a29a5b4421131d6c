"""What the dossier page's panels share: the rows read once per request (``once``) and the
one query that tells which feature tables hold rows of the dossier (``has_rows``)."""

from datetime import date

import pytest
from pyramid import testing
from sqlalchemy import event

from loket.advice.models import AdviceRequest
from loket.dossiers.panels import has_rows, once
from loket.notes.models import DossierNote
from loket.objections.models import Objection
from loket.security import Role


@pytest.fixture
def dossier(factories, dbsession):
    team = factories.team()
    handler = factories.staff(Role.HANDLER, team=team)
    dossier = factories.dossier(team=team)
    dbsession.add(DossierNote(dossier_id=dossier.id, author_id=handler.id, body="Gebeld."))
    dbsession.flush()
    return dossier


@pytest.fixture
def request_(app, dbsession):
    request = testing.DummyRequest(dbsession=dbsession, environ={})
    request.registry = app.registry
    return request


@pytest.fixture
def statements(app):
    found = []

    def record(conn, cursor, statement, *args):
        found.append(statement)

    engine = app.registry["db_engine"]
    event.listen(engine, "before_cursor_execute", record)
    yield found
    event.remove(engine, "before_cursor_execute", record)


def test_has_rows_in_one_query(request_, dossier, statements):
    assert has_rows(request_, dossier, "notes")
    assert not has_rows(request_, dossier, "advice")
    assert not has_rows(request_, dossier, "letters")
    assert len(statements) == 1


def test_has_rows_sees_the_objection_from_either_side(request_, factories, dbsession, dossier):
    """An objection is linked both ways: the contested dossier and the objection dossier."""
    objection_dossier = factories.dossier(team=dossier.team)
    dbsession.add(Objection(dossier_id=objection_dossier.id, contested_id=dossier.id,
                            channel="online", received_on=date.today(), term_ends=date.today()))
    dbsession.flush()
    assert has_rows(request_, dossier, "objections")
    assert has_rows(request_, objection_dossier, "objections")


def test_has_rows_knows_only_registered_tables(request_, dossier):
    with pytest.raises(KeyError):
        has_rows(request_, dossier, "nothing-registered-so")


def test_once_per_request_and_dossier(request_, dossier, dbsession):
    reads = []

    def read():
        reads.append(1)
        return list(dbsession.query(AdviceRequest).filter_by(dossier_id=dossier.id))

    assert once(request_, "advice", dossier, read) is once(request_, "advice", dossier, read)
    assert len(reads) == 1
