"""The minutes software end to end over real HTTP: Loket on a port with its own committed
database, the ACM/IDM simulator and the minutes simulator, and the real outbox relay. A
proposed item reaches the package; the secretariat holds the meeting there; the package
calls Loket back and the decision is recorded; a postponed item moves on (and is pushed
again)."""

import secrets
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest
import requests
import transaction
import webtest
from pyramid.exceptions import ConfigurationError
from rdflib import Namespace
from rdflib.namespace import RDF
from sqlalchemy import select

from loket.db import get_tm_session
from loket.decisions.models import AgendaItem, Decision
from loket.dossiers.models import Dossier
from loket.identity.models import WebSession
from loket.identity.sessions import COOKIE_NAME, _hash
from loket.integrations import minutes
from loket.integrations.acmidm.simulator import make_app as make_acmidm
from loket.integrations.minutes.simulator import make_app as make_minutes
from loket.integrations.simulators import Dispatcher
from loket.main import main
from loket.outbox.relay import Relay
from loket.security import Role
from tests.conftest import migrate
from tests.decisions.lblod import graph_of, report
from tests.factories import Factories
from tests.fixtures.outbox import FAST
from tests.servers import serve

BESLUIT = Namespace("http://data.vlaanderen.be/ns/besluit#")
PROV = Namespace("http://www.w3.org/ns/prov#")
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
API_KEY = "notulen-test-key"


@dataclass
class Live:
    app: object
    url: str
    simulators: str
    minutes: object
    relay: Relay

    def session(self):
        manager = transaction.TransactionManager(explicit=True)
        return manager, get_tm_session(self.app.registry["dbsession_factory"], manager)


@pytest.fixture(scope="module")
def live(tmp_path_factory, app_settings):
    directory = tmp_path_factory.mktemp("minutes-live")
    url = f"sqlite:///{directory / 'loket.sqlite'}"
    migrate(url)
    settings = {**app_settings, "sqlalchemy.url": url, "loket.blob_dir": str(directory / "b"),
                "loket.integrations.minutes": "notulen-api",
                "loket.integrations.notulen-api.api_key": API_KEY}
    acmidm, simulator = make_acmidm(settings), make_minutes(settings)
    with serve(Dispatcher({"acmidm": acmidm, "notulen": simulator})) as simulators:
        settings["loket.acmidm.issuer"] = simulator.issuer = f"{simulators}/acmidm/op"
        settings["loket.integrations.notulen-api.base_url"] = f"{simulators}/notulen"
        app = main({}, **settings)
        with serve(app) as loket_url:
            app.registry.settings["loket.public_url"] = loket_url
            relay = Relay(app.registry, policy=replace(FAST), worker="minutes-test:1:a")
            yield Live(app, loket_url, simulators, simulator, relay)
            relay.close()
        app.registry["db_engine"].dispose()


@pytest.fixture
def world(live):
    """Committed: two dossiers ready for the college's decision, their handler logged in."""
    manager, dbsession = live.session()
    with manager:
        factories = Factories(dbsession, live.app.registry["loket.blobstore"])
        team = factories.team(name="Sociale dienst")
        dossiers = [factories.dossier(team=team, state="klaar_voor_beslissing",
                                      data={"iban": "BE68539007547034"}) for _ in range(2)]
        handler = factories.staff(Role.HANDLER, team=team)
        token = secrets.token_urlsafe(32)
        dbsession.add(WebSession(id=_hash(token), data={"user_id": handler.id},
                                 user_id=handler.id))
        references = [d.reference for d in dossiers]
    browser = webtest.TestApp(live.app, extra_environ={"HTTP_HOST": "localhost"})
    browser.set_cookie(COOKIE_NAME, token)
    return browser, references


def propose(browser, reference, amount="250,00"):
    form = browser.get(f"/dossiers/{reference}/beslissing").forms["voorstel"]
    if "amount" in form.fields:
        form["amount"] = amount
    assert form.submit().status_int == 302


