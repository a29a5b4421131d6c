"""Test fixtures: a migrated database (SQLite, or PostgreSQL when LOKET_TEST_POSTGRESQL names
a server), the app, and a transaction per test that is rolled back afterwards.

    LOKET_TEST_POSTGRESQL=postgresql+psycopg://postgres@127.0.0.1/postgres pytest

creates a throw-away database on that server for the run and drops it at the end.
"""

import logging
import os
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import transaction
import webtest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from loket.db import get_engine, get_tm_session
from loket.identity.models import User, WebSession
from loket.identity.sessions import COOKIE_NAME, _hash
from loket.main import main
from loket.security import principals_for
from loket.web.openapi import validate_api_response

ROOT = Path(__file__).resolve().parent.parent


# The real SMTP servers of the tests (aiosmtpd) log every connection from their own thread,
# also after a test's output capture was closed ("--- Logging error ---" in the run): the
# tests read the mailboxes instead.
logging.getLogger("mail.log").addHandler(logging.NullHandler())
logging.getLogger("mail.log").propagate = False

# Fixtures shared by several directories: plug-ins of this suite, never imported by tests.
pytest_plugins = ["tests.fixtures.staff", "tests.fixtures.outbox", "tests.fixtures.magda",
                  "tests.fixtures.documentendienst", "tests.fixtures.letters"]

def pytest_report_header(config):
    database = "PostgreSQL" if os.environ.get("LOKET_TEST_POSTGRESQL") else "SQLite"
    return f"loket database: {database}"


def pytest_collection_modifyitems(config, items):
    on_pg = bool(os.environ.get("LOKET_TEST_POSTGRESQL"))
    skip = pytest.mark.skip(reason="needs PostgreSQL (set LOKET_TEST_POSTGRESQL)")
    for item in items:
        if "postgresql" in item.keywords and not on_pg:
            item.add_marker(skip)
    # The browser tests last: Playwright's synchronous driver keeps an event loop running in
    # the main thread until the session ends, and libraries that start their own (pyHanko's
    # signing and validation) cannot run under it.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None
               or "tests/browser/" in str(item.fspath))


def migrate(url: str):
    config = Config(str(ROOT / "development.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    engine = get_engine({"sqlalchemy.url": url})
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    engine.dispose()


@contextmanager
def throwaway_database(directory: Path) -> Iterator[str]:
    """A migrated database of the run's kind (a SQLite file in ``directory``, or a database
    on the LOKET_TEST_POSTGRESQL server), dropped afterwards; yields its URL."""
    admin_url = os.environ.get("LOKET_TEST_POSTGRESQL")
    if not admin_url:
        url = f"sqlite:///{directory / f'{uuid.uuid4().hex[:12]}.sqlite'}"
        migrate(url)
        yield url
        return
    name = f"loket_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        migrate(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with throwaway_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def app_settings(database_url, tmp_path_factory):
    return {
        "loket.environment": "test",
        "sqlalchemy.url": database_url,
        "loket.blob_dir": str(tmp_path_factory.mktemp("blobs")),
        "loket.static_dir": str(ROOT / "static"),
        "loket.public_url": "http://localhost",
        "loket.municipality.name": "Gemeente Heidebeek",
        "loket.municipality.kbo": "0207123407",
        "loket.acmidm.issuer": "http://127.0.0.1:9/acmidm/op",
        "loket.acmidm.client_id": "loket-test",
        "loket.acmidm.client_secret": "loket-test-secret",
        "loket.upload.max_size": str(1024 * 1024),
        "retry.attempts": "3",
    }


@pytest.fixture(scope="session")
def app(app_settings):
    app = main({}, **app_settings)
    yield app
    app.registry["db_engine"].dispose()


@pytest.fixture
def tm():
    manager = transaction.TransactionManager(explicit=True)
    manager.begin()
    manager.doom()  # nothing a test does is ever committed
    yield manager
    manager.abort()


@pytest.fixture
def dbsession(app, tm):
    return get_tm_session(app.registry["dbsession_factory"], tm)


class ValidatingTestApp(webtest.TestApp):
    """A WebTest browser that fails the test on any API response outside the OpenAPI
    document (/api/… and /-/…)."""

    def do_request(self, req, status=None, expect_errors=None):
        response = super().do_request(req, status=status, expect_errors=expect_errors)
        if req.path.startswith(("/api/", "/-/")) and req.method != "HEAD":
            validate_api_response(response.request, response, self.app.registry)
        return response


@pytest.fixture
def testapp(app, tm, dbsession):
    return ValidatingTestApp(app, extra_environ={
        "HTTP_HOST": "localhost",
        "tm.active": True,
        "tm.manager": tm,
        "app.dbsession": dbsession,
    })


@pytest.fixture
def login(testapp, dbsession):
    """Log ``user`` in by giving the test browser a server-side session (the OIDC flow itself
    is tested against the ACM/IDM simulator in tests/identity)."""

    def login(user):
        token = secrets.token_urlsafe(32)
        # With the principals, as a real login stores them (loket.identity.policy).
        dbsession.add(WebSession(id=_hash(token), data={"user_id": user.id}, user_id=user.id,
                                 principals=principals_for(dbsession.get(User, user.id))))
        dbsession.flush()
        testapp.set_cookie(COOKIE_NAME, token)
        return user

    return login


@pytest.fixture
def factories(dbsession, app):
    from tests import factories

    return factories.Factories(dbsession, app.registry["loket.blobstore"])


def csrf_token(testapp) -> str:
    """The CSRF token of the test browser's session (loads a page that carries one)."""
    response = testapp.get("/mijn-dossiers", status="*")
    if response.status_int != 200:
        response = testapp.get("/werkbank")
    return response.html.find("input", {"name": "csrf_token"})["value"]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium through Playwright, one for the whole run (browser tests only)."""
    import shutil

    sync_api = pytest.importorskip("playwright.sync_api")
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(executable):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def plug_in(app, monkeypatch):
    """``plug_in(kind, implementation)``: for one test, the app's implementation of ``kind``
    (what the settings would have chosen)."""
    from loket.plugins.registry import IMPLEMENTATIONS_KEY

    chosen = dict(app.registry.get(IMPLEMENTATIONS_KEY, {}))
    monkeypatch.setitem(app.registry, IMPLEMENTATIONS_KEY, chosen)

    def plug(kind, implementation):
        chosen[kind] = [implementation]
        return implementation

    return plug
