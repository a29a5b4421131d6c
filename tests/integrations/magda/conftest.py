"""MAGDA over real HTTP: the simulator on a free port, and a :class:`Magda` (client + purpose
list) pointing at it, consulting inside the test's rolled-back session.

``magda_sim`` is the running simulator (switches reset and counters cleared after each test).
"""

import pytest
import requests

from loket.integrations.acmidm.personas import BY_KEY
from loket.integrations.magda.client import MagdaClient
from loket.integrations.magda.consult import Magda
from loket.integrations.magda.options import MagdaOptions
from loket.integrations.magda.simulator import make_app
from loket.integrations.simulators import Dispatcher
from tests.servers import serve

TIMEOUT = 5
JAN = BY_KEY["jan"].rrn
SOFIE = BY_KEY["sofie"].rrn
AHMED = BY_KEY["ahmed"].rrn
LOTTE = BY_KEY["lotte"].rrn
UNKNOWN = "85630100161"  # valid mod 97, not a persona
PURPOSE = "sociale-premie-aanvraag"
PURPOSES = "sociale-premie-aanvraag inkomenscontrole"


class Simulator:
    def __init__(self, base_url: str, app):
        self.base_url = base_url
        self.url = base_url + "/magda"
        self.app = app

    def control(self, **switches) -> dict:
        response = requests.post(self.url + "/_control", json=switches, timeout=TIMEOUT)
        response.raise_for_status()
        return response.json()

    def counters(self) -> dict:
        return requests.get(self.url + "/_control", timeout=TIMEOUT).json()["counters"]

    def requests_made(self) -> int:
        return self.counters().get("requests", 0)


@pytest.fixture(scope="session")
def magda_server():
    app = make_app({"loket.environment": "test"})
    with serve(Dispatcher({"magda": app})) as base_url:
        yield Simulator(base_url, app)


@pytest.fixture
def magda_sim(magda_server):
    magda_server.control(reset=True, clear=True)
    yield magda_server
    magda_server.control(reset=True, clear=True)


def magda_options(base_url: str, **overrides) -> dict:
    return MagdaOptions().deserialize({
        "base_url": base_url, "identificatie": "heidebeek.loket.test", "hoedanigheid": "1234",
        "purposes": PURPOSES, "timeout": "1", **overrides})


@pytest.fixture
def magda(magda_sim) -> Magda:
    options = magda_options(magda_sim.url)
    return Magda(MagdaClient(options), options["purposes"])
