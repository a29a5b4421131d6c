"""External advice end to end, everything over real HTTP and SMTP: Loket on a port with its own
committed (throw-away) database, the ACM/IDM and advice simulators, an SMTP sink, and the real
outbox relay. The API service answers by callback; the e-mail link works once; the reminder
job reminds once."""

import re
import secrets
import time
from dataclasses import dataclass, replace

import pytest
import transaction
import webtest
from sqlalchemy import select

from loket.advice.models import AdviceRequest
from loket.advice.reminders import remind
from loket.audit.models import AuditEvent
from loket.db import get_tm_session, utcnow
from loket.identity.models import WebSession
from loket.identity.sessions import COOKIE_NAME, _hash
from loket.integrations.acmidm.simulator import make_app as make_acmidm
from loket.integrations.advice_api.simulator import make_app as make_advice
from loket.integrations.simulators import Dispatcher
from loket.main import main
from loket.outbox.relay import Relay
from loket.security import Role
from tests.advice.conftest import says
from tests.conftest import csrf_token, migrate
from tests.factories import Factories
from tests.fixtures.outbox import FAST
from tests.integrations.test_email import Server
from tests.servers import serve

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@dataclass
class Live:
    app: object
    url: str
    advice: object  # the advice simulator
    mailbox: object
    relay: Relay

    def session(self):
        manager = transaction.TransactionManager(explicit=True)
        return manager, get_tm_session(self.app.registry["dbsession_factory"], manager)


@pytest.fixture(scope="module")
def live(tmp_path_factory, app_settings):
    directory = tmp_path_factory.mktemp("advice-live")
    url = f"sqlite:///{directory / 'loket.sqlite'}"
    migrate(url)
    smtp = Server()
    settings = {**app_settings, "sqlalchemy.url": url, "loket.blob_dir": str(directory / "b"),
                "loket.integrations.advice": "advies-api",
                "loket.integrations.advies-api.api_key": "advies-test-key",
                "loket.integrations.advies-api.service": "fod-sociale-zekerheid",
                "loket.integrations.notification": "email",
                "loket.integrations.email.host": "127.0.0.1",
                "loket.integrations.email.port": str(smtp.port),
                "loket.integrations.email.tls": "none",
                "loket.integrations.email.from_address": "loket@heidebeek.example",
                "loket.simulators.advies.delay": "0.1"}
    acmidm, advice = make_acmidm(settings), make_advice(settings)
    with serve(Dispatcher({"acmidm": acmidm, "advies": advice})) as simulators:
        settings["loket.acmidm.issuer"] = advice.issuer = f"{simulators}/acmidm/op"
        settings["loket.integrations.advies-api.base_url"] = f"{simulators}/advies"
        app = main({}, **settings)
        with serve(app) as loket_url:
            app.registry.settings["loket.public_url"] = loket_url
            relay = Relay(app.registry, policy=replace(FAST), worker="advice-test:1:a")
            yield Live(app, loket_url, advice, smtp.mailbox, relay)
            relay.close()
        app.registry["db_engine"].dispose()
    smtp.stop()


@pytest.fixture
def world(live):
    """Committed: a dossier in handling, its handler logged in on a WebTest browser."""
    manager, dbsession = live.session()
    with manager:
        factories = Factories(dbsession, live.app.registry["loket.blobstore"])
        team = factories.team(name="Sociale dienst")
        dossier = factories.dossier(team=team, state="in_behandeling",
                                    data={"inkomen": "23410", "iban": "BE68539007547034"})
        document = factories.document(dossier, title="Aanslagbiljet")
        handler = factories.staff(Role.HANDLER, team=team)
        token = secrets.token_urlsafe(32)
        dbsession.add(WebSession(id=_hash(token), data={"user_id": handler.id},
                                 user_id=handler.id))
        ids = {"reference": dossier.reference, "document": document.number}
    browser = webtest.TestApp(live.app, extra_environ={"HTTP_HOST": "localhost"})
    browser.set_cookie(COOKIE_NAME, token)
    return browser, ids


def advice_of(live, reference, number=1) -> AdviceRequest:
    manager, dbsession = live.session()
    with manager:
        advice = dbsession.scalar(select(AdviceRequest).join(AdviceRequest.dossier).where(
            AdviceRequest.number == number,
            AdviceRequest.dossier.has(reference=reference)))
        dbsession.expunge(advice)
        return advice


