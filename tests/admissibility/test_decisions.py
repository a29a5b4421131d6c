"""The admissibility decision on the handler's page: three outcomes, each confirming or
overriding the screening, each notifying the citizen and DOSIS; bad input changes nothing."""

import pytest
from sqlalchemy import func, select

from loket.admissibility.services import AUDIT_ACTION
from loket.audit.models import AuditEvent
from loket.completion.models import CompletionRequest
from loket.i18n import _
from loket.notifications.models import NotificationPreference
from loket.outbox.models import OutboxMessage
from loket.security import Role
from loket.workflow.models import HistoryEntry
from tests.fixtures.staff import SCREENING_FAIL


@pytest.fixture
def page(testapp, login, handler, submitted, dbsession, applicant):
    """The handler on the dossier page; the applicant chose e-mail notifications."""
    dbsession.add(NotificationPreference(user_id=applicant.id, by_email=True,
                                         email="jan@example.org"))
    dbsession.flush()
    login(handler)
    return testapp.get(f"/dossiers/{submitted.reference}")


def _form(page):
    return page.forms[[i for i, f in page.forms.items()
                       if f.action.endswith("/ontvankelijkheid")][0]]


def _audits(dbsession):
    return list(dbsession.scalars(select(AuditEvent).where(AuditEvent.action == AUDIT_ACTION)))


def _outbox(dbsession, dossier):
    return {m.kind for m in dbsession.scalars(
        select(OutboxMessage).where(OutboxMessage.dossier_id == dossier.id))}


def _nothing_changed(dbsession, dossier, version):
    dbsession.expire_all()
    assert (dossier.state, dossier.version) == ("ingediend", version)
    assert _audits(dbsession) == [] and _outbox(dbsession, dossier) == set()
    assert dbsession.scalar(select(func.count()).select_from(HistoryEntry).where(
        HistoryEntry.dossier_id == dossier.id)) == 1


def test_the_form_shows_the_screening_and_suggests_its_outcome(page):
    section = page.html.find(id="ontvankelijkheid")
    assert "Je woont in Heidebeek." in section.text
    assert _form(page)["decision"].value == "admissible"


def test_admissible_confirms_the_screening_and_notifies(page, dbsession, submitted):
    form = _form(page)
    form["text"] = "Alles in orde."
    response = form.submit().follow()
    assert submitted.state == "ontvankelijk"
    [event] = _audits(dbsession)
    assert event.details == {"decision": "admissible", "screening": "pass",
                             "confirms_screening": True, "reason_code": None}
    assert _outbox(dbsession, submitted) >= {"email", "dosis.push"}
    timeline = response.html.find(id="tijdlijn").text
    assert "Alles in orde." in timeline


def test_not_admissible_with_reason_overrides_a_passing_screening(page, dbsession, submitted):
    form = _form(page)
    form["decision"] = "not_admissible"
    form["reason_code"] = "termijn"
    form["text"] = "De factuur is van vorig jaar."
    form.submit().follow()
    assert submitted.state == "onontvankelijk"
    [event] = _audits(dbsession)
    assert event.details == {"decision": "not_admissible", "screening": "pass",
                             "confirms_screening": False, "reason_code": "termijn"}
    # What the citizen reads: the reason from the type's list and the handler's words.
    comment = dbsession.scalars(select(HistoryEntry.comment).where(
        HistoryEntry.dossier_id == submitted.id, HistoryEntry.to_state == "onontvankelijk")).one()
    assert comment.startswith("De levering op") and "De factuur is van vorig jaar." in comment
    assert "De factuur is van vorig jaar." not in str(event.details)
    assert _outbox(dbsession, submitted) >= {"email", "dosis.push"}


def test_not_admissible_confirms_a_failing_screening(testapp, login, handler, submitted,
                                                     dbsession):
    submitted.screening = SCREENING_FAIL
    dbsession.flush()
    login(handler)
    form = _form(testapp.get(f"/dossiers/{submitted.reference}"))
    assert form["decision"].value == "not_admissible"
    form["reason_code"] = "woonplaats"
    form["text"] = "Je woont in Antwerpen."
    form.submit(status=302)
    [event] = _audits(dbsession)
    assert event.details["confirms_screening"] is True


