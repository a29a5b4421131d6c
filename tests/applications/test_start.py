"""Starting an application: login level, one draft per type, prefill from MAGDA and its log."""

from sqlalchemy import func, select

from loket.audit.models import AuditEvent
from loket.dossiers.models import Dossier
from loket.integrations.magda.models import MagdaConsultation
from loket.plugins.registry import IMPLEMENTATIONS_KEY
from loket.security import Role
from tests.applications.conftest import TYPE
from tests.applications.helpers import draft, dutch, form_posting_to, start
from tests.fixtures.magda import JAN, SOFIE


def consultations(dbsession):
    return list(dbsession.scalars(select(MagdaConsultation).order_by(MagdaConsultation.id)))


def test_anonymous_visitor_must_log_in(testapp, shipped):
    response = testapp.get(f"/catalogus/{TYPE}/aanvragen", status=302)
    assert "/aanmelden" in response.location and "aanvragen" in response.location


def test_staff_cannot_apply(testapp, login, factories, shipped):
    login(factories.staff(Role.HANDLER))
    testapp.get(f"/catalogus/{TYPE}/aanvragen", status=403)


def test_a_weaker_login_is_sent_to_log_in_again(testapp, factories, login_as, shipped):
    login_as(factories.citizen(rrn=JAN), acr="urn:be:vlaanderen:authmech:csamtotp")
    response = testapp.get(f"/catalogus/{TYPE}/aanvragen", status=302)
    assert "/aanmelden" in response.location
    assert "middel=eid" in response.location and "middel=itsme" in response.location


def test_start_prefills_from_the_person_register_and_logs_it(testapp, dbsession, jan, magda_on):
    page = testapp.get(f"/catalogus/{TYPE}/aanvragen")
    assert dutch("Start the application") in page.text
    assert consultations(dbsession) == []  # looking is not consulting
    path = start(testapp)
    dossier = draft(dbsession, path)
    assert dossier.state == "concept" and dossier.submitted is None
    assert dossier.applicant_id == jan.id and dossier.team.code == "sociale-dienst"
    assert dossier.type_version.dossier_type.code == TYPE
    assert dossier.prefill["status"] == "ok"
    assert dossier.prefill["fields"] == ["adres", "familienaam", "voornaam"]
    assert dossier.prefill["person"] == {"postcode": "3999", "nis": "71999",
                                         "municipality": "Heidebeek", "birth_date": "1985-03-14"}
    assert dossier.data["adres"]["street"] == "Kerkstraat"
    # Both questions in the legal log, before use: who, about whom, what for, which dossier.
    rows = consultations(dbsession)
    assert [r.service for r in rows] == ["GeefPersoon", "GeefGezinssamenstelling"]
    for row in rows:
        assert row.subject_insz == JAN and row.actor == f"user:{jan.id}"
        assert row.purpose == "sociale-premie-aanvraag"
        assert row.dossier_reference == dossier.reference and row.outcome == "ok"
    # The first step shows the prefilled fields read-only, marked as such.
    page = testapp.get(f"{path}/aanvraag?stap=1")
    assert "Kerkstraat" in page.text
    assert dutch("Filled in from the national register") in page.text
    assert "voornaam" not in page.forms["aanvraag"].fields
    event = dbsession.scalars(select(AuditEvent).where(
        AuditEvent.action == "application.started")).one()
    assert event.object_id == dossier.reference and JAN not in str(event.details)


def test_a_national_register_number_in_the_request_is_ignored(testapp, dbsession, jan,
                                                              magda_on):
    start(testapp, extra=[("rrn", SOFIE), ("insz", SOFIE), ("rijksregisternummer", SOFIE)])
    assert {r.subject_insz for r in consultations(dbsession)} == {JAN}


def test_starting_twice_resumes_the_draft(testapp, dbsession, jan, magda_on):
    page = testapp.get(f"/catalogus/{TYPE}/aanvragen")
    form = form_posting_to(page, "aanvragen")
    first = form.submit(status=302).location
    second = form.submit(status=302).location  # a double click, a second tab
    assert first == second
    count = dbsession.scalar(select(func.count()).select_from(Dossier).where(
        Dossier.applicant_id == jan.id))
    assert count == 1
    assert len(consultations(dbsession)) == 2  # MAGDA asked once
    resumed = testapp.get(f"/catalogus/{TYPE}/aanvragen", status=302)
    assert resumed.location.endswith(first.split("?")[0].replace("http://localhost", ""))


def test_magda_down_lets_the_citizen_type_the_data(testapp, dbsession, jan, magda_on):
    magda_on.control(down=True)
    path = start(testapp)
    dossier = draft(dbsession, path)
    assert dossier.prefill["status"] == "failed"
    assert dossier.prefill["fields"] == [] and dossier.data == {}
    assert [r.outcome for r in consultations(dbsession)] != ["ok"]  # logged all the same
    page = testapp.get(f"{path}/aanvraag?stap=1")
    form = page.forms["aanvraag"]
    assert "voornaam" in form.fields  # to be typed
    assert dutch("We could not fetch your details from the national register just now. "
                 "Fill them in yourself.") in page.text


def test_magda_too_slow_counts_as_failed(testapp, dbsession, jan, magda_on, app, monkeypatch):
    monkeypatch.setitem(app.registry.settings, "loket.applications.prefill_timeout", "0.3")
    magda_on.control(slow=1.5)
    dossier = draft(dbsession, start(testapp))
    assert dossier.prefill["status"] == "failed"


def test_without_magda_the_prefill_is_off(testapp, dbsession, jan, app, monkeypatch):
    monkeypatch.setitem(app.registry, IMPLEMENTATIONS_KEY, {})
    dossier = draft(dbsession, start(testapp))
    assert dossier.prefill["status"] == "off" and consultations(dbsession) == []