def create(browser, reference, body):
    return browser.post_json(f"/api/v1/dossiers/{reference}/adviezen", body, status=201,
                             headers={"X-CSRF-Token": csrf_token(browser)}).json


def test_api_service_answers_by_callback_over_http(live, world):
    browser, ids = world
    created = create(browser, ids["reference"], {
        "channel": "api", "service": "fod-sociale-zekerheid",
        "question": "Heeft de aanvrager een verhoogde tegemoetkoming?",
        "shared": {"fields": ["inkomen"], "documents": [ids["document"]]}})
    assert created["status"] == "requested"
    assert live.relay.process() >= 1  # the outbox delivers the request to the service
    [sent] = [r for r in live.advice.state()["requests"]
              if r["dossier"] == ids["reference"]]
    assert sent["fields"] == ["inkomen"]  # only what was shared; never the IBAN
    deadline = time.monotonic() + 15
    while advice_of(live, ids["reference"]).status == "requested":
        assert time.monotonic() < deadline, "the simulator did not answer"
        time.sleep(0.1)
    advice = advice_of(live, ids["reference"])
    assert (advice.status, advice.opinion, advice.external_id) == \
        ("answered", "favourable", sent["id"])
    manager, dbsession = live.session()
    with manager:
        actions = dbsession.scalars(select(AuditEvent.action).where(
            AuditEvent.object_id == ids["reference"])).all()
    assert {"advice.requested", "advice.answered", "callback.accepted"} <= set(actions)
    page = browser.get(f"/dossiers/{ids['reference']}")
    assert says(page.text, "Gunstig", "Favourable")


def test_email_link_answers_once(live, world):
    browser, ids = world
    create(browser, ids["reference"], {
        "channel": "email", "email": "advies@kind-en-gezin.example", "question": "Klopt dit?",
        "shared": {"fields": ["inkomen"]}})
    before = len(live.mailbox.messages)
    live.relay.process()
    assert len(live.mailbox.messages) == before + 1
    mail = live.mailbox.messages[-1]
    assert mail.rcpt_tos == ["advies@kind-en-gezin.example"]
    link = re.search(r"http://\S+/advies/(\S+)", mail.part("plain"))
    path = f"/advies/{link.group(1)}"
    anonymous = webtest.TestApp(live.app, extra_environ={"HTTP_HOST": "localhost"})
    page = anonymous.get(path)
    assert "23410" in page.text and "BE68539007547034" not in page.text
    form = page.forms["advies"]
    form["opinion"] = "unfavourable"
    refused = form.submit("answer", status=400)  # an explanation is required
    assert advice_of(live, ids["reference"]).status == "requested"
    form = refused.forms["advies"]
    form["opinion"] = "unfavourable"
    form["text"] = "Het inkomen is te hoog."
    done = form.submit("answer", status=200)
    assert says(done.text, "Bedankt", "Thank you")
    advice = advice_of(live, ids["reference"])
    assert (advice.status, advice.opinion, advice.token_hash) == \
        ("answered", "unfavourable", None)
    # The link stops working: page and answer.
    anonymous.get(path, status=404)
    anonymous.post(path, {"csrf_token": page.forms["advies"]["csrf_token"].value,
                          "opinion": "favourable"},
                   status=404)
    assert advice_of(live, ids["reference"]).opinion == "unfavourable"
    anonymous.get("/advies/verzonnen-token", status=404)


def test_reminder_job_reminds_once(live, world):
    browser, ids = world
    create(browser, ids["reference"], {"channel": "api", "service": "fod-sociale-zekerheid",
                                       "question": "Statuut?", "due": "2099-01-01"})
    manager, dbsession = live.session()
    with manager:  # the service is slow: the request is due tomorrow
        advice = dbsession.scalar(select(AdviceRequest).where(
            AdviceRequest.dossier.has(reference=ids["reference"])))
        advice.due = utcnow().date()
    live.relay.process()
    assert remind(live.app.registry)["advice_reminders"] >= 1
    assert remind(live.app.registry)["advice_reminders"] == 0  # once
    live.relay.process()
    reminded = [r for r in live.advice.state()["requests"]
                if r["dossier"] == ids["reference"]]
    assert [r["reminders"] for r in reminded] == [1]
    assert advice_of(live, ids["reference"]).last_reminder is not None
