"""Browser tests: Loket and the simulators on real ports, Debian's chromium through Playwright,
and an axe-core accessibility check (WCAG 2.1 AA) on every page a test visits."""

from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import transaction

from loket.db import get_tm_session
from loket.demo import load_demo_data
from loket.integrations.simulators import make_app as make_simulators
from loket.main import main
from tests.conftest import migrate
from tests.servers import serve

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@dataclass
class Live:
    url: str
    simulators: str
    app: object = None


@contextmanager
def running_loket(directory, app_settings, extra=None, from_simulators=None):
    """Loket with demo data in its own committed SQLite database, beside the simulators.

    ``extra``: more settings; ``from_simulators(base_url) -> dict``: settings that name the
    simulators' address (known once they run)."""
    url = f"sqlite:///{directory / 'loket.sqlite'}"
    migrate(url)
    settings = {**app_settings, "sqlalchemy.url": url, "loket.blob_dir": str(directory / "blobs"),
                "loket.environment": "development",
                # Every browser test logs in from the same address: the login limit (10 a
                # minute) would answer 429 to the later ones. The limiter itself still runs.
                "loket.ratelimit.login": "100000/60", **(extra or {})}
    with serve(make_simulators(settings)) as simulators:
        settings["loket.acmidm.issuer"] = f"{simulators}/acmidm/op"
        settings.update(from_simulators(simulators) if from_simulators else {})
        app = main({}, **settings)
        with serve(app) as loket_url:
            app.registry.settings["loket.public_url"] = loket_url
            with transaction.manager:
                load_demo_data(get_tm_session(app.registry["dbsession_factory"],
                                              transaction.manager), settings)
            yield Live(loket_url, simulators, app)
        app.registry["db_engine"].dispose()


@pytest.fixture(scope="session")
def live(tmp_path_factory, app_settings):
    with running_loket(tmp_path_factory.mktemp("live"), app_settings) as running:
        yield running


class Page:
    """A Playwright page that checks accessibility whenever a test asks for it."""

    def __init__(self, page, live):
        self.page = page
        self.live = live
        self.checked = []

    def __getattr__(self, name):
        return getattr(self.page, name)

    def visit(self, path):
        self.page.goto(self.live.url + path)
        return self.page

    def check_accessibility(self):
        from axe_playwright_python.sync_playwright import Axe

        result = Axe().run(self.page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        violations = [
            f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
            for v in result.response["violations"]
        ]
        self.checked.append(self.page.url)
        assert not violations, f"axe violations on {self.page.url}:\n" + "\n".join(violations)


def _page(browser, live, viewport):
    context = browser.new_context(viewport=viewport, locale="nl-BE")
    page = Page(context.new_page(), live)
    errors = []
    page.page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture
def phone(browser, live):
    yield from _page(browser, live, PHONE)


@pytest.fixture
def desktop(browser, live):
    yield from _page(browser, live, DESKTOP)


def log_in(page: Page, persona_name: str):
    """Log in through the ACM/IDM simulator by choosing a persona on its page."""
    page.visit("/")
    page.get_by_role("link", name="Aanmelden").first.click()
    page.check_accessibility()  # the simulator's persona page
    page.get_by_label(persona_name).check()
    page.get_by_role("button", name="Aanmelden").click()
    page.wait_for_load_state()