def test_completion_request(page, dbsession, submitted):
    form = _form(page)
    form["decision"] = "completion"
    form["text"] = "Voeg de factuur van de levering toe."
    form.get("document_codes", index=0).checked = True
    form.submit().follow()
    assert submitted.state == "vervollediging_gevraagd"
    request = dbsession.scalars(select(CompletionRequest).where(
        CompletionRequest.dossier_id == submitted.id)).one()
    assert request.document_codes == ["factuur"]
    [event] = _audits(dbsession)
    assert event.details["decision"] == "completion" and event.details["confirms_screening"] \
        is None
    assert _outbox(dbsession, submitted) >= {"email", "dosis.push"}


@pytest.mark.parametrize("fields,message", [
    ({"decision": "not_admissible", "reason_code": "", "text": "Waarom"},
     _("Choose the reason why the dossier is not admissible.")),
    ({"decision": "not_admissible", "reason_code": "termijn", "text": "  "},
     _("Explain to the applicant why the dossier is not admissible.")),
    ({"decision": "not_admissible", "reason_code": "verzonnen", "text": "Waarom"},
     _("Unknown reason: choose one of the list.")),
    ({"decision": "completion", "text": ""}, _("Say what the applicant must add or explain.")),
    ({"decision": "completion", "text": "Wat?", "due": "morgen"},
     _("The date to answer by is not a valid date.")),
])
def test_bad_input_is_refused_and_changes_nothing(page, dbsession, submitted, dutch, fields,
                                                  message):
    version = submitted.version
    form = _form(page)
    for name, value in fields.items():
        if name == "reason_code" and value == "verzonnen":
            form[name].force_value(value)
        else:
            form[name] = value
    response = form.submit(status=400)
    assert dutch(message) in response.html.find(id="ontvankelijkheid-fout").text
    assert response.html.find(id="toelichting").text == fields["text"]  # kept for a retry
    _nothing_changed(dbsession, submitted, version)


def test_stale_version_is_a_conflict(page, dbsession, submitted, dutch):
    version = submitted.version
    form = _form(page)
    form["version"] = str(version - 1) if version > 1 else "99"
    response = form.submit(status=409)
    assert dutch(_("This dossier was changed by someone else in the meantime. Reload the page "
                   "and try again.")) in response.text
    _nothing_changed(dbsession, submitted, version)


def test_missing_required_document_blocks_admissible(testapp, login, handler, submitted,
                                                     dbsession):
    submitted.documents[0].document_type = "bijlage"
    dbsession.flush()
    version = submitted.version
    login(handler)
    form = _form(testapp.get(f"/dossiers/{submitted.reference}"))
    form.submit(status=400)
    _nothing_changed(dbsession, submitted, version)


def test_no_form_for_other_states_or_other_staff(testapp, login, factories, submitted,
                                                 dbsession, handler):
    secretary = factories.staff(Role.SECRETARIAT)
    login(secretary)
    page = testapp.get(f"/dossiers/{submitted.reference}")
    assert page.html.find(id="ontvankelijkheid") is None
    submitted.state = "ontvankelijk"
    dbsession.flush()
    login(handler)
    assert testapp.get(f"/dossiers/{submitted.reference}").html.find(
        id="ontvankelijkheid") is None


def test_citizen_cannot_post_a_decision(testapp, login, applicant, submitted, dbsession):
    from tests.conftest import csrf_token

    login(applicant)
    version = submitted.version
    testapp.post(f"/dossiers/{submitted.reference}/ontvankelijkheid",
                 {"csrf_token": csrf_token(testapp), "decision": "admissible",
                  "version": version}, status=404)
    _nothing_changed(dbsession, submitted, version)


def test_a_permit_has_no_admissibility_decision(testapp, login, factories, dbsession, handler,
                                                team):
    """A permit's workflow (vergunning) has no admissibility steps: its submitted dossier shows
    no admissibility form, and a posted decision is refused with a clear message, not a 400
    'this step does not exist'."""
    from tests.conftest import csrf_token

    permit = factories.dossier(team=team, type_version=factories.type_version(
        workflow="vergunning"))
    login(handler)
    page = testapp.get(f"/dossiers/{permit.reference}")
    assert page.html.find(id="ontvankelijkheid") is None
    version = permit.version
    response = testapp.post(f"/dossiers/{permit.reference}/ontvankelijkheid",
                            {"csrf_token": csrf_token(testapp), "decision": "admissible",
                             "version": version}, status=400)
    assert "Deze stap bestaat niet" not in response.text
    assert "geen beslissing over de ontvankelijkheid" in response.text
    dbsession.refresh(permit)
    assert permit.state == "ingediend" and permit.version == version
    assert _audits(dbsession) == []
