"""Export and import: a type moves to another installation exactly; a broken file is refused
with every problem listed and nothing imported; the shipped types all load."""

import copy
from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from loket.catalogue import services
from loket.catalogue.models import PUBLISHED, DossierType
from loket.catalogue.transfer import FORMAT, parse_import
from loket.catalogue.validation import validate_definition
from loket.models import metadata

SHIPPED = sorted((Path(services.__file__).parent / "shipped").glob("*.yaml"))


@pytest.fixture
def empty_database():
    """Another, empty installation: its own in-memory database."""
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


def test_the_shipped_files_are_valid_and_complete():
    codes = set()
    for path in SHIPPED:
        data, problems = parse_import(path.read_text(encoding="utf-8"))
        assert problems == [], (path.name, [str(p) for p in problems])
        assert path.stem == data["code"]
        codes.add(data["code"])
        for version in data["versions"]:
            d = version["definition"]
            assert version["status"] == PUBLISHED and version["valid_from"] == date(2026, 1, 1)
            # Each summary says the amounts and rules are examples.
            assert "voorbeeld" in d["summary"]["nl"] and "example" in d["summary"]["en"]
            if data["code"] == "inname-openbaar-domein":
                assert (d["workflow"], d["team"]) == ("vergunning", "openbaar-domein")
                assert d["amount"]["direction"] == "citizen_pays"
                assert d["decision"]["body"] in ("college", "official")
            elif data["code"] == "bezwaar":  # lodged on a dossier; its team handles it
                assert (d["workflow"], d["amount"]["direction"]) == ("bezwaar", "none")
            else:
                assert (d["workflow"], d["team"]) == ("sociale-premie", "sociale-dienst")
                assert d["amount"]["direction"] == "loket_pays"
    assert codes >= {"geboortepremie", "mantelzorgpremie", "verwarmingstoelage",
                     "energiepremie", "studietoelage", "sportpremie", "inname-openbaar-domein"}


def test_shipped_rules_cover_the_issue():
    verwarming = yaml.safe_load((SHIPPED[0].parent / "verwarmingstoelage.yaml").read_text())
    d = verwarming["versions"][0]["definition"]
    assert {c["type"] for c in d["checks"]} == {"income_below", "social_status"}
    energie = yaml.safe_load((SHIPPED[0].parent / "energiepremie.yaml").read_text())
    rule = energie["versions"][0]["definition"]["amount"]["rule"]
    assert rule["type"] == "percentage" and "ceiling" in rule


def test_load_shipped_is_idempotent(dbsession):
    first = services.load_shipped(dbsession)
    assert len(first) == len(SHIPPED)
    assert services.load_shipped(dbsession) == []
    for dossier_type in first:
        version = dossier_type.current(date(2026, 3, 1))
        assert version is not None and validate_definition(version.definition) == []


def test_export_then_import_into_an_empty_database_is_exact(shipped, actor, dbsession,
                                                            empty_database):
    # A type with history: two published versions and a concept.
    heating = shipped["verwarmingstoelage"]
    second = services.new_concept(actor, heating)
    services.update_concept(actor, second, {**second.definition,
                                            "summary": {"nl": "Tweede.", "en": "Second."}})
    services.publish(actor, second, date(2026, 7, 1))
    third = services.new_concept(actor, heating)
    dbsession.flush()
    assert third.status == "concept"
    for dossier_type in shipped.values():
        exported = services.export_yaml(dossier_type)
        imported = services.import_yaml(services.SystemActor(empty_database), exported)
        empty_database.flush()
        empty_database.expire_all()  # read back what the database stored
        assert services.export_yaml(imported) == exported
    again = services.get_type(empty_database, "verwarmingstoelage")
    assert [(v.number, v.status, v.valid_from, v.valid_until) for v in again.versions] == [
        (1, "published", date(2026, 1, 1), date(2026, 6, 30)),
        (2, "published", date(2026, 7, 1), None), (3, "concept", None, None)]
    assert [v.definition for v in again.versions] == [v.definition for v in heating.versions]


def test_export_of_one_version(shipped, actor):
    heating = shipped["verwarmingstoelage"]
    services.new_concept(actor, heating)
    data = yaml.safe_load(services.export_yaml(heating, {2}))
    assert data["format"] == FORMAT and data["code"] == "verwarmingstoelage"
    assert [v["number"] for v in data["versions"]] == [2]


def test_export_is_readable_yaml(shipped):
    text = services.export_yaml(shipped["geboortepremie"])
    assert text.startswith("# Loket dossier type 'geboortepremie'")
    assert "valid_from: 2026-01-01" in text
    assert "letter_template:\n" in text and "nl: |" in text  # letters as literal blocks
    assert "€ 100" in text  # no \u escapes


BROKEN = """\
format: loket-dossier-type/0
code: Kapotte Premie
extra: 1
versions:
- number: 1
  status: published
  valid_from: 2026-01-01
  definition:
    title: {nl: Kapot}
    workflow: sociale-premie
- number: 1
  status: concept
  valid_from: 2026-02-01
  definition: {}
- number: 2
  status: gepubliceerd
  definition: {form: {steps: [{title: {nl: a, en: a}, fields: [{name: x, type: colour,
               label: {nl: X, en: X}}]}]}}
"""


def test_a_broken_file_lists_every_problem_and_imports_nothing(actor, dbsession):
    before = dbsession.scalar(select(func.count()).select_from(DossierType))
    with pytest.raises(services.CatalogueError) as error:
        services.import_yaml(actor, BROKEN)
    problems = [str(p) for p in error.value.problems]
    for expected in [
        "format: must be 'loket-dossier-type/1'",
        "code: 'Kapotte Premie' is not a valid code: 2 to 64 lower case letters, digits and -",
        "extra: unknown key 'extra'",
        "versions[0].definition.title.en: is missing or empty",
        "versions[0].definition.form: is missing",
        "versions[1].number: duplicate version number 1",
        "versions[1].valid_from: a concept has no validity period yet",
        "versions[1].definition.title: is missing",
        "versions[2].status: must be concept or published",
        "versions[2].definition.form.steps[0].fields[0].type: unknown field type 'colour'",
    ]:
        assert expected in problems, expected
    assert dbsession.scalar(select(func.count()).select_from(DossierType)) == before


@pytest.mark.parametrize("text, expected", [
    ("format: [unclosed", "line 1, column 18: not valid YAML"),
    ("- just\n- a list\n", "the file must be a mapping"),
    ("a: &x [1]\nb: *x\n", "YAML aliases (*name) are not allowed"),
    ("format: loket-dossier-type/1\ncode: leeg\nversions: []\n", "versions: needs at least one"),
])
def test_unreadable_files(actor, text, expected):
    with pytest.raises(services.CatalogueError) as error:
        services.import_yaml(actor, text)
    assert any(expected in str(p) for p in error.value.problems), error.value.problems


def test_import_refuses_an_existing_code_and_overlapping_versions(shipped, actor):
    exported = services.export_yaml(shipped["sportpremie"])
    with pytest.raises(services.CatalogueError, match="already exists here"):
        services.import_yaml(actor, exported)
    data = yaml.safe_load(exported)
    data["code"] = "sportpremie-kopie"
    second = {**copy.deepcopy(data["versions"][0]), "number": 2,
              "valid_from": date(2026, 6, 1)}
    data["versions"].append(second)
    with pytest.raises(services.CatalogueError) as error:
        services.import_yaml(actor, yaml.safe_dump(data, allow_unicode=True))
    assert "versions[1].valid_from: version 2 starts while version 1 is in force" in str(
        error.value)
