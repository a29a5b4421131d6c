"""The minutes software's decision callback: happy path, idempotency (also under concurrency on
PostgreSQL), and every bad input answered with a JSON error, audited, with nothing changed."""

import json
import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from loket.audit.models import AuditEvent
from loket.callbacks.models import InboundCallback
from loket.catalogue.models import DossierType, DossierTypeVersion
from loket.db import get_engine
from loket.decisions.models import AgendaItem, DecidingBody, Decision, Meeting
from loket.decisions.services import ensure_bodies
from loket.dossiers.models import Dossier
from loket.identity.models import Team, User
from loket.main import main
from loket.security import Role
from loket.workflow.engine import BeforeTransition
from loket.workflow.models import HistoryEntry
from tests.api import test_tokens
from tests.api.test_tokens import bearer, fetch_token
from tests.servers import serve

# Fixtures shared with test_tokens.py: the ACM/IDM simulator over HTTP and a Loket trusting it.
api_provider = test_tokens.api_provider
provider = test_tokens.provider
bearer_settings = test_tokens.bearer_settings
bearer_app = test_tokens.bearer_app
api = test_tokens.api

BRUSSELS = ZoneInfo("Europe/Brussels")  # meetings are dated in Belgian time
TODAY = datetime.now(BRUSSELS).date().isoformat()


def url(dossier_or_reference) -> str:
    reference = getattr(dossier_or_reference, "reference", dossier_or_reference)
    return f"/api/v1/dossiers/{reference}/callbacks/besluit"


def decision(**changes) -> dict:
    body = {"callback_id": "gn-2026-0042", "outcome": "approved", "decided_on": TODAY,
            "body": "college", "reference": "CBS/2026/118"}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


@pytest.fixture
def notulen(provider):
    return bearer(fetch_token(provider, "notulen"))


def put_on_agenda(dbsession, dossier):
    """Put ``dossier`` on a meeting of its body, as proposing it does."""
    from loket.decisions import services

    body = services.body_of(dbsession, dossier)
    starts = datetime.now(BRUSSELS) - timedelta(hours=1)
    meeting = Meeting(body_id=body.id, starts=starts, agenda_closes=starts - timedelta(days=2),
                      status="agenda_closed")
    dbsession.add(meeting)
    dbsession.flush()
    dossier.state = "geagendeerd"
    return services._add_item(dbsession, meeting, dossier, title="Beslissing",
                              motivation="Voldoet.", articles=["De premie wordt toegekend."])


def item_of(dossier) -> int:
    from loket.decisions.models import AgendaItem

    session = Session.object_session(dossier)
    return session.scalar(select(AgendaItem.id).where(AgendaItem.dossier_id == dossier.id))


@pytest.fixture
def on_agenda(factories, dbsession):
    dossier = factories.dossier(state="geagendeerd")
    put_on_agenda(dbsession, dossier)
    return dossier


def post(api, target, body, headers, status=200, **kw):
    return api.post(url(target), json.dumps(body).encode(), status=status,
                    headers={"Content-Type": "application/json", **headers}, **kw)


def history(dbsession, dossier) -> list[HistoryEntry]:
    dbsession.flush()
    return list(dbsession.scalars(select(HistoryEntry).where(
        HistoryEntry.dossier_id == dossier.id).order_by(HistoryEntry.id)))


def audits(dbsession, prefix: str = "callback.") -> list[AuditEvent]:
    dbsession.flush()
    return list(dbsession.scalars(select(AuditEvent).where(AuditEvent.action.startswith(prefix))
                                  .order_by(AuditEvent.id)))


def claims(dbsession) -> list[InboundCallback]:
    dbsession.flush()
    return list(dbsession.scalars(select(InboundCallback).order_by(InboundCallback.id)))


def assert_unchanged(dbsession, dossier, state="geagendeerd", version=None):
    dbsession.expire(dossier)
    assert dossier.state == state
    if version is not None:
        assert dossier.version == version
    assert history(dbsession, dossier) == []
    assert claims(dbsession) == []


# ---------------------------------------------------------------------------------------------
# Happy paths


