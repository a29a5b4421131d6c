"""Internal advice through the pages: the handler requests, the adviser sees only the shared
parts and answers in their worklist, waiving needs a reason, the guard waits for all advice."""

from datetime import timedelta

from sqlalchemy import select

from loket.advice.models import AdviceRequest
from loket.audit.models import AuditEvent
from loket.db import utcnow
from loket.workflow.models import HistoryEntry
from tests.advice.conftest import request_form_fields, says
from tests.conftest import csrf_token


def _request(testapp, login, scene, **changes):
    login(scene.handler)
    page = testapp.get(f"/dossiers/{scene.dossier.reference}")
    assert says(page.text, "Advies vragen", "Request advice")  # the panel's form
    response = testapp.post(f"/dossiers/{scene.dossier.reference}/adviezen/aanvragen",
                            request_form_fields(scene, csrf_token(testapp), **changes))
    return response


def _only(dbsession, dossier) -> AdviceRequest:
    dbsession.flush()
    [advice] = dbsession.scalars(select(AdviceRequest).where(
        AdviceRequest.dossier_id == dossier.id)).all()
    return advice


def test_handler_requests_internal_advice_sharing_chosen_parts(testapp, login, scene,
                                                                dbsession):
    response = _request(testapp, login, scene)
    assert response.status_int == 302
    advice = _only(dbsession, scene.dossier)
    assert (advice.number, advice.channel, advice.team_id, advice.status) == \
        (1, "internal", scene.advice_team.id, "requested")
    assert advice.shared == {"fields": ["inkomen"], "documents": [scene.shared_doc.number]}
    event = dbsession.scalar(select(AuditEvent).where(AuditEvent.action == "advice.requested"))
    assert event.details["team"] == scene.advice_team.code
    assert "inkomen" not in str(event.details) and "23410" not in str(event.details)
    page = testapp.get(f"/dossiers/{scene.dossier.reference}")
    assert says(page.text, "Adviesvraag 1", "Advice request 1")
    assert "Financiële dienst" in page.text


def test_adviser_sees_only_the_shared_parts(testapp, login, scene, dbsession):
    _request(testapp, login, scene)
    advice = _only(dbsession, scene.dossier)
    ref = scene.dossier.reference
    login(scene.adviser)
    page = testapp.get(f"/dossiers/{ref}/adviezen/{advice.number}")
    assert "Is het inkomen correct berekend?" in page.text
    assert "23410" in page.text and "Aanslagbiljet" in page.text
    assert "BE68539007547034" not in page.text and "Medisch attest" not in page.text
    assert f'href="/dossiers/{ref}"' not in page.text  # no link to the dossier itself
    testapp.get(f"/dossiers/{ref}/adviezen/{advice.number}/documenten/"
                f"{scene.shared_doc.number}/download", status=200)
    # Everything else of the dossier: 404.
    for path in (f"/dossiers/{ref}", f"/dossiers/{ref}/documenten/{scene.shared_doc.number}",
                 f"/dossiers/{ref}/documenten/{scene.private_doc.number}/download",
                 f"/dossiers/{ref}/adviezen/{advice.number}/documenten/"
                 f"{scene.private_doc.number}/download",
                 f"/api/v1/dossiers/{ref}", f"/api/v1/dossiers/{ref}/adviezen"):
        testapp.get(path, status=404)


def test_adviser_of_another_team_gets_404(testapp, login, scene, dbsession, factories):
    _request(testapp, login, scene)
    from loket.security import Role

    login(factories.staff(Role.ADVISER, team=factories.team()))
    testapp.get(f"/dossiers/{scene.dossier.reference}/adviezen/1", status=404)
    assert scene.dossier.reference not in testapp.get("/adviezen").text


def test_adviser_answers_from_the_worklist_and_a_second_answer_is_refused(testapp, login,
                                                                          scene, dbsession):
    _request(testapp, login, scene)
    advice = _only(dbsession, scene.dossier)
    login(scene.adviser)
    worklist = testapp.get("/adviezen")
    assert scene.dossier.reference in worklist.text
    link = worklist.html.find("a", href=f"/dossiers/{scene.dossier.reference}/adviezen/1/")
    page = testapp.get(link["href"])
    form = page.forms["advies"]
    form["opinion"] = "unfavourable"
    refused = form.submit("answer", status=400)  # unfavourable needs an explanation
    assert says(refused.text, "ongunstig", "Explain an unfavourable")
    dbsession.refresh(advice)
    assert advice.status == "requested"
    form = refused.forms["advies"]
    form["opinion"] = "conditional"
    form["text"] = "Gunstig als het aanslagbiljet van 2025 wordt toegevoegd."
    done = form.submit("answer", status=302)
    assert done.location.endswith("/adviezen")
    dbsession.refresh(advice)
    assert (advice.status, advice.opinion, advice.answered_by_id) == \
        ("answered", "conditional", scene.adviser.id)
    assert scene.dossier.reference not in testapp.get("/adviezen").text
    # A second answer: a clear Dutch message, nothing changed.
    second = testapp.post(f"/dossiers/{scene.dossier.reference}/adviezen/1/antwoorden",
                          {"csrf_token": csrf_token(testapp), "opinion": "favourable",
                           "text": ""}, status=409)
    assert says(second.text, "al beantwoord", "already answered")
    dbsession.refresh(advice)
    assert advice.opinion == "conditional"
    # The handler sees the answer on the dossier page's timeline.
    login(scene.handler)
    page = testapp.get(f"/dossiers/{scene.dossier.reference}")
    assert says(page.text, "Gunstig onder voorwaarden", "Favourable under conditions")


