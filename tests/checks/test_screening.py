"""The admissibility screening: each rule passes, fails, or is honestly unknown."""

from datetime import UTC, date, datetime

import pytest

from loket.checks.screening import FAIL, PASS, UNKNOWN, screen
from loket.municipality.models import Municipality
from loket.security import user_principal
from loket.workflow.engine import Actor, perform
from tests.checks.conftest import texts

TODAY = date(2026, 3, 2)
HEIDEBEEK = Municipality(id=1, name="Gemeente Heidebeek", city="Heidebeek", postcode="3999",
                         nis_code="71999")
RESIDENT = {"status": "ok", "person": {"postcode": "3999", "nis": "71999",
                                       "municipality": "Heidebeek",
                                       "birth_date": "1985-03-14"}}
ANTWERPEN = {"status": "ok", "person": {"postcode": "2000", "nis": "11002",
                                        "municipality": "Antwerpen",
                                        "birth_date": "1978-06-21"}}
FAILED_PREFILL = {"status": "failed", "person": {}}


def rule(code, rule, passed="OK ${%s}", failed="NOK ${%s}", placeholder=None):
    placeholder = placeholder or "x"
    return {"code": code, "rule": rule,
            "text": {"pass": texts(passed.replace("%s", placeholder)),
                     "fail": texts(failed.replace("%s", placeholder))}}


DOMICILE = rule("woonplaats", {"type": "domicile_in_municipality"},
                placeholder="municipality")
ADULT = rule("meerderjarig", {"type": "age_at_least", "years": 18}, placeholder="age")
CHILD = rule("kind", {"type": "age_at_most", "years": 12, "field": "kind_geboortedatum"},
             placeholder="age")
IN_TIME = rule("termijn", {"type": "within_days_of", "field": "leveringsdatum", "days": 60},
               failed="Levering op ${date}, meer dan ${days} dagen geleden.")
DOCUMENTS = rule("factuur", {"type": "required_documents_present"},
                 failed="Ontbreekt: ${missing}.", passed="Alles is er.")
FACTUUR = {"code": "factuur", "title": {"nl": "Factuur", "en": "Invoice"}, "required": True,
           "media_types": ["application/pdf"], "max_size_mb": 10}


@pytest.fixture
def make(factories):
    def make(rules, prefill=None, data=None, documents=()):
        version = factories.type_version(admissibility=rules, documents=list(documents))
        dossier = factories.dossier(type_version=version, data=data or {"x": 1})
        dossier.prefill = prefill if prefill is not None else RESIDENT
        return dossier

    return make


def outcomes(result):
    return [(r["code"], r["outcome"]) for r in result["results"]]


def test_domicile_by_nis_code(make):
    assert outcomes(screen(make([DOMICILE]), HEIDEBEEK, TODAY)) == [("woonplaats", PASS)]
    result = screen(make([DOMICILE], prefill=ANTWERPEN), HEIDEBEEK, TODAY)
    assert result["outcome"] == FAIL
    assert result["results"][0]["text"] == {"nl": "NOK Heidebeek", "en": "NOK Heidebeek"}


def test_domicile_without_nis_code_compares_postcode_and_name(make):
    no_nis = Municipality(id=1, name="Gemeente Heidebeek", city="", postcode="3999",
                          nis_code="")
    assert screen(make([DOMICILE]), no_nis, TODAY)["outcome"] == PASS
    assert screen(make([DOMICILE], prefill=ANTWERPEN), no_nis, TODAY)["outcome"] == FAIL
    # A part of the municipality with its own postcode: the name decides.
    other_postcode = {"status": "ok", "person": {"postcode": "3998", "nis": None,
                                                 "municipality": "HEIDEBEEK"}}
    assert screen(make([DOMICILE], prefill=other_postcode), no_nis, TODAY)["outcome"] == PASS
    nothing = Municipality(id=1, name="", city="", postcode="", nis_code="")
    assert screen(make([DOMICILE]), nothing, TODAY)["outcome"] == UNKNOWN