def items_of(live, reference) -> list[dict]:
    manager, dbsession = live.session()
    with manager:
        return [{"id": i.id, "status": i.status, "meeting": i.meeting_id,
                 "state": i.dossier.state}
                for i in dbsession.scalars(select(AgendaItem).join(AgendaItem.dossier)
                                           .where(AgendaItem.dossier.has(reference=reference))
                                           .order_by(AgendaItem.id))]


def decisions_of(live, reference) -> list[Decision]:
    manager, dbsession = live.session()
    with manager:
        found = list(dbsession.scalars(select(Decision).join(
            Dossier, Dossier.id == Decision.dossier_id).where(Dossier.reference == reference)))
        for decision in found:
            dbsession.expunge(decision)
        return found


def test_the_secretariat_holds_the_meeting_in_the_package_and_loket_records_it(live, world):
    browser, (granted, postponed) = world
    propose(browser, granted)
    propose(browser, postponed)
    assert live.relay.process() >= 2  # the outbox delivers both items to the package
    sent = {e["dossier"]: e for e in live.minutes.state()["items"]}
    assert {granted, postponed} <= set(sent)
    item = sent[granted]
    assert item["body"] == "college" and item["articles"] and item["motivation"]
    assert item["callback_url"] == f"{live.url}/api/v1/dossiers/{granted}/callbacks/besluit"
    assert "BE68" not in str(sent)  # the IBAN never leaves Loket with the draft
    [first] = items_of(live, granted)
    assert sent[postponed]["meeting"] == first["meeting"]  # both on the same college

    page = requests.get(f"{live.simulators}/notulen/", timeout=5)
    assert page.status_code == 200 and granted in page.text
    held = requests.post(f"{live.simulators}/notulen/zittingen/{first['meeting']}", timeout=30,
                         data={f"outcome-{item['item']}": "amended",
                               f"amount-{item['item']}": "275,00",
                               f"for-{item['item']}": "6", f"against-{item['item']}": "1",
                               f"outcome-{sent[postponed]['item']}": "postponed"},
                         allow_redirects=False)
    assert held.status_code == 303
    assert {e["dossier"]: e["callback_status"] for e in live.minutes.state()["items"]
            if e["outcome"]} == {granted: 200, postponed: 200}

    [decision] = decisions_of(live, granted)
    assert (decision.outcome, decision.amended, decision.amount) == \
        ("approved", True, Decimal("275.00"))
    assert (decision.votes_for, decision.votes_against, decision.body_code) == (6, 1, "college")
    assert decision.publication_uri == f"{live.simulators}/notulen/besluiten/{item['id']}"
    published = requests.get(decision.publication_uri, timeout=5)
    graph = graph_of(published.text, base=decision.publication_uri)
    conforms, text = report(graph, "meeting", "besluit-shape")
    assert conforms, text
    [besluit] = graph.subjects(RDF.type, BESLUIT.Besluit)  # the postponed one is no decision
    assert "275,00" in str(graph.value(besluit, PROV.value))  # the amended amount
    assert graph.value(besluit, BESLUIT.motivering).language == "nl"
    [vote] = graph.subjects(RDF.type, BESLUIT.Stemming)
    assert graph.value(vote, BESLUIT.aantalVoorstanders).toPython() == 6
    minutes_page = requests.get(f"{live.simulators}/notulen/zittingen/{first['meeting']}/notulen",
                                timeout=5)
    assert report(graph_of(minutes_page.text), "meeting", "besluit-shape")[0]
    assert items_of(live, granted)[0]["state"] == "goedgekeurd"
    old, moved = items_of(live, postponed)
    assert (old["status"], moved["status"], moved["state"]) == \
        ("postponed", "proposed", "geagendeerd")
    assert moved["meeting"] != old["meeting"]
    assert decisions_of(live, postponed) == []
    assert live.relay.process() >= 1  # the moved item reaches the package for its new meeting
    assert moved["id"] in {e["item"] for e in live.minutes.state()["items"]}


