"""Proposing a draft to a meeting and recording a whole meeting on /zittingen."""

from datetime import timedelta

from sqlalchemy import func, select

from loket.audit.models import AuditEvent
from loket.db import utcnow
from loket.decisions import services
from loket.decisions.models import AgendaItem, Decision, Meeting
from loket.i18n import local
from loket.municipality.models import Municipality
from tests.decisions.conftest import form_token, on_agenda


def test_college_meets_weekly_on_the_municipalitys_weekday(dbsession, bodies):
    municipality = dbsession.get(Municipality, 1) or Municipality(id=1, name="Heidebeek")
    municipality.college_weekday = 2  # Wednesday
    dbsession.add(municipality)
    dbsession.flush()
    services.ensure_meetings(dbsession, bodies["college"])
    starts = [local(m.starts) for m in dbsession.scalars(
        select(Meeting).where(Meeting.body_id == bodies["college"].id).order_by(Meeting.starts))]
    assert len(starts) == services.HORIZON_WEEKS
    assert {s.weekday() for s in starts} == {2}
    assert all(b - a == timedelta(weeks=1) for a, b in zip(starts, starts[1:], strict=False))
    services.ensure_meetings(dbsession, bodies["college"])  # planning again adds nothing
    assert dbsession.scalar(select(func.count()).select_from(Meeting)) == len(starts)


def test_a_meeting_in_the_past_is_refused(dbsession, bodies):
    try:
        services.add_meeting(dbsession, bodies["college"], utcnow() - timedelta(days=1))
    except services.DecisionRefused as refused:
        assert "past" in str(refused.message)
    else:  # pragma: no cover
        raise AssertionError("planned in the past")


def test_the_handler_proposes_the_draft_to_the_next_open_meeting(testapp, login, handler, ready,
                                                                 dbsession):
    login(handler)
    page = testapp.get(f"/dossiers/{ready.reference}/beslissing")
    form = page.forms["voorstel"]
    assert ready.reference in form["title"].value
    form["motivation"] = "<script>alert(1)</script> Voldoet."
    response = form.submit()
    assert response.status_int == 302
    dbsession.expire_all()
    assert ready.state == "geagendeerd"
    [item] = dbsession.scalars(select(AgendaItem).where(AgendaItem.dossier_id == ready.id))
    next_meeting = services.next_open_meeting(dbsession, services.body_of(dbsession, ready))
    assert item.meeting_id == next_meeting.id
    assert item.meeting.body.code == services.body_code_of(ready)
    dossier_page = testapp.get(f"/dossiers/{ready.reference}")
    assert "Op de agenda van het" in dossier_page.text
    meeting_page_as_handler = testapp.get(f"/zittingen/{item.meeting_id}", status=403)
    assert meeting_page_as_handler.status_int == 403


def test_markup_in_the_draft_is_escaped_on_the_meeting_page(testapp, login, secretary, factories,
                                                           dbsession, held_meeting):
    item = on_agenda(factories, dbsession, held_meeting)
    item.motivation = "<b>vet</b>"
    dbsession.flush()
    login(secretary)
    page = testapp.get(f"/zittingen/{held_meeting.id}")
    assert "&lt;b&gt;vet&lt;/b&gt;" in page.text and "<b>vet</b>" not in page.text


def test_an_unknown_template_variable_is_shown_at_preview_and_nothing_is_proposed(
        testapp, login, handler, team, factories, dbsession):
    version = factories.type_version(decision_draft={
        "title": "{{ reference }}", "motivation": "Ok\n{{ inkomen }}", "articles": ["Artikel"]})
    dossier = factories.dossier(team=team, type_version=version, state="klaar_voor_beslissing")
    login(handler)
    page = testapp.get(f"/dossiers/{dossier.reference}/beslissing", status=422)
    assert "inkomen" in page.text and "motivation, regel 2" in page.text
    assert "voorstel" not in page.forms
    assert dossier.state == "klaar_voor_beslissing"


