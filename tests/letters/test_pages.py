"""The letters on the staff dossier page and in the API, their timeline entries, and the
administrator's wording editor with its preview on a real dossier."""

import io

import pikepdf
from sqlalchemy import select

from loket.audit.models import AuditEvent
from loket.catalogue.models import CONCEPT
from loket.letters import services
from loket.security import Role
from tests.conftest import csrf_token
from tests.letters.conftest import render_waiting


def test_the_panel_lists_letters_with_status_reason_and_links(
        testapp, login, handler, submitted, render_request, letter_of_kind):
    letter = letter_of_kind("decision.granted")
    waiting = letter_of_kind("receipt")
    render_waiting(render_request)
    services.create_letter(render_request.dbsession, submitted, "completion.request")
    login(handler)
    page = testapp.get(f"/dossiers/{submitted.reference}")
    panel = page.html.find(id="brieven")
    text = " ".join(panel.get_text(" ").split())
    assert letter.title in text and "Luc Janssens" in text and letter.screening_reason in text
    links = [a["href"] for a in panel.find_all("a")]
    assert f"/dossiers/{submitted.reference}/documenten/{letter.document.number}/download" \
        in links
    download = testapp.get(f"/dossiers/{submitted.reference}/documenten/"
                           f"{waiting.document.number}/download")
    assert download.body.startswith(b"%PDF")
    assert panel.find("form")  # the override, for the handler


def test_the_api_lists_a_dossiers_letters_for_staff_only(
        testapp, login, handler, applicant, submitted, render_request, letter_of_kind):
    letter = letter_of_kind("decision.refused")
    render_waiting(render_request)
    login(handler)
    found = testapp.get(f"/api/v1/dossiers/{submitted.reference}/brieven").json
    [shown] = found["letters"]
    assert (shown["kind"], shown["status"], shown["needs_signature"]) == (
        "decision.refused", "to_sign", True)
    assert [s["name"] for s in shown["signatories"]] == ["Luc Janssens", "Hilde Goossens"]
    assert shown["document"]["sha256"] == letter.document.current.sha256
    login(applicant)
    testapp.get(f"/api/v1/dossiers/{submitted.reference}/brieven", status=404)


def test_the_timeline_tells_the_letters_life(testapp, login, handler, submitted,
                                            render_request, letter_of_kind):
    letter_of_kind("receipt")
    render_waiting(render_request)
    login(handler)
    page = testapp.get(f"/dossiers/{submitted.reference}")
    entries = [" ".join(li.get_text(" ").split())
               for li in page.html.find(id="tijdlijn").find_all("li")]
    assert any(e.endswith("Brief klaar om te verzenden: Ontvangstbewijs (Loket)")
               for e in entries), entries
    assert any(e.endswith("Brief gemaakt: Ontvangstbewijs (Loket)") for e in entries)


def test_the_editor_previews_on_a_real_dossier_and_refuses_unknown_variables(
        testapp, login, factories, submitted, render_request, letter_of_kind, dbsession):
    letter_of_kind("decision.granted")  # the dossier has a decision
    admin = login(factories.staff(Role.ADMIN))
    version = submitted.type_version
    base = f"/catalogus/{version.dossier_type.code}/{version.number}/@@brieven"
    page = testapp.get(base + "?soort=decision.granted")
    form = page.forms["brief-bewerken"]
    assert "{{ decision.decided_by }}" in form["body_nl"].value or "decision" in \
        form["body_nl"].value
    form["dossier"] = submitted.reference
    preview = form.submit("voorbeeld")
    assert preview.content_type == "application/pdf"
    pdf = pikepdf.open(io.BytesIO(preview.body))
    assert str(pdf.Root.Lang) == "nl"
    assert dbsession.scalar(select(AuditEvent).where(AuditEvent.action == "letter.previewed",
                                                     AuditEvent.actor_id == admin.id))
    # An unknown variable: 422 with its line, at the preview and when saving.
    form["body_nl"] = "Geachte,\n\nU krijgt {{ bedrag }}."
    for button in ("voorbeeld", "opslaan"):
        refused = form.submit(button, status=422)
        assert 'line 3: unknown variable "bedrag"' in refused.text or "bedrag" in \
            refused.html.find(id="brief-fouten").get_text()
    # An unknown attribute shows at the preview on the dossier.
    form["body_nl"] = "Geachte,\n{{ decision.bedrag }}"
    refused = form.submit("voorbeeld", status=422)
    assert "bedrag" in refused.html.find(id="brief-fouten").get_text()
    # A published version never changes.
    form["body_nl"] = "Geachte {{ recipient.name }},"
    form.submit("opslaan", status=409)


