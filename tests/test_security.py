"""Deny by default, CSRF, security headers, and 404 for what is not yours."""

import inspect

import pytest
from pyramid.interfaces import IExceptionResponse
from pyramid.security import NO_PERMISSION_REQUIRED

from loket.security import Role
from tests.conftest import csrf_token

# Views anyone may reach, by (context, view name, route). Everything else names a permission.
PUBLIC_VIEWS = {
    ("Root", "", None),  # home page
    ("Root", "taal", None),  # language choice (sets a cookie, nothing else)
    ("Root", "favicon.ico", None),  # the site icon browsers ask for on every first visit
    ("Root", "logo", None),  # the municipality's logo
    ("Root", "aanmelden", None),  # start of the ACM/IDM login
    ("Root", "aanmelden-terug", None),  # ACM/IDM login callback
    ("Root", "afmelden", None),  # logout (POST, CSRF-protected)
    (None, "", "__static/"),
    (None, "", "__deform_static/"),
    (None, "", "deform_jquery2"),  # answers 404
    (None, "", "health"),
    (None, "", "security_txt"),  # /.well-known/security.txt (RFC 9116): a contact address
    ("Root", "", "api_v1"),  # API index: links only
    ("CatalogueContainer", "", None),  # the public catalogue of premiums and permits
    ("DossierType", "", None),  # a premium's or permit's public page
    ("CatalogueContainer", "", "api_v1"),
    ("DossierType", "", "api_v1"),
    (None, "", "__catalogus-static/"),
    ("Root", "openapi.yaml", "api_v1"),
    ("Root", "openapi.json", "api_v1"),
    # An external service's advice page behind an e-mail link: the one-time token in the URL
    # is the credential (unknown, used or expired → 404); it shows only what is shared.
    ("Root", "advies", None),
    (None, "", "__werkbank-static/"),  # the workbench's stylesheet (a static file, no data)
}


def _views(app):
    introspector = app.registry.introspector
    for item in introspector.get_category("views"):
        view = item["introspectable"]
        context = view["context"]
        if view["exception_only"] or context is IExceptionResponse or (
            inspect.isclass(context) and issubclass(context, BaseException)
        ):
            continue
        permissions = [r["value"] for r in item["related"] if r.category_name == "permissions"]
        name = getattr(context, "__name__", None) if context is not None else None
        yield (name, view["name"], view["route_name"]), permissions, view


def test_every_view_has_a_permission_or_is_listed_public(app):
    seen = set()
    for key, permissions, _view in _views(app):
        seen.add(key)
        assert permissions, f"view {key} has no permission"
        if NO_PERMISSION_REQUIRED in permissions:
            assert key in PUBLIC_VIEWS, f"view {key} is public but not on the public list"
    assert ("Root", "", None) in seen


READ_PERMISSIONS = {NO_PERMISSION_REQUIRED, "view"}
# Public views that accept POST on purpose (CSRF still applies).
PUBLIC_POST_VIEWS = {("Root", "afmelden", None),
                     ("Root", "advies", None)}  # the advice answer behind an e-mail link


def test_no_view_that_writes_hides_behind_a_read_permission(app):
    for key, permissions, view in _views(app):
        methods = view["request_methods"]
        if methods is not None and not ({"POST", "PUT", "PATCH", "DELETE"} & set(methods)):
            continue
        # Static asset views (routes "__…/") only ever answer GET and HEAD.
        if key in PUBLIC_POST_VIEWS or (key[2] or "").startswith("__") or \
                key[2] == "deform_jquery2":
            continue
        assert not READ_PERMISSIONS & set(permissions), f"view {key} writes under {permissions}"


def test_no_view_turns_csrf_off(app):
    for key, _permissions, view in _views(app):
        assert view["require_csrf"] is not False, f"view {key} disables CSRF"