def test_approval_takes_the_step_records_history_audit_and_the_callback(api, notulen,
                                                                        on_agenda, dbsession):
    version = on_agenda.version
    response = post(api, on_agenda, decision(), notulen)  # no CSRF token: a bearer request
    assert response.json == {
        "callback_id": "gn-2026-0042", "dossier": on_agenda.reference, "result": "accepted",
        "transition": "goedkeuren", "state": "goedgekeurd", "agenda_item": item_of(on_agenda),
        "outcome": "approved", "received": response.json["received"],
    }
    assert "Idempotent-Replayed" not in response.headers
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    dbsession.expire(on_agenda)
    assert (on_agenda.state, on_agenda.outcome, on_agenda.version) == \
        ("goedgekeurd", "approved", version + 1)
    [entry] = history(dbsession, on_agenda)
    assert (entry.transition, entry.from_state, entry.to_state, entry.actor_id, entry.comment) \
        == ("goedkeuren", "geagendeerd", "goedgekeurd", None, "Voldoet.")  # the motivation
    [transition] = audits(dbsession, "dossier.transition")
    assert transition.actor_id is None and transition.object_id == on_agenda.reference
    [accepted] = audits(dbsession)
    assert accepted.action == "callback.accepted" and accepted.actor_id is None
    assert accepted.object_id == on_agenda.reference
    assert accepted.details == {
        "client": "notulen", "callback": "besluit", "callback_id": "gn-2026-0042",
        "transition": "goedkeuren", "decided_on": TODAY, "body": "college",
        "decision_reference": "CBS/2026/118", "outcome": "approved",
        "item": item_of(on_agenda)}
    [row] = claims(dbsession)
    assert (row.source, row.key, row.dossier_id) == ("besluit/notulen", "gn-2026-0042",
                                                     on_agenda.id)
    assert row.outcome == response.json


def test_refusal_takes_the_motivation_as_the_reason(api, notulen, on_agenda, dbsession):
    motivation = "Het inkomen ligt boven de grens van het reglement."
    response = post(api, on_agenda, decision(outcome="refused", motivation=motivation), notulen)
    assert response.json["transition"] == "weigeren" and response.json["state"] == "geweigerd"
    [entry] = history(dbsession, on_agenda)
    assert entry.comment == motivation
    assert on_agenda.outcome == "refused"
    # The motivation may be about the applicant: it is in the history, not in the audit trail.
    assert motivation not in json.dumps([e.details for e in audits(dbsession, "")])


def test_the_applicant_hears_of_the_decision_not_its_outcome(api, notulen, factories, dbsession,
                                                             login, testapp):
    """The outcome and its motivation reach the applicant with the decision letter."""
    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen, state="geagendeerd")
    put_on_agenda(dbsession, dossier)
    post(api, dossier, decision(outcome="refused", motivation="Te laat ingediend."), notulen)
    login(citizen)
    workflow = testapp.get(f"/api/v1/dossiers/{dossier.reference}/workflow").json
    assert workflow["state"]["code"] == "beslist" and dossier.state == "geweigerd"
    assert [(h["transition"], h["comment"]) for h in workflow["history"]] == [("beslist", "")]


# ---------------------------------------------------------------------------------------------
# Idempotency


def test_the_same_callback_twice_has_one_effect(api, notulen, on_agenda, dbsession):
    first = post(api, on_agenda, decision(), notulen)
    version = on_agenda.version
    second = post(api, on_agenda, decision(), notulen)
    assert second.json == first.json
    assert second.headers["Idempotent-Replayed"] == "true"
    assert len(history(dbsession, on_agenda)) == 1
    assert on_agenda.version == version
    assert len(claims(dbsession)) == 1
    assert [e.action for e in audits(dbsession)] == ["callback.accepted", "callback.duplicate"]
    assert len(audits(dbsession, "dossier.transition")) == 1


def test_the_same_callback_id_with_other_content_is_refused(api, notulen, on_agenda,
                                                            dbsession):
    first = post(api, on_agenda, decision(), notulen)
    response = post(api, on_agenda, decision(outcome="refused", motivation="Toch niet."),
                    notulen, status=422)
    assert response.json["error"]["status"] == 422
    assert on_agenda.state == "goedgekeurd" and len(history(dbsession, on_agenda)) == 1
    [row] = claims(dbsession)
    assert row.outcome == first.json
    assert audits(dbsession)[-1].details["reason"] == "callback_id_reused"


def test_callback_ids_are_per_sender_and_kind(api, notulen, factories, dbsession):
    one, two = factories.dossier(state="geagendeerd"), factories.dossier(state="geagendeerd")
    put_on_agenda(dbsession, one)
    put_on_agenda(dbsession, two)
    post(api, one, decision(callback_id="a"), notulen)
    post(api, two, decision(callback_id="b"), notulen)
    # Reusing "a" for another dossier is a different callback, not a retry.
    post(api, two, decision(callback_id="a"), notulen, status=422)
    assert [r.key for r in claims(dbsession)] == ["a", "b"]


