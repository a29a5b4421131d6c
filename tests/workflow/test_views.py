"""Taking workflow steps from the dossier page."""

from sqlalchemy import select

from loket.security import Role
from loket.workflow.models import HistoryEntry


# The generic step forms of the workflow panel; admissibility (from "ingediend") has its own
# form (tests/admissibility), so these start from an admissible dossier.
def _setup(factories, login, who="handler", state="ontvankelijk"):
    team = factories.team()
    handler = factories.staff(Role.HANDLER, team=team)
    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen, team=team, state=state)
    login(handler if who == "handler" else citizen)
    return dossier


def test_handler_takes_a_step_from_the_page(testapp, factories, login, dbsession):
    dossier = _setup(factories, login)
    page = testapp.get(f"/dossiers/{dossier.reference}/")
    assert "Behandeling starten" in page.text and "Indienen" not in page.text
    form = _step_form(page, "behandeling_starten")
    response = form.submit(status=302)
    page = response.follow()
    assert dossier.state == "in_behandeling"
    assert "In behandeling" in page.html.select_one(".timeline").get_text()


def _step_form(page, transition):
    return next(f for f in page.forms.values()
                if f.fields.get("transition") and f["transition"].value == transition)


def test_reason_is_required_and_nothing_changes(testapp, factories, login, dbsession):
    dossier = _setup(factories, login, state="klaar_voor_beslissing")
    page = testapp.get(f"/dossiers/{dossier.reference}/")
    form = _step_form(page, "terug_naar_behandeling")
    form["comment"] = ""
    response = form.submit(status=400)
    assert "reden" in response.text.lower() or "reason" in response.text.lower()
    assert dossier.state == "klaar_voor_beslissing"


def test_stale_page_gets_a_conflict(testapp, factories, login, dbsession):
    dossier = _setup(factories, login)
    page = testapp.get(f"/dossiers/{dossier.reference}/")
    form = _step_form(page, "behandeling_starten")
    dossier.title = "changed by a colleague"
    dbsession.flush()  # version 2 now
    response = form.submit(status=409)
    assert "intussen" in response.text or "in the meantime" in response.text
    assert dossier.state == "ontvankelijk"


def test_citizen_withdraws_through_the_step_view(testapp, factories, login, dbsession):
    # The citizen's page links to a confirmation page (tests/dossiers/test_withdraw.py); the
    # step itself is the engine's.
    dossier = _setup(factories, login, who="citizen", state="ingediend")
    page = testapp.get(f"/dossiers/{dossier.reference}/")
    token = page.html.find("input", {"name": "csrf_token"})["value"]
    testapp.post(f"/dossiers/{dossier.reference}/stap",
                 {"csrf_token": token, "transition": "stopzetten",
                  "version": str(dossier.version)}, status=302)
    assert dossier.state == "stopgezet"
    entry = dbsession.scalars(select(HistoryEntry).where(
        HistoryEntry.dossier_id == dossier.id)).one()
    assert entry.transition == "stopzetten"


def test_citizen_cannot_take_a_handlers_step(testapp, factories, login, dbsession):
    dossier = _setup(factories, login, who="citizen", state="ingediend")
    page = testapp.get(f"/dossiers/{dossier.reference}/")
    token = page.html.find("input", {"name": "csrf_token"})["value"]
    testapp.post(f"/dossiers/{dossier.reference}/stap",
                 {"csrf_token": token, "transition": "ontvankelijk_verklaren",
                  "version": str(dossier.version)}, status=403)
    assert dossier.state == "ingediend"


def test_step_without_csrf_is_refused(testapp, factories, login):
    dossier = _setup(factories, login, state="ingediend")
    testapp.post(f"/dossiers/{dossier.reference}/stap",
                 {"transition": "ontvankelijk_verklaren", "version": "1"}, status=400)
    assert dossier.state == "ingediend"


def _post_step(testapp, dossier, transition, comment=""):
    page = testapp.get(f"/dossiers/{dossier.reference}/")
    token = page.html.find("input", {"name": "csrf_token"})["value"]
    return testapp.post(f"/dossiers/{dossier.reference}/stap",
                        {"csrf_token": token, "transition": transition, "comment": comment,
                         "version": str(dossier.version)}, status="*")


def test_a_request_for_completion_from_the_step_form_is_stored_as_one(testapp, factories, login,
                                                                       dbsession):
    from loket.completion.models import CompletionRequest

    dossier = _setup(factories, login, state="in_behandeling")
    response = _post_step(testapp, dossier, "vervollediging_vragen", "Voeg je huurcontract toe.")
    assert response.status_int == 302
    assert dossier.state == "vervollediging_gevraagd"
    [asked] = dbsession.scalars(select(CompletionRequest).where(
        CompletionRequest.dossier_id == dossier.id)).all()
    assert asked.question == "Voeg je huurcontract toe."


def test_steps_with_their_own_form_are_refused_on_the_generic_step_view(testapp, factories,
                                                                         login, dbsession):
    dossier = _setup(factories, login, state="ingediend")
    response = _post_step(testapp, dossier, "onontvankelijk_verklaren", "Te laat.")
    assert response.status_int == 400 and "reden" in response.text
    assert dossier.state == "ingediend"

    other = _setup(factories, login, who="citizen", state="vervollediging_gevraagd")
    response = _post_step(testapp, other, "vervolledigen")
    assert response.status_int == 400 and "dossierpagina" in response.text
    assert other.state == "vervollediging_gevraagd"