def test_unsafe_request_without_csrf_token_is_refused(testapp, login, factories):
    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen)
    login(citizen)
    response = testapp.post(f"/dossiers/{dossier.reference}/documenten/toevoegen",
                            {"title": "x"}, status=400)
    assert "security token" in response.text or "beveiligingscode" in response.text


def test_security_headers_on_every_page(testapp, login, factories):
    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen)
    for path in ["/", "/bestaat-niet"]:
        response = testapp.get(path, status="*")
        _check_headers(response)
    login(citizen)
    for path in ["/mijn-dossiers", f"/dossiers/{dossier.reference}"]:
        response = testapp.get(path)
        _check_headers(response)
        assert response.headers["Cache-Control"] == "no-store"


def _check_headers(response):
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # only in production


def test_scripts_carry_the_request_nonce(testapp, login, factories):
    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen)
    login(citizen)
    response = testapp.get(f"/dossiers/{dossier.reference}/documenten/toevoegen")
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    for script in response.html.find_all("script"):
        assert script.get("src") or script.get("nonce") == nonce


def test_anonymous_visitor_is_sent_to_login(testapp, factories):
    dossier = factories.dossier()
    response = testapp.get(f"/dossiers/{dossier.reference}", status=302)
    assert response.location.endswith(f"/aanmelden?terug=%2Fdossiers%2F{dossier.reference}")


def test_citizen_gets_404_for_someone_elses_dossier_and_document(testapp, login, factories):
    other = factories.dossier()
    document = factories.document(other)
    login(factories.citizen())
    testapp.get(f"/dossiers/{other.reference}", status=404)
    testapp.get(f"/dossiers/{other.reference}/documenten/{document.number}", status=404)
    testapp.get(f"/dossiers/{other.reference}/documenten/{document.number}/download",
                status=404)
    testapp.get("/werkbank", status=403)


def test_handler_sees_own_team_only(testapp, login, factories):
    team, other_team = factories.team(), factories.team()
    mine = factories.dossier(team=team)
    theirs = factories.dossier(team=other_team)
    login(factories.staff(Role.HANDLER, team=team))
    page = testapp.get("/werkbank")
    assert mine.reference in page.text and theirs.reference not in page.text
    testapp.get(f"/dossiers/{mine.reference}", status=200)
    testapp.get(f"/dossiers/{theirs.reference}", status=404)
    testapp.get("/mijn-dossiers", status=403)


@pytest.mark.parametrize("path", ["/dossiers/2026-999999", "/dossiers/../../etc/passwd",
                                  "/zittingen/x", "/nergens", "/dossiers/x/documenten/abc"])
def test_unknown_urls_give_a_404_page(testapp, login, factories, path):
    # Logged in: an anonymous caller is sent to the login below /dossiers, present or not
    # (tests/hardening/test_existence.py).
    login(factories.citizen())
    response = testapp.get(path, status=404)
    assert "Pagina niet gevonden" in response.text or "Page not found" in response.text


def test_deform_jquery2_is_never_served(testapp):
    testapp.get("/deform_static/scripts/jquery-2.0.3.min.js", status=404)
    testapp.get("/deform_static/scripts/deform.js", status=200)


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example", "/\\evil.example",
                                    " //evil.example", "https:evil.example", "/\x00//x"])
def test_language_switch_never_redirects_off_site(testapp, target):
    if "\x00" in target:  # a control character in a URL is refused before any view (400)
        assert "Location" not in testapp.get("/taal", {"kies": "en", "terug": target},
                                             status=400).headers
        return
    response = testapp.get("/taal", {"kies": "en", "terug": target}, status=302)
    assert response.location in ("http://localhost/", "/")


def test_logout_needs_post_and_csrf(testapp, login, factories):
    login(factories.citizen())
    testapp.post("/afmelden", status=400)
    token = csrf_token(testapp)
    testapp.post("/afmelden", {"csrf_token": token}, status=302)
    testapp.get("/mijn-dossiers", status=302)  # logged out: back to the login
