"""production.ini cannot run simulators or persona login, and insists on TLS and secrets."""

import subprocess
import sys
from pathlib import Path

import pytest
from pyramid.exceptions import ConfigurationError
from pyramid.paster import get_appsettings

from loket import settings as loket_settings
from loket.main import main

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "LOKET_DATABASE_URL": "sqlite://",
    "LOKET_PUBLIC_URL": "https://loket.heidebeek.example",
    "LOKET_ACMIDM_ISSUER": "https://authenticatie.vlaanderen.be/op",
    "LOKET_ACMIDM_CLIENT_ID": "loket",
    "LOKET_ACMIDM_CLIENT_SECRET": "s3cret",
}


@pytest.fixture
def production(monkeypatch, tmp_path, database_url):
    environment = {**PRODUCTION_ENV, "LOKET_BLOB_DIR": str(tmp_path),
                   "LOKET_DATABASE_URL": database_url}
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    return get_appsettings(str(ROOT / "production.ini"))


def test_production_ini_builds_a_hardened_app(production):
    app = main({}, **production)
    app.registry["db_engine"].dispose()
    settings = app.registry.settings
    assert settings["loket.session.secure"] == "true" and settings["loket.hsts"] == "true"
    routes = {r["introspectable"]["name"]
              for r in app.registry.introspector.get_category("routes") or []}
    assert not any("simulator" in name or "persona" in name for name in routes)


def test_production_sends_hsts(production):
    import webtest

    app = main({}, **production)
    response = webtest.TestApp(app).get("/", extra_environ={"wsgi.url_scheme": "https"})
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    app.registry["db_engine"].dispose()


@pytest.mark.parametrize("key,value,message", [
    ("loket.simulators.port", "6544", "simulators cannot be enabled"),
    ("loket.acmidm.issuer", "http://localhost:6544/acmidm/op", "must be an https URL"),
    ("loket.acmidm.issuer", "https://127.0.0.1/acmidm/op", "must not point at this machine"),
    ("loket.session.secure", "false", "cannot be false"),
])
def test_production_refuses_unsafe_settings(production, monkeypatch, key, value, message):
    monkeypatch.delenv("LOKET_ACMIDM_ISSUER")
    production = {**production, "loket.acmidm.issuer": PRODUCTION_ENV["LOKET_ACMIDM_ISSUER"],
                  key: value}
    with pytest.raises(ConfigurationError, match=message):
        loket_settings.load(production)


def test_missing_secret_is_named(production, monkeypatch):
    monkeypatch.delenv("LOKET_ACMIDM_CLIENT_SECRET")
    with pytest.raises(ConfigurationError, match="loket.acmidm.client_secret"):
        loket_settings.load(production)


def test_simulators_refuse_production_ini(production):
    result = subprocess.run(
        [sys.executable, "-m", "loket.cli", "simulators", str(ROOT / "production.ini")],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert "never run with production settings" in result.stderr


def test_development_ini_loads(monkeypatch):
    for key in PRODUCTION_ENV:
        monkeypatch.delenv(key, raising=False)
    settings = loket_settings.load(get_appsettings(str(ROOT / "development.ini")))
    assert settings["loket.environment"] == "development"
