"""What staff see: the panels, the timeline and the JSON; what nobody else sees."""

from datetime import UTC, datetime

import pytest

from loket.checks.models import FAILED, PENDING, CheckResult
from loket.security import Role
from tests.checks.conftest import BIM, INCOME

INCOME_DETAILS = {
    "income_year": 2024, "tax_year": 2025, "income": "31500.00", "threshold": "26000",
    "base_threshold": "26000", "household": False, "household_members": 0, "dependants": 0,
    "members_without_tax_bill": 0,
    "summary": {"nl": "aanslagjaar 2025 (inkomsten 2024), belastbaar inkomen € 31 500 — "
                      "boven de grens van € 26 000",
                "en": "tax year 2025 (income 2024), taxable income € 31 500 — above the "
                      "limit of € 26 000"},
    "text": {"nl": "Inkomen te hoog.", "en": "Income too high."}}
SCREENING = {"at": "2026-03-02T10:00:00+00:00", "outcome": "unknown", "results": [
    {"code": "woonplaats", "rule": "domicile_in_municipality", "outcome": "unknown",
     "text": {"nl": "Niet automatisch na te gaan.", "en": "Could not be checked."}}]}


@pytest.fixture
def case(factories, dbsession):
    team = factories.team()
    handler = factories.staff(Role.HANDLER, team=team)
    applicant = factories.citizen()
    version = factories.type_version(checks=[INCOME, BIM], checks_mode="any")
    dossier = factories.dossier(applicant=applicant, team=team, type_version=version,
                                state="ontvankelijk")
    dossier.screening = SCREENING
    dbsession.add_all([
        CheckResult(dossier_id=dossier.id, code="inkomen", check_type="income_below",
                    status=FAILED, source="MAGDA GeefAanslagbiljetPersonenbelasting 02.00",
                    details=INCOME_DETAILS, attempts=1,
                    checked=datetime(2026, 3, 3, 8, tzinfo=UTC)),
        CheckResult(dossier_id=dossier.id, code="bim", check_type="social_status",
                    status=PENDING, attempts=3,
                    last_error="check bim: MAGDA GeefSociaalStatuut: HTTP 503"),
    ])
    dbsession.flush()
    return {"team": team, "handler": handler, "applicant": applicant, "dossier": dossier}


def test_json_for_the_handler(testapp, login, case):
    login(case["handler"])
    reference = case["dossier"].reference
    body = testapp.get(f"/api/v1/dossiers/{reference}/controles").json
    assert body["screening"]["outcome"] == "unknown"
    assert body["checks"]["mode"] == "any" and body["checks"]["outcome"] == PENDING
    income, bim = body["checks"]["items"]
    assert income["status"] == FAILED and income["details"]["income"] == "31500.00"
    assert income["summary"]["nl"].startswith("aanslagjaar 2025")
    assert "summary" not in income["details"]
    assert bim["status"] == PENDING and bim["attempts"] == 3 and bim["checked"] is None
    assert bim["text"] == BIM["text"]["pending"] and bim["summary"] is None


def test_json_is_hidden_from_the_applicant_other_teams_and_anonymous(testapp, login, case,
                                                                    factories):
    reference = case["dossier"].reference
    testapp.get(f"/api/v1/dossiers/{reference}/controles", status=401)  # as for any reference
    login(case["applicant"])  # may view the dossier, not the income figures
    testapp.get(f"/api/v1/dossiers/{reference}/controles", status=404)
    login(factories.staff(Role.HANDLER, team=factories.team()))
    testapp.get(f"/api/v1/dossiers/{reference}/controles", status=404)


def test_staff_page_panels(testapp, login, case):
    login(case["handler"])
    page = testapp.get(f"/dossiers/{case['dossier'].reference}")
    screening = page.html.find(id="screening-titel").find_parent("section")
    assert "Niet automatisch na te gaan." in screening.text
    checks = page.html.find(id="controles-titel").find_parent("section")
    items = checks.select(".check-list > li")
    assert len(items) == 2
    # The status in words, not colour only.
    assert items[0].select_one(".badge").text.strip() in ("Niet voldaan", "Not met")
    assert "€ 31 500" in items[0].text and "MAGDA GeefAanslagbiljetPersonenbelasting" in \
        items[0].text
    assert "3" in items[1].select_one(".check-list__meta").text  # attempts while pending
    assert "HTTP 503" in items[1].text


def test_applicant_page_shows_none_of_it(testapp, login, case):
    login(case["applicant"])
    page = testapp.get(f"/dossiers/{case['dossier'].reference}")
    assert page.html.find(id="controles-titel") is None
    assert "31 500" not in page.text and "31\u202f500" not in page.text


def test_timeline_entry_per_check(app, case, dbsession):
    from pyramid.testing import DummyRequest

    from loket.checks.presentation import timeline

    request = DummyRequest(dbsession=dbsession, locale_name="nl")
    request.registry = app.registry
    entries = timeline(request, case["dossier"])
    assert [(e.kind, e.extra["badge"]) for e in entries] == [("check", "error"),
                                                             ("check", "pending")]
    assert entries[0].detail.startswith("aanslagjaar 2025")
    assert entries[1].detail == BIM["text"]["pending"]["nl"]