# ---------------------------------------------------------------------------------------------
# Refusals: unknown dossier, wrong state, bad input, bad token


def test_unknown_dossier_is_404_audited(api, notulen, dbsession):
    response = post(api, "2026-999999", decision(), notulen, status=404)
    assert response.json["error"]["status"] == 404
    [event] = audits(dbsession)
    assert (event.action, event.object_id, event.details) == (
        "callback.unknown_dossier", "2026-999999", {"client": "notulen", "callback": "besluit"})
    assert claims(dbsession) == []


def test_unknown_dossier_still_needs_a_valid_token_with_the_scope(api, provider, dbsession):
    post(api, "2026-999999", decision(), {}, status=401)
    post(api, "2026-999999", decision(), bearer("x.y.z"), status=401)
    response = post(api, "2026-999999", decision(), bearer(fetch_token(provider, "integrator")),
                    status=403)
    assert 'scope="loket.callbacks.besluit"' in response.headers["WWW-Authenticate"]
    assert [e.action for e in audits(dbsession, "api.")] == \
        ["api.token_rejected", "api.token_rejected", "api.forbidden"]
    assert audits(dbsession) == []


def test_unknown_callback_kind_is_404(api, notulen, on_agenda, dbsession):
    response = api.post(f"/api/v1/dossiers/{on_agenda.reference}/callbacks/onbekend",
                        json.dumps(decision()).encode(), status=404,
                        headers={"Content-Type": "application/json", **notulen})
    assert response.json["error"]["status"] == 404
    assert_unchanged(dbsession, on_agenda)


@pytest.mark.parametrize("state", ["ingediend", "klaar_voor_beslissing", "goedgekeurd"])
def test_a_dossier_not_on_the_agenda_is_409_and_unchanged(api, notulen, factories, dbsession,
                                                          state):
    dossier = factories.dossier(state=state)
    version = dossier.version
    response = post(api, dossier, decision(), notulen, status=409)
    error = response.json["error"]
    assert error["status"] == 409 and "agenda" in error["message"]
    assert_unchanged(dbsession, dossier, state, version)
    [event] = audits(dbsession)
    assert (event.action, event.details["reason"], event.details["state"]) == \
        ("callback.refused", "not_on_agenda", state)


def test_a_refused_callback_can_be_sent_again_once_the_dossier_is_ready(api, notulen,
                                                                        factories, dbsession):
    dossier = factories.dossier(state="klaar_voor_beslissing")
    post(api, dossier, decision(), notulen, status=409)
    put_on_agenda(dbsession, dossier)
    dbsession.flush()
    assert post(api, dossier, decision(), notulen).json["state"] == "goedgekeurd"


def test_a_decision_by_another_body_is_409(api, notulen, factories, dbsession):
    dossier = factories.dossier(state="geagendeerd", type_version=factories.type_version(
        decision={"body": "gemeenteraad"}))
    put_on_agenda(dbsession, dossier)
    dbsession.flush()
    version = dossier.version
    response = post(api, dossier, decision(body="college"), notulen, status=409)
    assert "gemeenteraad" in response.json["error"]["message"]
    assert_unchanged(dbsession, dossier, version=version)
    assert audits(dbsession)[0].details["reason"] == "wrong_body"
    assert post(api, dossier, decision(body="gemeenteraad"), notulen).json["state"] == \
        "goedgekeurd"