def test_proposing_to_a_closed_or_past_meeting_is_refused(testapp, login, handler, ready,
                                                         dbsession, held_meeting):
    body = services.body_of(dbsession, ready)
    past = Meeting(body_id=body.id, starts=utcnow() - timedelta(days=1),
                   agenda_closes=utcnow() - timedelta(days=3))
    closed = services.add_meeting(dbsession, body, utcnow() + timedelta(days=20))
    closed.status = "agenda_closed"
    dbsession.add(past)
    dbsession.flush()
    login(handler)
    form = testapp.get(f"/dossiers/{ready.reference}/beslissing").forms["voorstel"]
    for meeting, message in ((past, "in het verleden"), (closed, "afgesloten"),
                             (held_meeting, "Kies een zitting van het")):
        form["meeting"].force_value(str(meeting.id))
        assert message in form.submit(status=400).text
    dbsession.expire_all()
    assert ready.state == "klaar_voor_beslissing"
    assert dbsession.scalar(select(func.count()).select_from(AgendaItem)) == 0


def test_an_empty_motivation_is_refused_and_the_entries_are_kept(testapp, login, handler, ready,
                                                                dbsession):
    login(handler)
    form = testapp.get(f"/dossiers/{ready.reference}/beslissing").forms["voorstel"]
    form["motivation"] = ""
    form["title"] = "Mijn eigen titel"
    response = form.submit(status=400)
    assert "Mijn eigen titel" in response.text
    assert ready.state == "klaar_voor_beslissing"


def test_the_generic_step_cannot_go_around_the_draft(testapp, login, handler, ready, dbsession):
    login(handler)
    response = testapp.post(f"/dossiers/{ready.reference}/stap", {
        "csrf_token": form_token(testapp), "transition": "agenderen", "version": ready.version},
        status=400)
    assert "Voorleggen" in response.text
    assert ready.state == "klaar_voor_beslissing"


def record_form(testapp, meeting):
    return testapp.get(f"/zittingen/{meeting.id}").forms["notulen"]


def test_the_secretariat_records_a_whole_meeting(testapp, login, secretary, factories, dbsession,
                                                 held_meeting):
    granted = on_agenda(factories, dbsession, held_meeting)
    later = on_agenda(factories, dbsession, held_meeting)
    back = on_agenda(factories, dbsession, held_meeting)
    login(secretary)
    form = record_form(testapp, held_meeting)
    form[f"outcome-{granted.id}"] = "amended"
    form[f"amount-{granted.id}"] = "250,50"
    form[f"for-{granted.id}"] = "5"
    form[f"against-{granted.id}"] = "1"
    form[f"outcome-{later.id}"] = "postponed"
    form[f"outcome-{back.id}"] = "withdrawn"
    assert form.submit().status_int == 302
    dbsession.expire_all()
    [decision] = dbsession.scalars(select(Decision))
    assert (decision.dossier_id, decision.outcome, decision.amended, str(decision.amount),
            decision.votes_for, decision.votes_against) == (
        granted.dossier_id, "approved", True, "250.50", 5, 1)
    assert granted.dossier.state == "goedgekeurd"
    moved = dbsession.scalar(select(AgendaItem).where(AgendaItem.continues_id == later.id))
    assert moved.meeting.starts > held_meeting.starts and moved.status == "proposed"
    assert later.dossier.state == "geagendeerd"
    assert back.dossier.state == "in_behandeling" and back.status == "withdrawn"
    assert held_meeting.status == "held"
    dossier_page = testapp.get(f"/dossiers/{granted.dossier.reference}")
    assert "250,50" in dossier_page.text


