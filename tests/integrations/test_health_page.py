"""The staff page /beheer/koppelingen: every configured plug-in with its state."""

import time

import pytest
from bs4 import BeautifulSoup

from loket.plugins import views as health
from loket.plugins.registry import Kind, Plugin, PluginState, configured
from loket.plugins.status import IntegrationStatus, record_result, redact
from loket.security import Role
from tests.integrations.dosis import conftest as dosis_fixtures

# The DOSIS fixtures (a Loket that chose the plug-in, and the simulator), shared from there.
dosis_key_file = dosis_fixtures.dosis_key_file
dosis_options = dosis_fixtures.dosis_options
dosis_server = dosis_fixtures.dosis_server
dosis = dosis_fixtures.dosis
dosis_settings = dosis_fixtures.dosis_settings
dosis_app = dosis_fixtures.dosis_app
dosis_testapp = dosis_fixtures.dosis_testapp
dosis_login = dosis_fixtures.dosis_login
BRON, CLIENT_ID, JAN = dosis_fixtures.BRON, dosis_fixtures.CLIENT_ID, dosis_fixtures.JAN

PAGE = "/beheer/koppelingen"


def section(response, name):
    return BeautifulSoup(response.text, "html.parser").find(
        "section", attrs={"aria-labelledby": f"koppeling-{name}"})


def test_admin_sees_the_plugins_with_masked_secrets(dosis, dosis_testapp, dosis_login,
                                                    factories, dosis_key_file):
    dosis_login(factories.staff(Role.ADMIN))
    page = dosis_testapp.get(PAGE)
    dosis_section = section(page, "dosis")
    assert dosis_section.find("h2").get_text() == "DOSIS (Mijn Burgerprofiel)"
    settings = {row.find("th").get_text(strip=True): row.find("td").get_text(strip=True)
                for row in dosis_section.select("tbody tr")}
    assert settings["loket.integrations.dosis.client_id"] == CLIENT_ID
    assert settings["loket.integrations.dosis.bron"] == BRON
    assert settings["loket.integrations.dosis.private_key_file"] == health.MASK
    assert dosis_key_file not in page.text
    check = dosis_section.select_one(".integration__check")
    assert "badge--goedgekeurd" in str(check)
    assert page.headers["Cache-Control"]  # a page like any other: the layout's headers


def test_unreachable_plugin_is_shown_as_such(dosis, dosis_testapp, dosis_login, factories):
    dosis_login(factories.staff(Role.ADMIN))
    dosis.control(down=True)
    check = section(dosis_testapp.get(PAGE), "dosis").select_one(".integration__check")
    assert "badge--geweigerd" in str(check)
    assert "HTTPError" in check.get_text() and "503" in check.get_text()


def test_last_success_and_last_error(dosis, dosis_testapp, dosis_login, factories, dbsession):
    dosis_login(factories.staff(Role.ADMIN))
    page = section(dosis_testapp.get(PAGE), "dosis").get_text(" ", strip=True)
    assert "—" in page  # nothing delivered yet
    record_result(dbsession, "dosis", True)
    record_result(dbsession, "dosis", False, f"DOSIS refused the status: Agent {JAN} unknown")
    dbsession.expire_all()
    row = dbsession.get(IntegrationStatus, "dosis")
    assert row.last_success is not None and row.last_error_at is not None
    shown = section(dosis_testapp.get(PAGE), "dosis")
    error = shown.select_one(".integration__error").get_text(" ", strip=True)
    assert "DOSIS refused the status: Agent […] unknown" in error
    assert JAN not in dosis_testapp.get(PAGE).text


def test_record_result_keeps_success_and_error_apart(dbsession):
    record_result(dbsession, "proef", False, "eerste fout")
    record_result(dbsession, "proef", True)
    record_result(dbsession, "proef", True)
    dbsession.expire_all()
    row = dbsession.get(IntegrationStatus, "proef")
    assert row.last_error == "eerste fout"
    assert row.last_success >= row.last_error_at


def test_redact_removes_personal_numbers():
    assert redact("rrn 85631415304 of 85.63.14-153.04 and BE10 0910 1234 5604.") == \
        "rrn […] of […] and […]."
    assert redact("dossier 2026-000123, HTTP 400") == "dossier 2026-000123, HTTP 400"
    assert len(redact("x" * 5000)) == 1000


def test_handler_may_not_see_the_page(dosis_testapp, dosis_login, factories):
    dosis_login(factories.staff(Role.HANDLER))
    dosis_testapp.get(PAGE, status=403)


def test_anonymous_visitor_is_sent_to_login(dosis_testapp):
    assert "/aanmelden" in dosis_testapp.get(PAGE, status=302).location


def test_without_plugins(testapp, login, factories):
    login(factories.staff(Role.ADMIN))
    page = testapp.get(PAGE)  # `app` chose no status publishing plug-in
    assert page.html.find("h1") is not None
    assert section(page, "dosis") is None


def test_a_hanging_check_does_not_hang_the_page(app, testapp, login, factories, monkeypatch):
    def hangs(options):
        time.sleep(6)
        return {"status": "ok"}

    slow = Plugin(Kind.MINUTES, "traag", "Trage notulen", check=hangs)
    monkeypatch.setitem(configured(app.registry), "traag",
                        PluginState(slow, {"api_secret": "s3cr3t",
                                           "url": "https://a:b@x.example/"}))
    monkeypatch.setattr(health, "CHECK_DEADLINE", 0.2)
    login(factories.staff(Role.ADMIN))
    start = time.monotonic()
    page = testapp.get(PAGE)
    # Not a speed target: the page must not wait for the 6 s check (wide margin for busy CI).
    assert time.monotonic() - start < 5
    shown = section(page, "traag")
    assert "Timeout" in shown.select_one(".integration__check").get_text()
    assert "s3cr3t" not in page.text
    assert f"https://{health.MASK}@x.example/" in shown.get_text()


@pytest.mark.parametrize(("name", "value", "shown"), [
    ("client_secret", "abc", health.MASK),
    ("api_key", "abc", health.MASK),
    ("private_key_file", "/srv/key.pem", health.MASK),
    ("smtp_password", "", ""),
    ("base_url", "https://dosis.example/api", "https://dosis.example/api"),
    ("timeout", 2.5, "2.5"),
])
def test_shown_value(name, value, shown):
    assert health.shown_value(name, value) == shown