TOMORROW = (datetime.now(BRUSSELS).date() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize("body,names", [
    (decision(outcome="refused"), ["motivation"]),
    (decision(outcome="refused", motivation="   "), ["motivation"]),
    (decision(outcome="maybe"), ["outcome"]),
    (decision(callback_id=None, reference=None), ["callback_id", "reference"]),
    (decision(decided_on="26/11/2026"), ["decided_on"]),
    (decision(decided_on="2026-02-30"), ["decided_on"]),
    (decision(decided_on=TOMORROW), ["decided_on"]),
    (decision(body="burgemeester"), ["body"]),
    (decision(callback_id="met spatie"), ["callback_id"]),
    (decision(callback_id="x" * 201), ["callback_id"]),
    (decision(reference=42), ["reference"]),
    (decision(motivatie="typo"), [""]),
    ([decision()], [""]),
    ("approved", [""]),
])
def test_malformed_callbacks_are_400_with_details(api, notulen, on_agenda, dbsession, body,
                                                  names):
    version = on_agenda.version
    response = post(api, on_agenda, body, notulen, status=400)
    error = response.json["error"]
    assert error["status"] == 400
    assert sorted(d.get("name", "") for d in error["details"]) == names
    assert {d["location"] for d in error["details"]} == {"body"}
    assert_unchanged(dbsession, on_agenda, version=version)
    [event] = audits(dbsession)
    assert (event.action, event.details["reason"], event.details["status"]) == \
        ("callback.rejected", "malformed", 400)


@pytest.mark.parametrize("raw,content_type,status", [
    (b"{not json", "application/json", 400),
    (b"\xff\xfe", "application/json", 400),
    (b"", "application/json", 400),
    (json.dumps(decision()).encode(), "text/plain", 415),
    (b"callback_id=x&outcome=approved", "application/x-www-form-urlencoded", 415),
    (json.dumps(decision(motivation="x" * 70000)).encode(), "application/json", 413),
])
def test_bodies_that_are_not_json_are_refused(api, notulen, on_agenda, dbsession, raw,
                                              content_type, status):
    response = api.post(url(on_agenda), raw, status=status,
                        headers={"Content-Type": content_type, **notulen})
    # pyramid_retry spools a large body to a temporary file that nobody closes.
    response.request.environ["wsgi.input"].close()
    assert response.json["error"]["status"] == status
    assert_unchanged(dbsession, on_agenda)
    assert [e.details["status"] for e in audits(dbsession)] == [status]


def test_no_or_bad_token_is_401_and_no_scope_403(api, provider, on_agenda, dbsession):
    response = post(api, on_agenda, decision(), {}, status=401)
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="loket"'
    provider.control(access_token="expired")
    expired = bearer(fetch_token(provider, "notulen"))
    provider.control(reset=True)
    response = post(api, on_agenda, decision(), expired, status=401)
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="loket", error="invalid_token"'
    response = post(api, on_agenda, decision(), bearer(fetch_token(provider, "integrator")),
                    status=403)
    assert response.headers["WWW-Authenticate"] == (
        'Bearer realm="loket", error="insufficient_scope", scope="loket.callbacks.besluit"')
    assert_unchanged(dbsession, on_agenda)
    events = audits(dbsession, "api.")
    assert [(e.action, e.details.get("reason"), e.details.get("client")) for e in events] == [
        ("api.token_rejected", "token_missing", None),
        ("api.token_rejected", "expired", None),
        ("api.forbidden", None, "integrator"),
    ]
    assert {e.details["path"] for e in events} == {url(on_agenda)}


def test_a_session_cannot_send_callbacks(api, factories, login, testapp, on_agenda, dbsession):
    login(factories.staff(Role.SECRETARIAT))
    api.cookiejar = testapp.cookiejar
    for headers in ({}, {"X-CSRF-Token": "x"}):
        post(api, on_agenda, decision(), headers, status=401)
    assert_unchanged(dbsession, on_agenda)


def test_a_get_on_the_callback_is_not_found(api, notulen, on_agenda):
    api.get(url(on_agenda), headers=notulen, status=404)


# ---------------------------------------------------------------------------------------------
# For real: committed transactions, and two deliveries at once (PostgreSQL)


@pytest.fixture
def committed_on_agenda(database_url):
    """A dossier on the agenda, committed, so requests served for real can race on it."""
    engine = get_engine({"sqlalchemy.url": database_url})
    with Session(engine) as session:
        team = Team(code="cb-race", name="Race")
        citizen = User(subject="cb-race-citizen", kind="citizen")
        version = DossierTypeVersion(dossier_type=DossierType(code="cb-race"), number=1,
                                     definition={"workflow": "sociale-premie",
                                                 "decision": {"body": "college"}})
        session.add_all([team, citizen, version])
        session.flush()
        dossier = Dossier(reference="2097-000001", type_version_id=version.id, title="Race",
                          state="geagendeerd", applicant_id=citizen.id, team_id=team.id,
                          data={})
        session.add(dossier)
        created = not session.scalar(select(func.count()).select_from(DecidingBody))
        body = ensure_bodies(session)["college"]
        starts = datetime.now(BRUSSELS) - timedelta(hours=1)
        meeting = Meeting(body_id=body.id, starts=starts, status="agenda_closed",
                          agenda_closes=starts - timedelta(days=2))
        session.add(meeting)
        session.flush()
        session.add(AgendaItem(meeting_id=meeting.id, dossier_id=dossier.id, title="Race",
                               motivation="Voldoet.", articles=["Toegekend."]))
        session.commit()
        ids = {"dossier": dossier.id, "team": team.id, "citizen": citizen.id,
               "type": version.type_id, "meeting": meeting.id}
    yield engine, ids
    with Session(engine) as session:
        session.execute(delete(InboundCallback).where(InboundCallback.dossier_id == ids["dossier"]))
        session.execute(delete(HistoryEntry).where(HistoryEntry.dossier_id == ids["dossier"]))
        session.execute(delete(Decision).where(Decision.dossier_id == ids["dossier"]))
        session.execute(delete(AgendaItem).where(AgendaItem.dossier_id == ids["dossier"]))
        session.execute(delete(Meeting).where(Meeting.id == ids["meeting"]))
        if created:
            session.execute(delete(DecidingBody))
        session.execute(delete(AuditEvent).where(AuditEvent.object_id == "2097-000001"))
        session.execute(delete(Dossier).where(Dossier.id == ids["dossier"]))
        session.execute(delete(User).where(User.id == ids["citizen"]))
        session.execute(delete(Team).where(Team.id == ids["team"]))
        session.execute(delete(DossierTypeVersion).where(DossierTypeVersion.type_id == ids["type"]))
        session.execute(delete(DossierType).where(DossierType.id == ids["type"]))
        session.commit()
    engine.dispose()


def _deliver(base_url: str, token: str, body: dict) -> requests.Response:
    return requests.post(base_url + url("2097-000001"), json=body, timeout=30,
                         headers={"Authorization": f"Bearer {token}"})


def test_served_for_real_a_refusal_keeps_its_audit_and_leaves_no_claim(committed_on_agenda,
                                                                       bearer_app, provider):
    engine, ids = committed_on_agenda
    token = fetch_token(provider, "notulen")
    with serve(bearer_app) as base_url:
        refused = _deliver(base_url, token, decision(body="gemeenteraad"))
        accepted = _deliver(base_url, token, decision())
        again = _deliver(base_url, token, decision())
    assert (refused.status_code, accepted.status_code, again.status_code) == (409, 200, 200)
    assert again.json() == accepted.json() and again.headers["Idempotent-Replayed"] == "true"
    with Session(engine) as session:
        assert session.get(Dossier, ids["dossier"]).state == "goedgekeurd"
        actions = session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_id == "2097-000001").order_by(AuditEvent.id)).all()
        # The decided state makes its decision letter (loket.letters) in the same step.
        assert actions == ["callback.refused", "dossier.transition", "letter.created",
                           "decision.recorded", "callback.accepted", "callback.duplicate"]
        assert session.scalar(select(func.count()).select_from(InboundCallback).where(
            InboundCallback.dossier_id == ids["dossier"])) == 1