def test_waive_needs_a_reason(testapp, login, scene, dbsession):
    _request(testapp, login, scene)
    advice = _only(dbsession, scene.dossier)
    url = f"/dossiers/{scene.dossier.reference}/adviezen/1/afzien"
    response = testapp.post(url, {"csrf_token": csrf_token(testapp), "reason": ""}, status=400)
    assert says(response.text.lower(), "verplicht", "required")
    dbsession.refresh(advice)
    assert advice.status == "requested"
    testapp.post(url, {"csrf_token": csrf_token(testapp),
                       "reason": "Het inkomen blijkt al uit MAGDA."}, status=302)
    dbsession.refresh(advice)
    assert (advice.status, advice.waived_by_id) == ("waived", scene.handler.id)
    again = testapp.post(url, {"csrf_token": csrf_token(testapp), "reason": "Nog eens"},
                         status=409)
    assert says(again.text, "niets gewijzigd", "Nothing was changed")


def test_adviser_cannot_waive_or_request(testapp, login, scene, dbsession):
    _request(testapp, login, scene)
    login(scene.adviser)
    ref = scene.dossier.reference
    testapp.post(f"/dossiers/{ref}/adviezen/1/afzien",
                 {"csrf_token": csrf_token(testapp), "reason": "x"}, status=403)
    testapp.get(f"/dossiers/{ref}/adviezen/aanvragen", status=404)


def test_requests_only_while_admissible_or_handled(testapp, login, scene, dbsession):
    scene.dossier.state = "ingediend"
    dbsession.flush()
    login(scene.handler)
    page = testapp.get(f"/dossiers/{scene.dossier.reference}")
    assert not says(page.text, "Advies vragen", "Request advice")
    response = testapp.post(f"/dossiers/{scene.dossier.reference}/adviezen/aanvragen",
                            request_form_fields(scene, csrf_token(testapp)), status=409)
    assert says(response.text, "ontvankelijk", "admissible")
    assert dbsession.scalars(select(AdviceRequest)).all() == []


def test_email_target_needs_an_address(testapp, login, scene, dbsession):
    login(scene.handler)
    response = testapp.post(f"/dossiers/{scene.dossier.reference}/adviezen/aanvragen",
                            request_form_fields(scene, csrf_token(testapp), target="email"),
                            status=400)
    assert says(response.text, "e-mailadres", "e-mail address")
    assert dbsession.scalars(select(AdviceRequest)).all() == []


def test_guard_blocks_ready_for_decision_until_all_advice_is_in(testapp, login, scene,
                                                                 dbsession):
    _request(testapp, login, scene)
    _request(testapp, login, scene, question="Tweede vraag")
    ref = scene.dossier.reference

    def step(status):
        dbsession.refresh(scene.dossier)
        return testapp.post(f"/dossiers/{ref}/stap", {
            "csrf_token": csrf_token(testapp), "transition": "klaar_voor_beslissing",
            "version": scene.dossier.version, "comment": ""}, status=status)

    step("*")
    dbsession.refresh(scene.dossier)
    assert scene.dossier.state == "in_behandeling"
    page = testapp.get(f"/dossiers/{ref}")
    assert says(page.text, "advies verwacht", "Advice is still awaited")
    testapp.post(f"/dossiers/{ref}/adviezen/1/afzien",
                 {"csrf_token": csrf_token(testapp), "reason": "Niet meer nodig."}, status=302)
    step("*")
    dbsession.refresh(scene.dossier)
    assert scene.dossier.state == "in_behandeling"  # request 2 is still open
    login(scene.adviser)
    testapp.post(f"/dossiers/{ref}/adviezen/2/antwoorden",
                 {"csrf_token": csrf_token(testapp), "opinion": "favourable", "text": ""},
                 status=302)
    login(scene.handler)
    step("*")
    dbsession.refresh(scene.dossier)
    assert scene.dossier.state == "klaar_voor_beslissing"
    assert dbsession.scalar(select(HistoryEntry).where(
        HistoryEntry.dossier_id == scene.dossier.id)).transition == "klaar_voor_beslissing"


def test_overdue_flag_in_worklist(testapp, login, scene, dbsession):
    _request(testapp, login, scene)
    advice = _only(dbsession, scene.dossier)
    advice.due = utcnow().date() - timedelta(days=1)
    dbsession.flush()
    login(scene.adviser)
    assert says(testapp.get("/adviezen").text, "Te laat", "Overdue")