def test_two_secretaries_at_once_one_wins_the_other_keeps_her_entries(
        testapp, login, secretary, factories, dbsession, held_meeting):
    item = on_agenda(factories, dbsession, held_meeting)
    other = on_agenda(factories, dbsession, held_meeting)
    login(secretary)
    first, second = record_form(testapp, held_meeting), record_form(testapp, held_meeting)
    first[f"outcome-{item.id}"] = "approved"
    first.submit(status=302)
    second[f"outcome-{item.id}"] = "refused"
    second[f"outcome-{other.id}"] = "approved"
    second[f"for-{other.id}"] = "7"
    response = second.submit(status=409)
    assert 'value="7"' in response.text
    dbsession.expire_all()
    assert item.status == "approved" and other.status == "proposed"
    assert len(list(dbsession.scalars(select(Decision)))) == 1
    # The page shows the winner's outcome and keeps her entries for the rest: saved again.
    assert "Geregistreerd" in response.text
    response.forms["notulen"].submit(status=302)
    dbsession.expire_all()
    assert other.status == "approved" and item.status == "approved"
    assert {d.votes_for for d in dbsession.scalars(select(Decision))} == {None, 7}


def test_bad_votes_and_an_empty_amendment_change_nothing(testapp, login, secretary, factories,
                                                         dbsession, held_meeting):
    item = on_agenda(factories, dbsession, held_meeting)
    login(secretary)
    form = record_form(testapp, held_meeting)
    form[f"outcome-{item.id}"] = "amended"
    response = form.submit(status=400)
    assert "amendement" in response.text
    form = record_form(testapp, held_meeting)
    form[f"outcome-{item.id}"] = "approved"
    form[f"for-{item.id}"] = "veel"
    form.submit(status=400)
    dbsession.expire_all()
    assert item.status == "proposed" and item.dossier.state == "geagendeerd"
    assert dbsession.scalar(select(func.count()).select_from(Decision)) == 0


def test_a_meeting_not_yet_started_cannot_be_recorded(testapp, login, secretary, factories,
                                                      dbsession, bodies):
    meeting = services.add_meeting(dbsession, bodies["college"], utcnow() + timedelta(days=3))
    item = on_agenda(factories, dbsession, meeting)
    login(secretary)
    form = record_form(testapp, meeting)
    form[f"outcome-{item.id}"] = "approved"
    assert "nog niet begonnen" in form.submit(status=400).text


def test_closing_the_agenda(testapp, login, secretary, dbsession, bodies):
    meeting = services.add_meeting(dbsession, bodies["college"], utcnow() + timedelta(days=3))
    login(secretary)
    page = testapp.get(f"/zittingen/{meeting.id}")
    page.forms["agenda-sluiten"].submit(status=302)
    dbsession.expire_all()
    assert meeting.status == "agenda_closed"
    assert dbsession.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "meeting.agenda_closed")) == 1
    assert services.next_open_meeting(dbsession, bodies["college"]).id != meeting.id


def test_meetings_list_and_start_page(testapp, login, secretary, dbsession):
    login(secretary)
    page = testapp.get("/zittingen")
    assert "College van burgemeester en schepenen" in page.text or "Board of mayor" in page.text
    assert testapp.get("/").status_int in (200, 302)


def test_a_delegated_decision_records_the_delegation(testapp, login, factories, dbsession, team,
                                                     handler):
    version = factories.type_version(decision={"body": "official"})
    dossier = factories.dossier(team=team, type_version=version, state="klaar_voor_beslissing")
    login(handler)
    form = testapp.get(f"/dossiers/{dossier.reference}/beslissing").forms["voorstel"]
    form["outcome"] = "approved"
    form.submit(status=400)  # no delegation reference
    form["delegation_reference"] = "CBS 2025-01-13 punt 12"
    assert form.submit().status_int == 302
    dbsession.expire_all()
    [decision] = dbsession.scalars(select(Decision))
    assert (decision.body_code, decision.delegation_reference, decision.outcome) == (
        "official", "CBS 2025-01-13 punt 12", "approved")
    assert dossier.state == "goedgekeurd"
