"""The pages and the JSON: "Verzenden" on a letter, the register with bulk sending, CSV,
who may see what, and the citizen's view of the letters sent."""

import csv
import io

import pytest
from sqlalchemy import func, select

from loket.i18n import _
from loket.letters import models as letters
from loket.security import Role
from loket.sending.models import ACCEPTED, RETURNED, Dispatch
from tests.conftest import csrf_token
from tests.fixtures.magda import JAN, SOFIE


@pytest.fixture
def staff_letter(ready_letter, team, use_delivery, use_magda):
    """A ready decision letter for Jan on a dossier of the handler's team."""
    return ready_letter(JAN, team=team)


def send_form(page):
    return next(f for f in page.forms.values() if f.action.endswith("/verzenden"))


def dispatch_count(dbsession) -> int:
    return dbsession.scalar(select(func.count()).select_from(Dispatch))


def test_the_handler_sees_the_channel_and_why_and_sends_once(testapp, login, handler,
                                                              dbsession, staff_letter, dutch):
    login(handler)
    url = f"/dossiers/{staff_letter.dossier.reference}/verzending"
    page = testapp.get(url)
    assert dutch(_("The recipient consented to receive letters in their eBox.")) in page.text
    form = send_form(page)
    form.submit().follow()
    assert staff_letter.status == letters.SENDING and dispatch_count(dbsession) == 1
    again = form.submit(status=409)  # the same page, pressed again
    assert dutch(_("This letter was already sent; it is not sent twice.")) in again.text
    assert dispatch_count(dbsession) == 1


def test_choosing_otherwise_needs_a_reason(testapp, login, handler, dbsession, ready_letter,
                                           team, use_delivery, use_magda, dutch):
    letter = ready_letter(SOFIE, team=team)
    login(handler)
    form = send_form(testapp.get(f"/dossiers/{letter.dossier.reference}/verzending"))
    form["street"], form["house_number"] = "Kerkstraat", "12"
    form["postcode"], form["municipality"] = "9000", "Gent"
    page = form.submit(status=400)
    assert dutch(_("Give the reason for choosing another channel or address.")) in page.text
    assert dispatch_count(dbsession) == 0
    form = send_form(page)
    form["reason"] = "De burger gaf een briefadres op."
    form.submit(status=302)
    [dispatch] = dbsession.scalars(select(Dispatch)).all()
    assert dispatch.address["street"] == "Kerkstraat" and dispatch.override_reason


def test_another_teams_handler_and_the_citizen_cannot_send(testapp, login, factories,
                                                           staff_letter):
    url = f"/dossiers/{staff_letter.dossier.reference}/verzending"
    login(factories.staff(Role.HANDLER))
    assert testapp.get(url, status="*").status_int in (403, 404)
    login(staff_letter.dossier.applicant)
    assert testapp.get(url, status="*").status_int in (403, 404)
    assert testapp.get("/verzendregister", status="*").status_int in (403, 404)


def test_bulk_sending_from_the_register_shows_progress(testapp, login, factories, dbsession,
                                                       ready_letter, team, use_delivery,
                                                       use_magda, dutch):
    jan, sofie = ready_letter(JAN, team=team), ready_letter(SOFIE, team=team)
    secretary = factories.staff(Role.SECRETARIAT)
    login(secretary)
    page = testapp.get("/verzendregister")
    assert dutch(_("Ready to send")) in page.text
    result = page.forms["bulk"].submit().follow()
    # The progress of this batch: both queued, none handed to the service yet.
    assert 'max="2" value="0"' in result.text
    assert {d.letter_id: d.channel for d in dbsession.scalars(select(Dispatch))} == {
        jan.id: "ebox", sofie.id: "paper"}


def test_the_register_filters_pages_and_exports(testapp, login, factories, dbsession,
                                                ready_letter, team, handler):
    other_team_letter = ready_letter(SOFIE)
    mine = ready_letter(JAN, team=team)
    for n in range(53):
        dbsession.add(Dispatch(letter_id=mine.id, attempt=n + 1, dossier_id=mine.dossier_id,
                               letter_kind=mine.kind, title=f"Brief {n}",
                               recipient_name="Jan Peeters", channel="ebox" if n % 2 else "paper",
                               reason="ebox_consent", status=ACCEPTED))
    dbsession.add(Dispatch(letter_id=other_team_letter.id, attempt=1,
                           dossier_id=other_team_letter.dossier_id, letter_kind="decision.granted",
                           title="Van een ander team", recipient_name="Sofie Claes",
                           channel="paper", reason="no_ebox_consent", status=RETURNED,
                           barcode="JJBEA000000000000000001"))
    dbsession.flush()
    login(handler)
    first = testapp.get("/api/v1/verzendregister").json
    assert len(first["items"]) == 50 and first["links"]["next"]
    second = testapp.get(first["links"]["next"]).json
    assert len(second["items"]) == 3 and second["links"]["next"] is None
    assert "Van een ander team" not in {i["title"] for i in first["items"] + second["items"]}
    paper = testapp.get("/api/v1/verzendregister?channel=paper").json["items"]
    assert {i["channel"] for i in paper} == {"paper"} and len(paper) == 27
    # The secretariat sees every team's mail, and finds it by barcode.
    login(factories.staff(Role.SECRETARIAT))
    found = testapp.get("/verzendregister?q=JJBEA000000000000000001")
    assert "Van een ander team" in found.text
    exported = testapp.get("/verzendregister/csv?status=returned")
    assert exported.content_type == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["id", "dossier", "letter"] and len(rows) == 2
    assert testapp.get("/api/v1/verzendregister?channel=fax", status=400)