def test_the_editor_saves_a_concepts_wording(testapp, login, factories, dbsession,
                                             heating_type):
    from loket.catalogue.services import SystemActor, new_concept

    version = new_concept(SystemActor(dbsession), heating_type.dossier_type)
    assert version.status == CONCEPT
    login(factories.staff(Role.ADMIN))
    base = f"/catalogus/{version.dossier_type.code}/{version.number}/@@brieven"
    form = testapp.get(base + "?soort=receipt").forms["brief-bewerken"]
    form["subject_nl"] = "Bewijs van ontvangst {{ reference }}"
    form["rule"] = "body"
    form.submit("opslaan", status=200)
    dbsession.refresh(version)
    assert version.definition["letters"]["templates"]["receipt"]["subject"]["nl"] == \
        "Bewijs van ontvangst {{ reference }}"
    assert version.definition["letters"]["signatures"]["receipt"] == "body"
    testapp.get(base + "?soort=bestaat-niet", status=404)
    testapp.post(base + "?soort=receipt", {"csrf_token": csrf_token(testapp)}, status=422)


def test_the_handler_sends_a_reminder_while_the_dossier_waits_for_completion(
        testapp, login, handler, submitted, dbsession, render_request):
    from loket.completion.models import CompletionRequest
    from loket.letters.models import Letter
    from tests.letters.conftest import pdf_of, pdf_text

    login(handler)
    url = f"/dossiers/{submitted.reference}/brieven/herinnering"
    testapp.post(url, {"csrf_token": csrf_token(testapp)}, status=409)  # nothing asked
    assert not dbsession.scalars(select(Letter)).all()
    submitted.state = "vervollediging_gevraagd"
    dbsession.add(CompletionRequest(dossier_id=submitted.id, question="Het huurcontract.",
                                    requested_by_id=handler.id))
    dbsession.flush()
    page = testapp.get(f"/dossiers/{submitted.reference}")
    page.forms[[k for k, f in page.forms.items() if f.action.endswith("herinnering")][0]] \
        .submit(status=302)
    [letter] = dbsession.scalars(select(Letter)).all()
    assert (letter.kind, letter.created_by_id) == ("completion.reminder", handler.id)
    render_waiting(render_request)
    text = pdf_text(pdf_of(render_request, letter))
    assert "Herinnering" in text and "Het huurcontract." in text


def test_a_letter_that_could_not_be_rendered_is_tried_again_on_request(
        testapp, login, handler, submitted, dbsession, render_request, letter_of_kind):
    from loket.letters.rendering import MAX_ATTEMPTS, render_letter

    stuck = services.create_letter(dbsession, submitted, "decision.refused")  # no decision
    stuck.details = {"problem": "Over dit dossier is nog niet beslist.",
                     "attempts": MAX_ATTEMPTS}
    done = letter_of_kind("receipt")
    render_letter(render_request, done)
    dbsession.flush()
    login(handler)
    page = testapp.get(f"/dossiers/{submitted.reference}")
    article = page.html.find(id=f"brief-{stuck.id}")
    assert "Over dit dossier is nog niet beslist." in article.get_text()
    token = csrf_token(testapp)
    testapp.post(f"/dossiers/{submitted.reference}/brieven/{stuck.id}/opnieuw",
                 {"csrf_token": token}, status=302)
    assert "attempts" not in stuck.details and "problem" not in stuck.details
    testapp.post(f"/dossiers/{submitted.reference}/brieven/{done.id}/opnieuw",
                 {"csrf_token": token}, status=409)
    # Without the form's token: refused.
    testapp.post(f"/dossiers/{submitted.reference}/brieven/{stuck.id}/opnieuw", status=400)
