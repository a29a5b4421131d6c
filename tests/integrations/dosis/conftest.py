"""DOSIS over real HTTP: the DOSIS and ACM/IDM simulators on a free port, and a Loket that
chose the DOSIS plug-in and points at them.

``dosis`` is the running simulator (switches reset and data cleared after each test);
``dosis_app`` the Loket; ``dosis_testapp`` a WebTest client of it inside the test's rolled-back
transaction; ``context`` what the outbox worker hands a deliverer.
"""

import secrets

import pytest
import requests

from loket.identity.models import WebSession
from loket.identity.sessions import COOKIE_NAME, _hash
from loket.integrations.acmidm.simulator import make_app as make_acmidm
from loket.integrations.dosis.definition import dosis_states
from loket.integrations.dosis.keys import create_key_file
from loket.integrations.dosis.simulator import OAUTH_PATH
from loket.integrations.dosis.simulator import make_app as make_dosis
from loket.integrations.simulators import Dispatcher
from loket.main import main
from loket.outbox import DeliveryContext, Message
from loket.outbox.models import OutboxMessage
from loket.security import Role, principals_for
from loket.workflow.definition import workflows
from loket.workflow.engine import Actor
from tests.conftest import ValidatingTestApp
from tests.servers import serve

BRON = "urn://heidebeek/loket"
CLIENT_ID = "loket-heidebeek-test"
TIMEOUT = 5
# Valid national register numbers (mod 97) of the ACM/IDM personas: MAGDA test numbers.
JAN = "85631415304"
SOFIE = "90710228406"


def rrn(n: int) -> str:
    """A valid (mod-97) national register number for test citizen ``n``, born before 2000."""
    first = f"{700101 + n % 28:06d}{100 + 2 * n % 800:03d}"
    return first + f"{97 - int(first) % 97:02d}"


def mapping(workflow="sociale-premie", **overrides) -> dict:
    """A dossier type's ``dosis`` mapping, as the shipped catalogue has it."""
    return {"product_id": "100103", "states": dosis_states(workflows()[workflow]),
            "action_needed": ["concept", "vervollediging_gevraagd"], **overrides}


class Simulator:
    """The running DOSIS simulator: where it is, its switches and (white-box) its data."""

    def __init__(self, base_url: str, app, acmidm):
        self.base_url = base_url  # of the simulators server
        self.url = base_url + "/dosis"
        self.app = app
        self.acmidm = acmidm

    def control(self, **switches) -> dict:
        response = requests.post(self.url + "/_control", json=switches, timeout=TIMEOUT)
        response.raise_for_status()
        return response.json()

    def counters(self) -> dict:
        return requests.get(self.url + "/_control", timeout=TIMEOUT).json()["counters"]


@pytest.fixture(scope="session")
def dosis_key_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("dosis") / "client-key.pem"
    create_key_file(path)
    return str(path)


@pytest.fixture(scope="session")
def dosis_options(dosis_key_file):
    """Loket's DOSIS settings, but for the URLs (which need the simulator's port)."""
    return {"loket.integrations.status_publishing": "dosis",
            "loket.integrations.dosis.client_id": CLIENT_ID,
            "loket.integrations.dosis.bron": BRON,
            "loket.integrations.dosis.private_key_file": dosis_key_file,
            "loket.integrations.dosis.timeout": "1"}


@pytest.fixture(scope="session")
def dosis_server(app_settings, dosis_options):
    settings = {**app_settings, **dosis_options}
    simulator, acmidm = make_dosis(settings), make_acmidm(settings)
    with serve(Dispatcher({"dosis": simulator, "acmidm": acmidm})) as base_url:
        yield Simulator(base_url, simulator, acmidm)


@pytest.fixture
def dosis(dosis_server):
    yield dosis_server
    dosis_server.control(reset=True, clear=True)


@pytest.fixture(scope="session")
def dosis_settings(app_settings, dosis_options, dosis_server):
    return {**app_settings, **dosis_options,
            "loket.acmidm.issuer": dosis_server.base_url + "/acmidm/op",
            "loket.integrations.dosis.token_url": dosis_server.url + OAUTH_PATH,
            "loket.integrations.dosis.base_url": dosis_server.url}


@pytest.fixture(scope="session")
def dosis_app(dosis_settings):
    app = main({}, **dosis_settings)
    yield app
    app.registry["db_engine"].dispose()


@pytest.fixture
def dosis_testapp(dosis_app, tm, dbsession):
    return ValidatingTestApp(dosis_app, extra_environ={
        "HTTP_HOST": "localhost", "tm.active": True, "tm.manager": tm, "app.dbsession": dbsession,
    })


@pytest.fixture
def dosis_login(dosis_testapp, dbsession):
    def login(user):
        token = secrets.token_urlsafe(32)
        dbsession.add(WebSession(id=_hash(token), data={"user_id": user.id}, user_id=user.id))
        dbsession.flush()
        dosis_testapp.set_cookie(COOKIE_NAME, token)
        return user

    return login


@pytest.fixture
def context(dosis_app):
    """What the outbox worker hands a deliverer."""
    with requests.Session() as http:
        yield DeliveryContext(settings=dosis_app.registry.settings, registry=dosis_app.registry,
                              http=http, timeout=10.0, worker="test")


@pytest.fixture
def premium(factories):
    """A dossier of Jan (who has a national register number) in state ``ingediend``, its
    type publishing to DOSIS, and a handler of its team."""
    team = factories.team(name="Sociale dienst")
    applicant = factories.citizen("Jan", "Peeters", rrn=JAN)
    version = factories.type_version(dosis=mapping())
    dossier = factories.dossier(applicant=applicant, team=team, type_version=version)
    handler = factories.staff(Role.HANDLER, team=team)
    return dossier, handler


def actor(user) -> Actor:
    return Actor(user, frozenset(principals_for(user)))


def pushes(dbsession) -> list[OutboxMessage]:
    return dbsession.query(OutboxMessage).filter_by(kind="dosis.push").order_by(
        OutboxMessage.id).all()


def as_claimed(row: OutboxMessage) -> Message:
    """The message as the worker hands it to the deliverer: a snapshot of the row."""
    return Message(id=row.id, kind=row.kind, payload=row.payload,
                   idempotency_key=row.idempotency_key, ordering_key=row.ordering_key,
                   dossier_id=row.dossier_id, attempts=row.attempts, created=row.created)
