"""The delegate's list of proposals, decided one by one or in bulk with the delegation's
reference; all or nothing."""

from sqlalchemy import func, select

from loket.decisions.models import Decision
from tests.decisions.conftest import form_token

OFFICIAL = {"decision": {"body": "official"}}


def _proposals(factories, team, count, **definition):
    version = factories.type_version(**{**OFFICIAL, **definition})
    return [factories.dossier(team=team, type_version=version, state="klaar_voor_beslissing")
            for _ in range(count)]


def test_the_delegate_decides_proposals_in_bulk(testapp, login, secretary, factories, team,
                                                dbsession):
    first, second = _proposals(factories, team, 2)
    college = factories.dossier(team=team, state="klaar_voor_beslissing")  # a body decides
    login(secretary)
    page = testapp.get("/zittingen/@@gedelegeerd")
    assert first.reference in page.text and second.reference in page.text
    assert college.reference not in page.text
    form = page.forms["gedelegeerd"]
    form.get("dossier", index=0).checked = True
    form.get("dossier", index=1).checked = True
    form["delegation_reference"] = "GR/2025/041"
    form["outcome"] = "approved"
    form.submit(status=302)
    dbsession.expire_all()
    assert first.state == second.state == "goedgekeurd"
    decisions = dbsession.scalars(select(Decision)).all()
    assert {(d.dossier_id, d.body_code, d.delegation_reference) for d in decisions} == {
        (first.id, "official", "GR/2025/041"), (second.id, "official", "GR/2025/041")}
    assert testapp.get("/zittingen/@@gedelegeerd").text.count("voorstel-") == 0


def test_nothing_is_decided_when_one_draft_cannot_be_made(testapp, login, secretary, factories,
                                                          team, dbsession):
    [good] = _proposals(factories, team, 1)
    [bad] = _proposals(factories, team, 1, decision_draft={
        "title": "{{ reference }}", "motivation": "{{ answers.ontbreekt }}",
        "articles": ["Artikel"]})
    login(secretary)
    page = testapp.post("/zittingen/@@gedelegeerd", {
        "csrf_token": form_token(testapp), "dossier": [str(good.id), str(bad.id)],
        "delegation_reference": "GR/2025/041", "outcome": "approved"}, status=400)
    assert bad.reference in page.text and "ontbreekt" in page.text
    assert 'value="GR/2025/041"' in page.text  # the entries are kept
    dbsession.expire_all()
    assert good.state == bad.state == "klaar_voor_beslissing"
    assert dbsession.scalar(select(func.count()).select_from(Decision)) == 0


def test_bad_input_decides_nothing(testapp, login, secretary, factories, team, dbsession):
    [proposal] = _proposals(factories, team, 1)
    login(secretary)
    token = form_token(testapp)
    for data, status in (({"outcome": "approved"}, 400),  # no delegation reference
                         ({"delegation_reference": "GR/1", "outcome": "maybe"}, 400),
                         ({"delegation_reference": "GR/1", "outcome": "approved",
                           "dossier": "999999"}, 409)):
        testapp.post("/zittingen/@@gedelegeerd", {"csrf_token": token, "dossier": str(
            proposal.id), **data}, status=status)
    testapp.post("/zittingen/@@gedelegeerd", {"csrf_token": token, "outcome": "approved",
                                             "delegation_reference": "GR/1"}, status=400)
    dbsession.expire_all()
    assert proposal.state == "klaar_voor_beslissing"


def test_only_the_secretariat_and_signatories_see_the_list(testapp, login, handler):
    login(handler)
    testapp.get("/zittingen/@@gedelegeerd", status=403)
