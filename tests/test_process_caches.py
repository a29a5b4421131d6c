"""What the process keeps between requests, and when it reads again: published type
definitions, the municipality shown in the layout, the templates' translations."""

import contextlib

from sqlalchemy import event, select

from loket.catalogue.models import CONCEPT, DossierTypeVersion
from loket.dossiers.models import Dossier
from loket.municipality.models import Municipality


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


def test_a_published_definition_is_read_once(factories, dbsession, app):
    version = factories.type_version(amount={"direction": "citizen_pays"})
    dossier_id = factories.dossier(type_version=version).id
    engine = app.registry["db_engine"]
    dbsession.expunge_all()
    first = dbsession.get(Dossier, dossier_id)
    with recorded(engine) as statements:
        assert first.type_version.definition["amount"] == {"direction": "citizen_pays"}
    assert len(statements) == 1  # every published definition in one query
    dbsession.expunge_all()
    again = dbsession.get(Dossier, dossier_id)
    with recorded(engine) as statements:
        assert again.type_version.definition["amount"] == {"direction": "citizen_pays"}
    assert statements == []
    # Loading dossiers never reads the definition column.
    with recorded(engine) as statements:
        dbsession.scalars(select(Dossier).where(Dossier.id == dossier_id)).all()
    assert not any("definition" in s for s in statements)


def test_a_concept_is_read_from_its_row(factories, dbsession):
    version = factories.type_version()
    concept = DossierTypeVersion(dossier_type=version.dossier_type, number=2, status=CONCEPT,
                                 definition={"title": {"nl": "Ontwerp"}, "workflow": "x"})
    dbsession.add(concept)
    dbsession.flush()
    concept.definition = {"title": {"nl": "Tweede ontwerp"}, "workflow": "x"}
    dbsession.flush()
    dbsession.expire_all()
    assert concept.definition["title"] == {"nl": "Tweede ontwerp"}


def test_the_layout_shows_the_municipality_as_changed(testapp, dbsession):
    municipality = dbsession.get(Municipality, 1)
    if municipality is None:
        municipality = Municipality(id=1, name="Gemeente Eerst")
        dbsession.add(municipality)
    municipality.name = "Gemeente Eerst"
    dbsession.flush()
    assert "Gemeente Eerst" in testapp.get("/").text
    municipality.name = "Gemeente Daarna"
    dbsession.flush()  # modified moves: the next page reads the row again
    page = testapp.get("/").text
    assert "Gemeente Daarna" in page and "Gemeente Eerst" not in page


def test_templates_translate_literals_per_locale(testapp):
    from loket.i18n import LOCALE_COOKIE

    dutch = testapp.get("/").text
    testapp.set_cookie(LOCALE_COOKIE, "en")
    english = testapp.get("/").text
    testapp.set_cookie(LOCALE_COOKIE, "nl")
    again = testapp.get("/").text
    assert "<small>e-loket</small>" in dutch and "<small>e-loket</small>" in again
    assert "<small>e-counter</small>" in english
