"""/api/v1/dossiers: who sees which dossiers, paging, and what a dossier says."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from loket.security import Role

SENTINEL_RRN = "85073003328"


def api_path(url: str) -> str:
    """The path and query of an absolute link, to follow it with the test browser."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def references(response) -> list[str]:
    return [item["reference"] for item in response.json["items"]]


def test_citizen_lists_only_own_dossiers(testapp, login, factories):
    citizen = factories.citizen()
    mine = [factories.dossier(applicant=citizen) for _ in range(2)]
    factories.dossier()  # someone else's
    login(citizen)
    response = testapp.get("/api/v1/dossiers")
    assert sorted(references(response)) == sorted(d.reference for d in mine)
    assert response.json["links"]["next"] is None
    assert response.headers["Cache-Control"] == "no-store"


def test_handler_lists_dossiers_of_own_teams(testapp, login, factories):
    team, other_team = factories.team(), factories.team()
    handler = factories.staff(Role.HANDLER, team=team)
    ours = [factories.dossier(team=team) for _ in range(3)]
    factories.dossier(team=other_team)
    login(handler)
    response = testapp.get("/api/v1/dossiers")
    assert sorted(references(response)) == sorted(d.reference for d in ours)


def test_staff_without_team_lists_nothing(testapp, login, factories):
    factories.dossier()
    login(factories.staff(Role.SECRETARIAT))
    assert testapp.get("/api/v1/dossiers").json["items"] == []


def test_paging_returns_every_dossier_exactly_once_newest_first(testapp, login, factories):
    citizen = factories.citizen()
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    # Ties on "created" on purpose: the id must break them.
    offsets = [0, 0, 1, 1, 1, 2, 3]
    dossiers = []
    for minutes in offsets:
        dossier = factories.dossier(applicant=citizen)
        dossier.created = start + timedelta(minutes=minutes)
        dossiers.append(dossier)
    factories.dbsession.flush()
    login(citizen)

    seen, pages = [], 0
    url = "/api/v1/dossiers?limit=3"
    while url:
        response = testapp.get(url)
        pages += 1
        assert len(response.json["items"]) <= 3
        seen += references(response)
        next_link = response.json["links"]["next"]
        url = api_path(next_link) if next_link else None
        if url:
            assert parse_qs(urlsplit(url).query)["limit"] == ["3"]
    assert pages == 3
    expected = sorted(dossiers, key=lambda d: (d.created, d.id), reverse=True)
    assert seen == [d.reference for d in expected]


def test_default_page_size_is_the_documented_one(testapp, login, factories, app):
    from loket.api.views import DEFAULT_LIMIT
    from loket.web.openapi import spec_dict

    limit = spec_dict(app.registry)["components"]["parameters"]["Limit"]
    assert limit["schema"]["default"] == DEFAULT_LIMIT


@pytest.mark.parametrize("query", [
    "limit=0", "limit=101", "limit=abc", "limit=-1", "limit=1.5",
    "cursor=%20", "cursor=not%2Fours", "cursor=bm90LWpzb24", "cursor=WyJ4IiwxXQ",
])
def test_bad_query_parameters_are_400_json(testapp, login, factories, query):
    login(factories.citizen())
    response = testapp.get(f"/api/v1/dossiers?{query}", status=400)
    error = response.json["error"]
    assert error["status"] == 400
    name = query.split("=")[0]
    assert [d["name"] for d in error["details"]] == [name]
    assert name in error["message"]


def test_query_string_that_is_not_utf8_is_400(testapp, login, factories):
    login(factories.citizen())
    # Refused before traversal for pages and API alike (loket.web.inputs).
    error = testapp.get("/api/v1/dossiers?limit=%ff", status=400).json["error"]
    assert error["status"] == 400 and "UTF-8" in error["message"]


def test_head_is_answered_like_get(testapp, login, factories):
    login(factories.citizen())
    response = testapp.head("/api/v1/dossiers", status=200)
    assert response.content_type == "application/json"
    assert response.body == b""


def test_bad_request_lists_every_problem(testapp, login, factories):
    login(factories.citizen())
    error = testapp.get("/api/v1/dossiers?limit=0&cursor=%20", status=400).json["error"]
    assert {d["name"] for d in error["details"]} == {"limit", "cursor"}
    assert {d["location"] for d in error["details"]} == {"query"}
    assert "less than the minimum of 1" in error["message"]