@pytest.mark.postgresql
def test_two_deliveries_at_once_have_one_effect(committed_on_agenda, bearer_settings, provider):
    """Two connections post the same callback at the same moment. The first to claim it holds
    its transaction open (a slow step); the other waits on the unique key, then answers with
    the stored outcome."""
    engine, ids = committed_on_agenda
    app = main({}, **bearer_settings)
    steps = []

    def slow_step(event):
        steps.append(event.transition.name)
        time.sleep(0.5)  # the claim is held, uncommitted, while the other delivery arrives

    app.registry.registerHandler(slow_step, (BeforeTransition,))
    token = fetch_token(provider, "notulen")
    barrier = threading.Barrier(2, timeout=10)
    answers = []

    def deliver():
        barrier.wait()
        answers.append(_deliver(base_url, token, decision()))

    with serve(app) as base_url:
        threads = [threading.Thread(target=deliver) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    app.registry["db_engine"].dispose()

    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json() == answers[1].json()
    assert sorted(a.headers.get("Idempotent-Replayed", "") for a in answers) == ["", "true"]
    assert steps == ["goedkeuren"]  # the workflow step ran once
    with Session(engine) as session:
        dossier = session.get(Dossier, ids["dossier"])
        assert (dossier.state, dossier.version) == ("goedgekeurd", 2)
        assert len(session.scalars(select(HistoryEntry).where(
            HistoryEntry.dossier_id == ids["dossier"])).all()) == 1
        assert session.scalar(select(func.count()).select_from(InboundCallback).where(
            InboundCallback.dossier_id == ids["dossier"])) == 1
        actions = sorted(session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_id == "2097-000001")).all())
        assert actions == ["callback.accepted", "callback.duplicate", "decision.recorded",
                           "dossier.transition", "letter.created"]  # one decision letter
