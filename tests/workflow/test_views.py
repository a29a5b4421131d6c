"""Taking workflow steps from the dossier page."""

from sqlalchemy import select

from loket.security import Role
from loket.workflow.models import HistoryEntry


def _setup(factories, login, who="handler"):
    team = factories.team()
    handler = factories.staff(Role.HANDLER, team=team)
    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen, team=team)
    login(handler if who == "handler" else citizen)
    return dossier


def test_handler_takes_a_step_from_the_page(testapp, factories, login, dbsession):
    dossier = _setup(factories, login)
    page = testapp.get(f"/dossiers/{dossier.reference}/")
    assert "Ontvankelijk verklaren" in page.text and "Indienen" not in page.text
    form = next(f for f in page.forms.values()
                if f.fields.get("transition") and f["transition"].value == "ontvankelijk_verklaren")
    response = form.submit(status=302)
    page = response.follow()
    assert dossier.state == "ontvankelijk"
    assert page.html.select_one(".timeline").get_text().count("Ontvankelijk") >= 1
    assert "Beslissing" in page.text  # the decision deadline now runs


def test_reason_is_required_and_nothing_changes(testapp, factories, login, dbsession):
    dossier = _setup(factories, login)
    page = testapp.get(f"/dossiers/{dossier.reference}/")
    form = next(f for f in page.forms.values()
                if f.fields.get("transition")
                and f["transition"].value == "onontvankelijk_verklaren")
    form["comment"] = ""
    response = form.submit(status=400)
    assert "reden" in response.text.lower() or "reason" in response.text.lower()
    assert dossier.state == "ingediend"


def test_stale_page_gets_a_conflict(testapp, factories, login, dbsession):
    dossier = _setup(factories, login)
    page = testapp.get(f"/dossiers/{dossier.reference}/")
    form = next(f for f in page.forms.values()
                if f.fields.get("transition") and f["transition"].value == "ontvankelijk_verklaren")
    dossier.title = "changed by a colleague"
    dbsession.flush()  # version 2 now
    response = form.submit(status=409)
    assert "intussen" in response.text or "in the meantime" in response.text
    assert dossier.state == "ingediend"


def test_citizen_withdraws(testapp, factories, login, dbsession):
    dossier = _setup(factories, login, who="citizen")
    page = testapp.get(f"/dossiers/{dossier.reference}/")
    assert "Ontvankelijk verklaren" not in page.text
    form = next(f for f in page.forms.values()
                if f.fields.get("transition") and f["transition"].value == "stopzetten")
    form.submit(status=302)
    assert dossier.state == "stopgezet"
    entry = dbsession.scalars(select(HistoryEntry).where(
        HistoryEntry.dossier_id == dossier.id)).one()
    assert entry.transition == "stopzetten"


def test_citizen_cannot_take_a_handlers_step(testapp, factories, login, dbsession):
    dossier = _setup(factories, login, who="citizen")
    page = testapp.get(f"/dossiers/{dossier.reference}/")
    token = page.html.find("input", {"name": "csrf_token"})["value"]
    testapp.post(f"/dossiers/{dossier.reference}/stap",
                 {"csrf_token": token, "transition": "ontvankelijk_verklaren",
                  "version": str(dossier.version)}, status=403)
    assert dossier.state == "ingediend"


def test_step_without_csrf_is_refused(testapp, factories, login):
    dossier = _setup(factories, login)
    testapp.post(f"/dossiers/{dossier.reference}/stap",
                 {"transition": "ontvankelijk_verklaren", "version": "1"}, status=400)
    assert dossier.state == "ingediend"
