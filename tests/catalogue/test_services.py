"""Versions: concept → published (frozen), the version in force, the hand-over between
versions, and the audit trail."""

from datetime import date

import pytest
from sqlalchemy import select

from loket.audit.models import AuditEvent
from loket.catalogue import services
from loket.catalogue.definition import DefinitionError
from loket.catalogue.models import CONCEPT, PUBLISHED, PublishedVersionChanged

TITLE = {"nl": "Huurpremie", "en": "Rent premium"}


@pytest.fixture
def new_type(actor):
    return services.create_type(actor, "huurpremie", TITLE, "sociale-premie", "sociale-dienst")


def audit_actions(dbsession, code):
    return [e.action for e in dbsession.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "dossier_type",
                                 AuditEvent.object_id == code).order_by(AuditEvent.id))]


def test_a_new_type_starts_as_a_valid_concept(new_type, dbsession):
    (version,) = new_type.versions
    assert version.status == CONCEPT and version.number == 1
    assert version.definition["workflow"] == "sociale-premie"
    assert version.definition["title"] == TITLE
    assert new_type.current() is None
    assert services.get_type(dbsession, "huurpremie") is new_type
    assert audit_actions(dbsession, "huurpremie") == ["catalogue.create"]


@pytest.mark.parametrize("code, message", [
    ("Huur Premie", "is not a valid code"), ("x", "is not a valid code"),
    ("beheer", "is reserved"), ("huurpremie", "already exists")])
def test_create_type_refuses_bad_codes(new_type, actor, code, message):
    with pytest.raises(services.CatalogueError) as error:
        services.create_type(actor, code, TITLE, "sociale-premie", "sociale-dienst")
    assert message in str(error.value)


def test_create_type_refuses_an_unknown_workflow(actor):
    with pytest.raises(DefinitionError, match="unknown workflow 'koffie'"):
        services.create_type(actor, "koffiepremie", TITLE, "koffie", "sociale-dienst")


def test_publish_freezes_the_version(new_type, actor, dbsession):
    version = new_type.versions[0]
    services.publish(actor, version, date(2026, 1, 1))
    assert version.status == PUBLISHED and version.valid_from == date(2026, 1, 1)
    assert version.published is not None
    assert new_type.current(date(2026, 6, 1)) is version
    assert new_type.current(date(2025, 12, 31)) is None
    # Through the service ...
    with pytest.raises(PublishedVersionChanged):
        services.update_concept(actor, version, version.definition)
    with pytest.raises(PublishedVersionChanged):
        services.publish(actor, version, date(2027, 1, 1))
    # ... and behind its back: the flush refuses.
    version.definition = {**version.definition, "team": "andere-dienst"}
    with pytest.raises(PublishedVersionChanged):
        dbsession.flush()


def test_new_concept_while_the_current_version_stays_in_force(new_type, actor, dbsession):
    first = new_type.versions[0]
    services.publish(actor, first, date(2026, 1, 1))
    concept = services.new_concept(actor, new_type)
    assert concept.number == 2 and concept.status == CONCEPT
    assert concept.definition == first.definition
    assert concept.definition is not first.definition
    assert new_type.current(date(2026, 6, 1)) is first
    assert new_type.concept is concept
    with pytest.raises(services.CatalogueError, match="already a concept"):
        services.new_concept(actor, new_type)

    changed = {**concept.definition, "summary": {"nl": "Nieuw", "en": "New"}}
    services.update_concept(actor, concept, changed)
    assert first.definition["summary"] != changed["summary"]

    # Hand-over: the old version ends the day before the new one starts.
    services.publish(actor, concept, date(2026, 7, 1))
    dbsession.flush()
    assert first.valid_until == date(2026, 6, 30)
    assert new_type.current(date(2026, 6, 30)) is first
    assert new_type.current(date(2026, 7, 1)) is concept
    assert audit_actions(dbsession, "huurpremie") == [
        "catalogue.create", "catalogue.publish", "catalogue.new_concept", "catalogue.update",
        "catalogue.publish"]


def test_publish_refuses_an_earlier_start_and_an_invalid_definition(new_type, actor):
    services.publish(actor, new_type.versions[0], date(2026, 1, 1))
    concept = services.new_concept(actor, new_type)
    with pytest.raises(services.CatalogueError) as error:
        services.publish(actor, concept, date(2026, 1, 1))
    assert "valid_from: must be after 2026-01-01, when version 1 starts" in str(error.value)
    assert concept.status == CONCEPT


def test_update_concept_refuses_an_invalid_definition_and_changes_nothing(new_type, actor):
    version = new_type.versions[0]
    before = version.definition
    broken = {**before, "workflow": "koffie", "documents": "geen lijst"}
    with pytest.raises(DefinitionError) as error:
        services.update_concept(actor, version, broken)
    assert {str(p) for p in error.value.problems} >= {
        "documents: must be a list", "workflow: unknown workflow 'koffie'; one of: "
        "bezwaar, sociale-premie, vergunning"}
    assert version.definition is before


def test_types_in_force(shipped, dbsession):
    codes = [t.code for t, _v in services.types_in_force(dbsession, date(2026, 2, 1))]
    assert set(codes) == set(shipped) - {"bezwaar"}  # lodged on a dossier, not applied for
    assert services.types_in_force(dbsession, date(2025, 12, 31)) == []
