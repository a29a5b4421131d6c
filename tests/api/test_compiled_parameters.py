"""The compiled GET parameter check (loket.web.parameters) against openapi-core: where the
compiled check answers, it answers exactly what openapi-core would; everything else it leaves
to openapi-core, so errors keep openapi-core's wording."""

import pytest
from pyramid.request import Request

from loket.web.openapi import API_PREFIX, _compiled_gets, check_request

# Requests the compiled check must answer itself (the hot reads), with openapi-core's values.
ANSWERED = [
    "/api/v1/",
    "/api/v1/dossiers",
    "/api/v1/dossiers/",
    "/api/v1/dossiers?limit=7",
    "/api/v1/dossiers?limit=100&cursor=abc_-9",
    "/api/v1/dossiers?limit=5&unknown=1",
    "/api/v1/dossiers/2026-000123",
    "/api/v1/dossiers/2026-000123/workflow",
    "/api/v1/dossiers/2026-000123/documenten/3",
    "/api/v1/dossiers/2026-000123/documenten/3/inhoud?versie=2",
    "/api/v1/catalogus/verwarmingstoelage",
    "/api/v1/werkbank",
    "/api/v1/werkbank?lijst=team&sorteer=gewijzigd&status=in_behandeling&zoek=Peeters",
    "/api/v1/werkbank?behandelaar=geen&type=sportpremie&limit=20",
]

# Valid or not, these go to openapi-core: the compiled check is not sure.
LEFT = [
    "/api/v1/dossiers?limit=",  # empty
    "/api/v1/dossiers?limit=0",  # below the minimum
    "/api/v1/dossiers?limit=101",
    "/api/v1/dossiers?limit=07x",
    "/api/v1/dossiers?limit=%2B7",  # '+7': openapi-core casts it, the digits rule does not
    "/api/v1/dossiers?limit=%D9%A3",  # an Arabic-Indic three: int() would take it
    "/api/v1/dossiers?limit=1&limit=2",  # repeated
    "/api/v1/dossiers?cursor=a%20b",  # outside the pattern
    "/api/v1/dossiers?cursor=" + "a" * 201,  # too long
    "/api/v1/dossiers/2026-12",  # path parameter outside its pattern
    "/api/v1/dossiers/2026-000123/documenten/0",
    "/api/v1/dossiers/2026-000123/documenten/x",
    "/api/v1/werkbank?lijst=alles",  # not in the enum
    "/api/v1/werkbank?van=2026-01-01",  # a date: openapi-core types it
    "/api/v1/werkbank?zoek=" + "z" * 201,
    "/api/v1/bestaat-niet",  # not in the document
    "/api/v1/dossiers?limit=%FF",  # not UTF-8
]


def request_for(app, url, method="GET"):
    request = Request.blank(url, method=method)
    request.registry = app.registry
    return request


@pytest.mark.parametrize("url", ANSWERED)
def test_answers_as_openapi_core(app, url):
    compiled = _compiled_gets(app.registry).check(request_for(app, url), API_PREFIX)
    expected, problems = check_request(request_for(app, url))
    assert compiled is not None, "the compiled check should answer this request itself"
    assert problems == []
    assert compiled == expected


@pytest.mark.parametrize("url", LEFT)
def test_leaves_the_rest_to_openapi_core(app, url):
    assert _compiled_gets(app.registry).check(request_for(app, url), API_PREFIX) is None


def test_only_reads(app):
    request = request_for(app, "/api/v1/dossiers", method="POST")
    assert _compiled_gets(app.registry).check(request, API_PREFIX) is None


def test_on_outside_tests_with_the_same_answers(make_app, browser_for, factories, login):
    """With the compiled check on, a valid list and a refused parameter answer as before."""
    from loket.security import Role

    team = factories.team()
    login(factories.staff(Role.HANDLER, team=team))
    factories.dossier(team=team)
    browser = browser_for(make_app(**{"loket.api.compiled_parameters": "true"}))
    listed = browser.get("/api/v1/dossiers?limit=1").json
    assert len(listed["items"]) == 1
    refused = browser.get("/api/v1/dossiers?limit=0", status=400).json
    assert refused["error"]["details"][0]["name"] == "limit"