def test_sending_as_json(testapp, login, factories, dbsession, ready_letter, team,
                         use_delivery, use_magda, dutch):
    jan = ready_letter(JAN, team=team)
    login(factories.staff(Role.SECRETARIAT))
    headers = {"X-CSRF-Token": csrf_token(testapp)}
    answer = testapp.post_json("/api/v1/verzendregister", {"letters": [jan.id, 424242]},
                               headers=headers, status=202).json
    assert [d["channel"] for d in answer["sent"]] == ["ebox"]
    assert [r["letter"] for r in answer["refused"]] == [424242]
    again = testapp.post_json("/api/v1/verzendregister", {"letters": [jan.id]},
                              headers=headers, status=202).json
    assert again["sent"] == []
    assert again["refused"][0]["reason"] == dutch(_("This letter was already sent; it is not "
                                                    "sent twice."))
    testapp.post_json("/api/v1/verzendregister", {"letters": []}, headers=headers, status=400)
    testapp.post_json("/api/v1/verzendregister", {"letters": ["x"]}, headers=headers,
                      status=400)
    shown = testapp.get(f"/api/v1/dossiers/{jan.dossier.reference}/verzending").json
    assert shown["letters"][0]["dispatches"][0]["status"] == "queued"


def test_the_citizen_sees_a_decision_letter_once_it_was_delivered(
        testapp, login, dbsession, ready_letter, team, use_delivery, use_magda, app, dutch):
    from loket.sending import services

    jan = ready_letter(JAN, team=team)
    dispatch = services.send(app.registry, dbsession, jan)
    login(jan.dossier.applicant)
    url = f"/dossiers/{jan.dossier.reference}"
    assert dutch(_("Letters sent to you")) not in testapp.get(url).text  # queued
    dispatch.status, dispatch.sent = ACCEPTED, dispatch.queued
    dbsession.flush()
    # Handed over, not yet delivered: the outcome is not told before the letter arrives.
    assert dutch(_("Letters sent to you")) not in testapp.get(url).text
    dispatch.status, dispatch.delivered = "delivered", dispatch.queued
    dbsession.flush()
    page = testapp.get(url)
    assert dutch(_("Letters sent to you")) in page.text and dutch(_("to your eBox")) in page.text
    link = page.html.select_one("#brieven a")["href"]
    assert testapp.get(link).content_type == "application/pdf"


def test_the_citizen_sees_another_letter_once_it_left(testapp, login, dbsession,
                                                      ready_letter, team, use_delivery,
                                                      use_magda, app, dutch):
    from loket.sending import services

    letter = ready_letter(JAN, team=team, kind="completion.request",
                          state="vervollediging_gevraagd")
    dispatch = services.send(app.registry, dbsession, letter)
    dispatch.status, dispatch.sent = ACCEPTED, dispatch.queued
    dbsession.flush()
    login(letter.dossier.applicant)
    page = testapp.get(f"/dossiers/{letter.dossier.reference}")
    assert dutch(_("Letters sent to you")) in page.text


def test_returned_mail_is_on_the_handlers_worklist(testapp, login, handler, dbsession,
                                                   ready_letter, team):
    letter = ready_letter(SOFIE, team=team)
    dbsession.add(Dispatch(letter_id=letter.id, dossier_id=letter.dossier_id,
                           letter_kind=letter.kind, title="Beslissing", channel="paper",
                           reason="no_ebox_consent", status=RETURNED,
                           return_reason="address_unknown"))
    dbsession.flush()
    login(handler)
    page = testapp.get("/werkbank?lijst=teruggestuurd")
    assert letter.dossier.reference in page.text


def test_the_ready_list_narrows_to_one_meetings_decisions(testapp, login, factories, dbsession,
                                                          ready_letter):
    from datetime import date, timedelta

    from loket.db import utcnow
    from loket.decisions import services as decisions
    from loket.decisions.models import Decision, Meeting

    body = decisions.ensure_bodies(dbsession)["college"]
    meeting = Meeting(body_id=body.id, starts=utcnow() - timedelta(days=1),
                      agenda_closes=utcnow() - timedelta(days=5), status="held",
                      held_on=date.today() - timedelta(days=1))
    dbsession.add(meeting)
    dbsession.flush()
    of_meeting = ready_letter(SOFIE, title="Van de zitting")
    ready_letter(SOFIE, title="Andere")
    decision = Decision(dossier_id=of_meeting.dossier_id, body_code="college",
                        meeting_id=meeting.id, decided_on=meeting.held_on, outcome="approved",
                        title="Goedgekeurd", final_text="…")
    dbsession.add(decision)
    dbsession.flush()
    of_meeting.details = {"decision": decision.id}
    dbsession.flush()
    login(factories.staff(Role.SECRETARIAT))
    page = testapp.get("/verzendregister")
    assert "Van de zitting" in page.text and "Andere" in page.text
    page = testapp.get(f"/verzendregister?zitting={meeting.id}")
    ready = page.html.select_one("#klaar").text
    assert "Van de zitting" in ready and "Andere" not in ready
    assert testapp.get("/verzendregister?zitting=%C2%B2").status_int == 200  # not a number
