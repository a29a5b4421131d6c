"""The OpenAPI document: valid, served, in step with the views, and enforced."""

import pytest
import webtest
import yaml
from openapi_spec_validator import validate
from pyramid.interfaces import IRoutesMapper

from loket.security import PUBLIC, SCOPED_PERMISSIONS, Permission
from loket.web.openapi import (
    API_ROUTE,
    ResponseMismatch,
    response_errors,
    spec_dict,
    spec_text,
    validate_api_response,
)


def test_document_is_valid_openapi(app):
    validate(spec_dict(app.registry))
    assert spec_dict(app.registry)["openapi"].startswith("3.1")


def test_document_is_served_as_yaml_and_json(testapp, app):
    as_yaml = testapp.get("/api/v1/openapi.yaml")
    assert as_yaml.content_type == "application/yaml"
    assert as_yaml.body == spec_text(app.registry)
    assert yaml.safe_load(as_yaml.body) == spec_dict(app.registry)
    as_json = testapp.get("/api/v1/openapi.json")
    assert as_json.content_type == "application/json"
    assert as_json.json == spec_dict(app.registry)


def test_index_links(testapp):
    links = testapp.get("/api/v1/").json["links"]
    assert links == {
        "self": "http://localhost/api/v1/",
        "dossiers": "http://localhost/api/v1/dossiers",
        "openapi": "http://localhost/api/v1/openapi.yaml",
        "health": "http://localhost/-/health",
    }


def api_views(app):
    introspector = app.registry.introspector
    for view in introspector.get_category("views"):
        intr = view["introspectable"]
        if intr["route_name"] in (API_ROUTE, "health"):
            permissions = [r["value"] for r in view["related"]
                           if r.category_name == "permissions"]
            yield intr, permissions


# Reading never changes anything, so a view that writes must not sit behind one of these.
READ_ONLY = {PUBLIC, Permission.VIEW, Permission.READ_API, Permission.OWN_DOSSIERS}


def test_every_api_view_declares_a_permission_and_writes_only_under_a_write_permission(app):
    views = list(api_views(app))
    assert len(views) >= 10
    for intr, permissions in views:
        name = f"{intr['context']}/{intr['name']!r} on {intr['route_name']}"
        assert len(permissions) == 1, name
        assert permissions[0] in {*Permission, PUBLIC}, name
        if intr["exception_only"]:  # e.g. the 404 for a callback to an unknown dossier
            continue
        methods = intr["request_methods"]
        methods = {methods} if isinstance(methods, str) else set(methods or ())
        assert methods, f"{name} answers every method"
        if methods - {"GET", "HEAD"}:
            assert permissions[0] not in READ_ONLY, f"{name} writes under {permissions[0]}"
        if permissions[0] in SCOPED_PERMISSIONS and permissions[0] != Permission.READ_API:
            assert methods == {"POST"}, f"{name}: a callback scope is for POSTs only"


def test_public_api_views_are_the_documented_public_ones(app):
    public = {(intr["route_name"], intr["name"]) for intr, permissions in api_views(app)
              if permissions == [PUBLIC]}
    assert public == {(API_ROUTE, ""), (API_ROUTE, "openapi.yaml"), (API_ROUTE, "openapi.json"),
                      ("health", "")}
    documented_public = {path for path, item in spec_dict(app.registry)["paths"].items()
                         if item.get("get", {}).get("security") == []}
    assert documented_public == {"/", "/openapi.yaml", "/openapi.json", "/-/health",
                                 "/catalogus", "/catalogus/{code}"}


def test_routes(app):
    routes = {r.name: r.pattern for r in app.registry.getUtility(IRoutesMapper).get_routes()}
    assert routes[API_ROUTE] == "/api/v1/*traverse"
    assert routes["health"] == "/-/health"


def test_the_validator_catches_an_undocumented_field(testapp, login, factories, monkeypatch):
    from loket.api import views

    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen)
    login(citizen)
    original = views.dossier_summary
    monkeypatch.setattr(views, "dossier_summary",
                        lambda request, d: {**original(request, d), "secret": "x"})
    plain = webtest.TestApp(testapp.app, extra_environ=testapp.extra_environ)
    plain.cookiejar = testapp.cookiejar
    response = plain.get(f"/api/v1/dossiers/{dossier.reference}")
    with pytest.raises(ResponseMismatch, match="secret"):
        validate_api_response(response.request, response, testapp.app.registry)
    assert response_errors(response.request, response, testapp.app.registry)


def test_run_time_response_validation(make_app, browser_for, login, factories, monkeypatch):
    from loket.api import views

    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen)
    login(citizen)
    browser = browser_for(make_app(**{"loket.api.validate_responses": "true"}))
    url = f"/api/v1/dossiers/{dossier.reference}"
    assert browser.get(url).json["reference"] == dossier.reference
    original = views.dossier_summary
    monkeypatch.setattr(views, "dossier_summary",
                        lambda request, d: {**original(request, d), "type": 42})
    response = browser.get(url, status=500)
    assert response.json["error"]["status"] == 500
    assert "42" not in response.text


def test_undocumented_response_to_an_unknown_url_must_be_an_error(testapp):
    # The validator's own fallback: a URL outside the document may only answer with an error.
    response = testapp.get("/api/v1/niets", status=404)
    assert response_errors(response.request, response, testapp.app.registry) == []
    response.status = "200 OK"
    assert response_errors(response.request, response, testapp.app.registry)
