"""Internal notes and mentions: staff only (HTML and JSON), mentions of the dossier's team
only, mentions seen when the colleague opens the dossier, an e-mail through the outbox."""

import pytest
from sqlalchemy import func, select

from loket.audit.models import AuditEvent
from loket.i18n import _
from loket.notes.models import DossierNote, NoteMention
from loket.outbox.models import OutboxMessage
from loket.security import Role
from tests.conftest import csrf_token


@pytest.fixture
def colleague(factories, team):
    user = factories.staff(Role.HANDLER, team=team, given_name="Karel")
    user.email = "karel@heidebeek.example"
    return user


def _form(page):
    [form] = [f for f in page.forms.values() if f.action.rstrip("/").endswith("/notities")]
    return form


def _count(dbsession, model):
    return dbsession.scalar(select(func.count()).select_from(model))


def test_note_with_mention(testapp, login, handler, colleague, submitted, dbsession, factories):
    outsider = factories.staff(Role.HANDLER, given_name="Olga")  # another team
    login(handler)
    page = testapp.get(f"/dossiers/{submitted.reference}")
    form = _form(page)
    options = [o[2] for o in form["mentions"].options]
    assert "Karel" in " ".join(options) and "Olga" not in " ".join(options)
    assert handler.name not in options  # not oneself
    form["body"] = "Karel, kijk jij de factuur na?"
    form["mentions"] = [str(colleague.id)]
    page = form.submit().follow()
    note = dbsession.scalars(select(DossierNote)).one()
    assert note.author_id == handler.id and [m.user_id for m in note.mentions] == [colleague.id]
    assert note.mentions[0].seen is False and note.mentions[0].dossier_id == submitted.id
    notes = page.html.find(id="notities").text
    assert "Karel, kijk jij de factuur na?" in notes and colleague.name in notes
    assert "Karel, kijk jij de factuur na?" in page.html.find(id="tijdlijn").text
    event = dbsession.scalars(select(AuditEvent).where(AuditEvent.action == "note.added")).one()
    assert event.details == {"note": note.id, "mentions": [colleague.id]}
    assert outsider.id not in event.details["mentions"]


def test_mention_is_seen_when_the_colleague_opens_the_dossier(testapp, login, handler,
                                                              colleague, submitted, dbsession):
    login(handler)
    form = _form(testapp.get(f"/dossiers/{submitted.reference}"))
    form["body"] = "Even kijken."
    form["mentions"] = [str(colleague.id)]
    form.submit()
    mention = dbsession.scalars(select(NoteMention)).one()
    testapp.get(f"/dossiers/{submitted.reference}")  # the author: not theirs
    dbsession.refresh(mention)
    assert mention.seen is False
    login(colleague)
    testapp.get(f"/dossiers/{submitted.reference}")
    dbsession.refresh(mention)
    assert mention.seen is True


def test_mention_emails_go_through_the_outbox(app, testapp, login, handler, colleague,
                                              submitted, dbsession, monkeypatch):
    from loket.outbox import register_deliverer

    registry = app.registry
    deliverers = dict(registry.get("loket.outbox.deliverers", {}))
    monkeypatch.setitem(registry, "loket.outbox.deliverers", deliverers)
    register_deliverer(registry, "email", lambda message, context: None)
    login(handler)
    form = _form(testapp.get(f"/dossiers/{submitted.reference}"))
    form["body"] = "Dringend: de IBAN klopt niet."
    form["mentions"] = [str(colleague.id)]
    page = form.submit().follow()
    message = dbsession.scalars(select(OutboxMessage)).one()
    assert message.kind == "email" and message.payload["to"] == colleague.email
    assert message.payload["purpose"] == "mention" and message.dossier_id == submitted.id
    assert submitted.reference in message.payload["subject"]
    assert f"http://localhost/dossiers/{submitted.reference}" in message.payload["text"]
    assert "IBAN" not in message.payload["text"]  # the note stays in Loket
    assert "karel@" not in page.html.find(id="tijdlijn").text


