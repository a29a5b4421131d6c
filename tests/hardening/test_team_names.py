"""The JSON API names a team in both languages, not only by its Dutch name."""

from loket.security import Role


def test_a_team_is_named_in_dutch_and_english(testapp, login, factories):
    team = factories.team(name="Sociale dienst")
    team.title = {"nl": "Sociale dienst", "en": "Social services"}
    dossier = factories.dossier(team=team)
    login(factories.staff(Role.HANDLER, team=team))
    body = testapp.get(f"/api/v1/dossiers/{dossier.reference}").json
    assert body["team"] == {"code": team.code, "name": "Sociale dienst",
                            "title": {"nl": "Sociale dienst", "en": "Social services"}}
    [row] = testapp.get("/api/v1/werkbank?lijst=team").json["items"]
    assert row["team"]["title"]["en"] == "Social services"
