"""The ACM/IDM simulator over real HTTP, and a Loket whose issuer is that simulator.

``acmidm`` is the running simulator (reset after each test); ``browser`` is a WebTest client
of a Loket configured for it, inside the test's rolled-back transaction. The login itself is
driven like a browser would: Loket's redirect, the persona page (with ``requests``), the
redirect back.
"""

from urllib.parse import urljoin

import pytest
import requests
import webtest
from bs4 import BeautifulSoup

from loket.integrations.acmidm.simulator import make_app as make_acmidm
from loket.integrations.simulators import Dispatcher
from loket.main import main
from tests.servers import serve

TIMEOUT = 5


class Provider:
    """A running ACM/IDM simulator: where it is, and its switches."""

    def __init__(self, base_url: str, app):
        self.base_url = base_url
        self.issuer = base_url + "/acmidm/op"
        self.app = app  # the simulator object itself, for white-box checks

    def control(self, **switches) -> dict:
        response = requests.post(self.issuer + "/_control", json=switches, timeout=TIMEOUT)
        response.raise_for_status()
        return response.json()

    def counters(self) -> dict:
        return requests.get(self.issuer + "/_control", timeout=TIMEOUT).json()["counters"]


@pytest.fixture(scope="session")
def acmidm_server(app_settings):
    simulator = make_acmidm(app_settings)
    with serve(Dispatcher({"acmidm": simulator})) as base_url:
        yield Provider(base_url, simulator)


@pytest.fixture
def acmidm(acmidm_server):
    yield acmidm_server
    acmidm_server.control(reset=True)


@pytest.fixture(scope="session")
def oidc_settings(app_settings, acmidm_server):
    return {**app_settings, "loket.acmidm.issuer": acmidm_server.issuer,
            "loket.public_url": "http://localhost", "loket.acmidm.timeout": "1"}


@pytest.fixture(scope="session")
def oidc_app(oidc_settings):
    app = main({}, **oidc_settings)
    yield app
    app.registry["db_engine"].dispose()


@pytest.fixture
def browser(oidc_app, acmidm, tm, dbsession):
    return webtest.TestApp(oidc_app, extra_environ={
        "HTTP_HOST": "localhost",
        "tm.active": True,
        "tm.manager": tm,
        "app.dbsession": dbsession,
    })


def start_login(browser, terug: str | None = None) -> str:
    """Loket's redirect to the provider's persona page."""
    response = browser.get("/aanmelden", {"terug": terug} if terug else {}, status=302)
    return response.location


def choose_persona(auth_url: str, persona: str, action: str = "aanmelden",
                   means: str | None = None) -> str:
    """Pick a persona on the persona page (or cancel), and the means (acr) when given; the
    redirect back to Loket."""
    page = requests.get(auth_url, timeout=TIMEOUT)
    assert page.status_code == 200, page.text
    form = BeautifulSoup(page.text, "html.parser").find("form")
    fields = {i["name"]: i.get("value", "") for i in form.find_all("input", type="hidden")}
    if means is not None:
        fields["aanmeldmiddel"] = means
    answer = requests.post(urljoin(auth_url, form["action"]), allow_redirects=False,
                           timeout=TIMEOUT, data={**fields, "persona": persona, "actie": action})
    assert answer.status_code == 302, answer.text
    return answer.headers["Location"]


def log_in(browser, persona: str, terug: str | None = None, status: int = 302):
    """The whole login of ``persona``; Loket's answer to the callback."""
    return browser.get(choose_persona(start_login(browser, terug), persona), status=status)
