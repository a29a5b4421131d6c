"""The workflow as JSON, validated against the OpenAPI document."""

from loket.security import Role


def test_workflow_json_for_handler_and_citizen(testapp, factories, login, app):
    team = factories.team()
    handler = factories.staff(Role.HANDLER, team=team)
    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen, team=team)
    login(handler)
    response = testapp.get(f"/api/v1/dossiers/{dossier.reference}/workflow")
    body = response.json
    assert body["state"] == {"code": "ingediend", "title": "Ingediend", "phase": "Behandeling",
                             "citizen_text": body["state"]["citizen_text"]}
    steps = {s["transition"]: s for s in body["steps"]}
    assert steps["ontvankelijk_verklaren"]["available"] is True
    assert steps["onontvankelijk_verklaren"]["comment_required"] is True
    assert "stopzetten" not in steps  # the applicant's step
    assert body["deadlines"][0]["due"] is None

    login(citizen)
    body = testapp.get(f"/api/v1/dossiers/{dossier.reference}/workflow").json
    assert [s["transition"] for s in body["steps"]] == ["stopzetten"]


def test_someone_elses_workflow_is_404(testapp, factories, login):
    dossier = factories.dossier()
    login(factories.citizen())
    testapp.get(f"/api/v1/dossiers/{dossier.reference}/workflow", status=404)