def test_failed_prefill_is_unknown_with_an_honest_text(make):
    result = screen(make([DOMICILE, ADULT], prefill=FAILED_PREFILL), HEIDEBEEK, TODAY)
    assert outcomes(result) == [("woonplaats", UNKNOWN), ("meerderjarig", UNKNOWN)]
    assert result["outcome"] == UNKNOWN
    assert "rijksregister ontbreken" in result["results"][0]["text"]["nl"]
    assert "national register data are missing" in result["results"][0]["text"]["en"]


def test_age_of_the_applicant_and_of_a_named_field(make):
    assert outcomes(screen(make([ADULT]), HEIDEBEEK, TODAY)) == [("meerderjarig", PASS)]
    assert screen(make([ADULT]), HEIDEBEEK, TODAY)["results"][0]["text"]["nl"] == "OK 40"
    young = {"status": "ok", "person": {**RESIDENT["person"], "birth_date": "2008-03-03"}}
    assert outcomes(screen(make([ADULT], prefill=young), HEIDEBEEK, TODAY)) == [
        ("meerderjarig", FAIL)]  # 18 tomorrow
    child = make([CHILD], data={"kind_geboortedatum": "2014-03-02"})
    assert screen(child, HEIDEBEEK, TODAY)["results"][0] | {"text": None} == {
        "code": "kind", "rule": "age_at_most", "outcome": PASS, "text": None}
    older = make([CHILD], data={"kind_geboortedatum": "2013-03-01"})
    assert screen(older, HEIDEBEEK, TODAY)["outcome"] == FAIL
    missing = make([CHILD], data={"kind_geboortedatum": "geen datum"})
    assert screen(missing, HEIDEBEEK, TODAY)["outcome"] == UNKNOWN


def test_within_days_of_the_submission(make):
    on_time = make([IN_TIME], data={"leveringsdatum": "2026-01-01"})  # 60 days
    assert screen(on_time, HEIDEBEEK, TODAY)["outcome"] == PASS
    late = make([IN_TIME], data={"leveringsdatum": "2025-12-31"})
    result = screen(late, HEIDEBEEK, TODAY)
    assert result["outcome"] == FAIL
    assert result["results"][0]["text"]["nl"] == (
        "Levering op 31/12/2025, meer dan 60 dagen geleden.")
    assert screen(make([IN_TIME], data={}), HEIDEBEEK, TODAY)["outcome"] == UNKNOWN


def test_required_documents(make, factories):
    dossier = make([DOCUMENTS], documents=[FACTUUR])
    result = screen(dossier, HEIDEBEEK, TODAY)
    assert result["results"][0]["text"] == {"nl": "Ontbreekt: Factuur.",
                                            "en": "Ontbreekt: Invoice."}
    document = factories.document(dossier)
    document.document_type = "factuur"
    factories.dbsession.flush()
    factories.dbsession.expire(dossier, ["documents"])
    assert screen(dossier, HEIDEBEEK, TODAY)["outcome"] == PASS


def test_stored_at_submission_and_never_rejects(app, dbsession, factories):
    applicant = factories.citizen()
    version = factories.type_version(admissibility=[DOMICILE, IN_TIME])
    dossier = factories.dossier(applicant=applicant, type_version=version, state="concept",
                                data={"leveringsdatum": "2020-01-01"})
    dossier.prefill = ANTWERPEN
    dossier.submitted = datetime(2026, 3, 2, 10, tzinfo=UTC)
    dbsession.add(Municipality(id=1, name="Gemeente Heidebeek", city="Heidebeek",
                               postcode="3999", nis_code="71999"))
    dbsession.flush()
    perform(app.registry, dbsession, dossier, "indienen",
            Actor(applicant, frozenset({user_principal(applicant.id)})), dossier.version)
    assert dossier.state == "ingediend"  # two failing rules: still submitted
    assert dossier.screening["outcome"] == FAIL
    assert outcomes(dossier.screening) == [("woonplaats", FAIL), ("termijn", FAIL)]
    assert dossier.screening["at"]
