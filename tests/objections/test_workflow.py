"""The objection's own workflow: the team decides whether it is admissible, handles it, and the
competent body decides on it through the decision machinery."""

from sqlalchemy import select

from loket.objections.models import Objection
from tests.conftest import csrf_token


def test_an_objection_is_declared_admissible_handled_and_proposed_to_the_college(
        testapp, login, sofie, officer, refused, dbsession):
    login(sofie)
    testapp.post(f"/dossiers/{refused.reference}/bezwaar", {
        "csrf_token": csrf_token(testapp), "reasons": "Mijn werfkeet stond op eigen terrein."},
        status=302)
    objection = dbsession.scalar(select(Objection).where(Objection.contested_id == refused.id))
    dossier = objection.dossier
    login(officer)
    page = testapp.get(f"/dossiers/{dossier.reference}")
    assert page.html.find("form", action=f"/dossiers/{dossier.reference}/ontvankelijkheid")
    token = csrf_token(testapp)
    testapp.post(f"/dossiers/{dossier.reference}/ontvankelijkheid", {
        "csrf_token": token, "decision": "admissible", "version": dossier.version}, status=302)
    assert dossier.state == "ontvankelijk"
    for transition in ("behandeling_starten", "klaar_voor_beslissing"):
        testapp.post(f"/dossiers/{dossier.reference}/stap", {
            "csrf_token": token, "transition": transition, "version": dossier.version},
            status=302)
    assert dossier.state == "klaar_voor_beslissing"
    draft = testapp.get(f"/dossiers/{dossier.reference}/beslissing")
    assert "bezwaar" in draft.html.find("textarea", {"name": "articles"}).text