@pytest.mark.parametrize("body,mentions,message", [
    ("   ", [], _("Write the note.")),
    ("x" * 4001, [], _("The note is too long: at most ${max} characters.",
                       mapping={"max": 4000})),
])
def test_bad_notes_are_refused(testapp, login, handler, submitted, dbsession, dutch, body,
                               mentions, message):
    login(handler)
    form = _form(testapp.get(f"/dossiers/{submitted.reference}"))
    form["body"] = body
    response = form.submit(status=400)
    assert dutch(message) in response.html.find(id="notitie-fout").text
    assert _count(dbsession, DossierNote) == 0


def test_mentioning_someone_outside_the_team_is_refused(testapp, login, handler, submitted,
                                                        factories, dbsession, dutch):
    outsider = factories.staff(Role.HANDLER)
    login(handler)
    response = testapp.post(f"/dossiers/{submitted.reference}/notities", {
        "csrf_token": csrf_token(testapp), "body": "Kijk eens", "mentions": str(outsider.id)},
        status=400)
    assert dutch(_("You can only mention colleagues of the dossier's team.")) in \
        response.html.find(id="notitie-fout").text
    assert response.html.find(id="notitie").text == "Kijk eens"
    assert _count(dbsession, DossierNote) == 0 and _count(dbsession, NoteMention) == 0


def test_citizen_never_sees_notes(testapp, login, handler, applicant, submitted, dbsession):
    dbsession.add(DossierNote(dossier_id=submitted.id, author_id=handler.id,
                              body="Geheim: twijfel over de factuur"))
    dbsession.flush()
    login(applicant)
    page = testapp.get(f"/dossiers/{submitted.reference}")
    assert "Geheim" not in page.text
    assert "Geheim" not in testapp.get(f"/api/v1/dossiers/{submitted.reference}").text
    testapp.get(f"/api/v1/dossiers/{submitted.reference}/notities", status=404)
    testapp.post(f"/dossiers/{submitted.reference}/notities",
                 {"csrf_token": csrf_token(testapp), "body": "Ik ook"}, status=404)
    assert _count(dbsession, DossierNote) == 1


@pytest.mark.parametrize("who", ["adviser", "other_handler"])
def test_other_staff_get_404(testapp, login, factories, submitted, who):
    user = factories.staff(Role.ADVISER if who == "adviser" else Role.HANDLER)
    login(user)
    testapp.get(f"/api/v1/dossiers/{submitted.reference}/notities", status=404)
    testapp.post(f"/dossiers/{submitted.reference}/notities",
                 {"csrf_token": csrf_token(testapp), "body": "Hallo"}, status=404)


def test_json_list_and_add(testapp, login, handler, colleague, submitted, dbsession):
    login(handler)
    token = csrf_token(testapp)
    url = f"/api/v1/dossiers/{submitted.reference}/notities"
    assert testapp.get(url).json["items"] == []
    created = testapp.post_json(url, {"body": "Via de API", "mentions": [colleague.id]},
                                headers={"X-CSRF-Token": token}, status=201).json
    assert created["body"] == "Via de API" and created["mentions"][0]["id"] == colleague.id
    listing = testapp.get(url).json
    assert [n["body"] for n in listing["items"]] == ["Via de API"]
    assert {c["id"] for c in listing["colleagues"]} == {colleague.id}


@pytest.mark.parametrize("payload,status", [
    ({"body": ""}, 400),
    ({"mentions": []}, 400),
    ({"body": "x", "mentions": ["een"]}, 400),
    ({"body": "x", "mentions": [999999]}, 400),
    ({"body": "x", "extra": 1}, 400),
])
def test_json_bad_input(testapp, login, handler, submitted, dbsession, payload, status):
    login(handler)
    token = csrf_token(testapp)
    response = testapp.post_json(f"/api/v1/dossiers/{submitted.reference}/notities", payload,
                                 headers={"X-CSRF-Token": token}, status=status)
    assert response.json["error"]["message"]
    assert _count(dbsession, DossierNote) == 0


def test_json_without_csrf_is_refused(testapp, login, handler, submitted, dbsession):
    login(handler)
    testapp.post_json(f"/api/v1/dossiers/{submitted.reference}/notities", {"body": "x"},
                      status=400)
    assert _count(dbsession, DossierNote) == 0