def test_anonymous_gets_401_json(testapp, factories):
    dossier = factories.dossier()
    factories.document(dossier)
    for url in ("/api/v1/dossiers", f"/api/v1/dossiers/{dossier.reference}",
                f"/api/v1/dossiers/{dossier.reference}/documenten",
                f"/api/v1/dossiers/{dossier.reference}/documenten/1",
                f"/api/v1/dossiers/{dossier.reference}/documenten/1/inhoud",
                "/api/v1/dossiers?limit=abc"):
        response = testapp.get(url, status=401)
        assert response.json["error"]["status"] == 401


def test_dossier_of_someone_else_is_404(testapp, login, factories):
    dossier = factories.dossier()
    factories.document(dossier)
    login(factories.citizen())
    for url in (f"/api/v1/dossiers/{dossier.reference}",
                f"/api/v1/dossiers/{dossier.reference}/documenten",
                f"/api/v1/dossiers/{dossier.reference}/documenten/1",
                f"/api/v1/dossiers/{dossier.reference}/documenten/1/inhoud"):
        response = testapp.get(url, status=404)
        assert response.json["error"]["status"] == 404
    # Exactly what a dossier that does not exist looks like.
    missing = testapp.get("/api/v1/dossiers/2026-999999", status=404)
    assert missing.json == testapp.get(f"/api/v1/dossiers/{dossier.reference}", status=404).json


def test_handler_of_another_team_gets_404(testapp, login, factories):
    dossier = factories.dossier()
    login(factories.staff(Role.HANDLER))
    testapp.get(f"/api/v1/dossiers/{dossier.reference}", status=404)


def test_dossier_as_json(testapp, login, factories):
    citizen = factories.citizen(given_name="Mira", family_name="Peeters", rrn=SENTINEL_RRN)
    team = factories.team(code="sociale-dienst", name="Sociale dienst")
    dossier = factories.dossier(applicant=citizen, team=team, data={"brandstof": "gas"})
    login(citizen)
    response = testapp.get(f"/api/v1/dossiers/{dossier.reference}")
    body = response.json
    assert body["reference"] == dossier.reference
    assert body["type"] == dossier.type_version.dossier_type.code
    assert body["state"] == "ingediend"
    assert body["applicant"] == {"name": "Mira Peeters"}
    assert body["team"] == {"code": "sociale-dienst", "name": "Sociale dienst",
                            "title": {"nl": "Sociale dienst", "en": "Sociale dienst"}}
    assert body["data"] == {"brandstof": "gas"}
    assert body["version"] == dossier.version
    assert datetime.fromisoformat(body["created"]) == dossier.created
    assert body["links"]["documents"].endswith(f"/api/v1/dossiers/{dossier.reference}/documenten")
    assert SENTINEL_RRN not in response.text
    # The handler of the team sees the same dossier.
    login(factories.staff(Role.HANDLER, team=team))
    assert testapp.get(f"/api/v1/dossiers/{dossier.reference}").json["reference"] == \
        dossier.reference


def test_no_national_register_number_in_any_response(testapp, login, factories):
    citizen = factories.citizen(rrn=SENTINEL_RRN)
    dossier = factories.dossier(applicant=citizen)
    factories.document(dossier)
    login(citizen)
    base = f"/api/v1/dossiers/{dossier.reference}"
    for url in ("/api/v1/", "/api/v1/dossiers", base, base + "/documenten",
                base + "/documenten/1"):
        assert SENTINEL_RRN not in testapp.get(url).text


def test_trailing_slash_is_the_same_resource(testapp, login, factories):
    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen)
    login(citizen)
    assert testapp.get(f"/api/v1/dossiers/{dossier.reference}/").json["reference"] == \
        dossier.reference
    assert testapp.get("/api/v1/dossiers/").json["items"]


@pytest.mark.parametrize("url", [
    "/api/v1/nope", "/api/v1/zittingen/x", "/api/v1/dossiers/nope",
    "/api/v1/dossiers/2026-000001/x",
    "/api/v2/dossiers", "/api/v1/dossiers/2026-000001/adviezen", "/api/v1/openapi.yaml/x",
    "/api/v1", "/api/v1/dossiers/2026-000001/documenten/1/inhoud/x",
])
def test_unknown_urls_are_404_json(testapp, login, factories, url):
    login(factories.citizen())
    response = testapp.get(url, status=404)
    assert response.content_type == "application/json"
    assert response.json["error"]["status"] == 404


def test_only_get(testapp, login, factories):
    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen)
    login(citizen)
    for url in ("/api/v1/dossiers", f"/api/v1/dossiers/{dossier.reference}"):
        response = testapp.post_json(url, {"state": "goedgekeurd"}, status=404)
        assert response.json["error"]["status"] == 404
        testapp.delete(url, status=404)
    assert testapp.get(f"/api/v1/dossiers/{dossier.reference}").json["state"] == "ingediend"