def test_the_package_refuses_what_it_cannot_use(live):
    base = f"{live.simulators}/notulen/api/v1/agendapunten"
    headers = {"Authorization": f"Bearer {API_KEY}", "Idempotency-Key": "k-1"}
    assert requests.post(base, json={}, timeout=5).status_code == 401
    bad = requests.post(base, json={"item": "1", "dossier": "x"}, headers=headers, timeout=5)
    assert bad.status_code == 400 and "dossier" in " ".join(bad.json()["problems"])
    assert requests.post(base, json={}, timeout=5, headers={
        "Authorization": f"Bearer {API_KEY}"}).status_code == 400  # no Idempotency-Key


def test_options_and_check():
    with pytest.raises(Exception, match="api_key"):
        minutes.MinutesApiOptions().deserialize({"base_url": "https://notulen.example.be"})
    assert minutes.check({"base_url": "http://127.0.0.1:9"})["status"] == "error"


def test_the_health_check_reaches_the_package(live):
    assert minutes.check({"base_url": f"{live.simulators}/notulen"}) == {"status": "ok"}


def test_loket_refuses_to_start_without_the_package_url(app_settings):
    with pytest.raises(ConfigurationError, match="notulen-api.base_url"):
        main({}, **{**app_settings, "loket.integrations.minutes": "notulen-api",
                    "loket.integrations.notulen-api.api_key": API_KEY})


def _item(**changes) -> dict:
    body = {"item": 41, "dossier": "2026-000041", "body": "college",
            "meeting": {"id": 9, "starts": "2026-12-08T19:30:00+01:00"},
            "title": "<script>alert(1)</script> Toelage", "motivation": "Voldoet.",
            "articles": ["Toegekend."], "amount": "250.00",
            "callback_url": "http://127.0.0.1:9/api/v1/dossiers/2026-000041/callbacks/besluit"}
    body.update(changes)
    return body


def test_the_package_takes_an_item_once_and_escapes_it_on_its_page(app_settings):
    simulator = webtest.TestApp(make_minutes({**app_settings,
                                              "loket.integrations.notulen-api.api_key": "k"}))
    headers = {"Authorization": "Bearer k", "Idempotency-Key": "same"}
    first = simulator.post_json("/api/v1/agendapunten", _item(), headers=headers, status=202)
    again = simulator.post_json("/api/v1/agendapunten", _item(), headers=headers, status=202)
    assert first.json == again.json and len(simulator.get("/_control").json["items"]) == 1
    page = simulator.get("/")
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    simulator.post_json("/_control", {"down": True})
    simulator.post_json("/api/v1/agendapunten", _item(), headers=headers, status=503)
    simulator.post_json("/_control", {"reset": True})
    assert simulator.get("/_control").json["items"] == []


def test_an_unreachable_loket_is_shown_and_the_item_stays_open_to_hold_again(app_settings):
    simulator = make_minutes({**app_settings, "loket.acmidm.issuer": "http://127.0.0.1:9/op"})
    browser = webtest.TestApp(simulator)
    browser.post_json("/api/v1/agendapunten", _item(), headers={"Idempotency-Key": "a"})
    browser.post("/zittingen/9", {"outcome-41": "approved"}, status=303)
    [entry] = simulator.state()["items"]
    assert (entry["callback_status"], entry["outcome"]) == ("ConnectionError", None)
    assert "ConnectionError" in browser.get("/").text and "outcome-41" in browser.get("/").text
    browser.get("/zittingen/9/notulen", status=404)  # nothing final, nothing published
    browser.get(f"/besluiten/{entry['id']}", status=404)


def test_the_package_refuses_an_item_without_the_meetings_start(app_settings):
    simulator = webtest.TestApp(make_minutes(app_settings))
    for starts in (None, "", "morgen", "2026-12-08T19:30:00"):  # the last one has no zone
        answer = simulator.post_json("/api/v1/agendapunten",
                                     _item(meeting={"id": 9, "starts": starts}),
                                     headers={"Idempotency-Key": f"s-{starts}"}, status=400)
        assert "meeting" in " ".join(answer.json["problems"])
