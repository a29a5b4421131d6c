"""Dossier references, optimistic locking, and GET requests that never write."""

import re

import pytest
from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from loket.catalogue.models import DossierType, DossierTypeVersion
from loket.db import get_engine
from loket.dossiers.models import Dossier, next_reference
from loket.identity.models import Team, User


def test_references_count_up_per_year(dbsession):
    first = next_reference(dbsession, 2031)
    second = next_reference(dbsession, 2031)
    other_year = next_reference(dbsession, 2032)
    assert re.fullmatch(r"2031-\d{6}", first)
    assert int(second[5:]) == int(first[5:]) + 1
    assert other_year == "2032-000001"


@pytest.fixture
def committed_dossier(database_url):
    """A dossier committed for real, so two connections can race on it."""
    engine = get_engine({"sqlalchemy.url": database_url})
    with Session(engine) as session:
        team = Team(code="race-team", name="Race")
        user = User(subject="race-user", kind="citizen")
        version = DossierTypeVersion(dossier_type=DossierType(code="race"), number=1,
                                     definition={"workflow": "sociale-premie"})
        session.add_all([team, user, version])
        session.flush()
        dossier = Dossier(reference="2099-000001", type_version_id=version.id, title="Race",
                          state="ingediend", applicant_id=user.id, team_id=team.id, data={})
        session.add(dossier)
        session.commit()
        ids = dossier.id, team.id, user.id, version.type_id
    yield engine, ids[0]
    with Session(engine) as session:
        session.execute(delete(Dossier).where(Dossier.id == ids[0]))
        session.execute(delete(Team).where(Team.id == ids[1]))
        session.execute(delete(User).where(User.id == ids[2]))
        session.execute(delete(DossierTypeVersion).where(DossierTypeVersion.type_id == ids[3]))
        session.execute(delete(DossierType).where(DossierType.id == ids[3]))
        session.commit()
    engine.dispose()


def test_concurrent_updates_one_wins_the_other_gets_a_conflict(committed_dossier):
    engine, dossier_id = committed_dossier
    with Session(engine) as first, Session(engine) as second:
        a = first.get(Dossier, dossier_id)
        b = second.get(Dossier, dossier_id)
        assert a.version == b.version == 1
        a.state = "ontvankelijk"
        first.commit()
        b.state = "onontvankelijk"
        with pytest.raises(StaleDataError):
            second.commit()
    with Session(engine) as check:
        dossier = check.get(Dossier, dossier_id)
        assert (dossier.state, dossier.version) == ("ontvankelijk", 2)


def test_get_requests_never_write(testapp, login, factories, app):
    """GET pages write nothing but the session row (the access log of a logged-in user)."""
    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen)
    document = factories.document(dossier)
    login(citizen)
    writes = []

    def record(conn, cursor, statement, params, context, executemany):
        verb = statement.lstrip().split(None, 1)[0].upper()
        if verb in {"INSERT", "UPDATE", "DELETE"} and "web_sessions" not in statement:
            writes.append(statement)

    engine = app.registry["db_engine"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        for path in ["/", "/mijn-dossiers", f"/dossiers/{dossier.reference}",
                     f"/dossiers/{dossier.reference}/documenten/{document.number}",
                     f"/dossiers/{dossier.reference}/documenten/{document.number}/download",
                     f"/dossiers/{dossier.reference}/documenten/toevoegen"]:
            testapp.get(path)
        assert writes == []
        factories.team()  # the listener does see writes
        assert writes
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_urls_of_dossiers_and_documents_loaded_by_a_query(testapp, dbsession, factories):
    from pyramid.traversal import resource_path

    from loket.documents.models import Document

    dossier = factories.dossier()
    factories.document(dossier)
    dbsession.expunge_all()
    loaded = dbsession.scalars(select(Dossier).where(Dossier.id == dossier.id)).one()
    assert resource_path(loaded) == f"/dossiers/{dossier.reference}"
    document = dbsession.scalars(select(Document).where(Document.dossier_id == dossier.id)).one()
    assert resource_path(document) == f"/dossiers/{dossier.reference}/documenten/1"
