"""The minutes software's ``besluit`` callback records the decision on the agenda item with
the meeting screen's code: outcomes, amendments and votes; one decision on a repeat; 409 for
a dossier on no agenda or an item already decided otherwise, audited, nothing changed."""

import json
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from loket.audit.models import AuditEvent
from loket.decisions.models import AgendaItem, Decision
from tests.api import test_tokens
from tests.api.test_tokens import bearer, fetch_token
from tests.decisions.conftest import on_agenda

api_provider = test_tokens.api_provider
provider = test_tokens.provider
bearer_settings = test_tokens.bearer_settings
bearer_app = test_tokens.bearer_app
api = test_tokens.api

TODAY = datetime.now(ZoneInfo("Europe/Brussels")).date().isoformat()


@pytest.fixture
def notulen(provider):
    return bearer(fetch_token(provider, "notulen"))


@pytest.fixture
def item(factories, dbsession, held_meeting):
    return on_agenda(factories, dbsession, held_meeting, amount=Decimal("250.00"))


def post(api, item, headers, status=200, **changes):
    body = {"callback_id": f"cb-{item.id}", "agenda_item": item.id, "outcome": "approved",
            "decided_on": TODAY, "body": "college", "reference": "CBS/2026/7"}
    body.update(changes)
    return api.post(f"/api/v1/dossiers/{item.dossier.reference}/callbacks/besluit",
                    json.dumps(body).encode(), status=status,
                    headers={"Content-Type": "application/json", **headers})


def decisions(dbsession, dossier) -> list[Decision]:
    dbsession.flush()
    return list(dbsession.scalars(select(Decision).where(Decision.dossier_id == dossier.id)))


def refusals(dbsession) -> list[AuditEvent]:
    dbsession.flush()
    return list(dbsession.scalars(select(AuditEvent).where(
        AuditEvent.action == "callback.refused")))


def test_an_amended_decision_with_votes_is_recorded_on_the_item(api, notulen, item, dbsession):
    response = post(api, item, notulen, outcome="amended", amount="275,00",
                    articles=["De premie van 275 euro wordt toegekend."],
                    votes={"for": 5, "against": 1, "abstaining": 0},
                    publication_uri="https://notulen.example.be/besluiten/7")
    assert (response.json["outcome"], response.json["state"]) == ("amended", "goedgekeurd")
    [decision] = decisions(dbsession, item.dossier)
    assert (decision.agenda_item_id, decision.outcome, decision.amended, decision.amount) == \
        (item.id, "approved", True, Decimal("275.00"))
    assert (decision.votes_for, decision.votes_against, decision.votes_abstaining) == (5, 1, 0)
    assert "Artikel 1. De premie van 275 euro" in decision.final_text
    assert decision.publication_uri == "https://notulen.example.be/besluiten/7"
    assert item.status == "amended" and item.meeting.status == "held"


def test_a_repeat_under_another_id_gives_one_decision(api, notulen, item, dbsession):
    post(api, item, notulen)
    again = post(api, item, notulen, callback_id="cb-again")
    assert (again.json["outcome"], again.json["state"]) == ("approved", "goedgekeurd")
    assert len(decisions(dbsession, item.dossier)) == 1


def test_another_outcome_for_a_decided_item_is_409_audited(api, notulen, item, dbsession):
    post(api, item, notulen)
    version = item.dossier.version
    response = post(api, item, notulen, status=409, callback_id="cb-other", outcome="refused",
                    motivation="Toch niet.")
    assert "Over dit agendapunt is al beslist" in response.json["error"]["message"]
    dbsession.expire_all()
    assert (item.dossier.state, item.dossier.version) == ("goedgekeurd", version)
    [decision] = decisions(dbsession, item.dossier)
    assert decision.outcome == "approved"
    [event] = refusals(dbsession)
    assert event.details["reason"] == "already_decided"


def test_an_item_on_no_agenda_is_409_audited(api, notulen, item, factories, dbsession):
    stranger = factories.dossier(state="geagendeerd")  # on no meeting's agenda
    url = f"/api/v1/dossiers/{stranger.reference}/callbacks/besluit"
    for n, named in enumerate((None, item.id, 999999)):  # none, another dossier's, unknown
        body = {"callback_id": f"cb-stranger-{n}", "outcome": "approved", "decided_on": TODAY,
                "body": "college", "reference": "CBS/2026/8"}
        if named is not None:
            body["agenda_item"] = named
        response = api.post(url, json.dumps(body).encode(), status=409,
                            headers={"Content-Type": "application/json", **notulen})
        assert "op de agenda van geen enkele zitting" in response.json["error"]["message"]
    dbsession.expire_all()
    assert stranger.state == "geagendeerd" and decisions(dbsession, stranger) == []
    assert item.status == "proposed"
    assert [e.details["reason"] for e in refusals(dbsession)] == ["not_on_agenda"] * 3


def test_withdrawn_returns_the_dossier_and_refused_keeps_the_motivation(
        api, notulen, factories, dbsession, held_meeting):
    withdrawn = on_agenda(factories, dbsession, held_meeting)
    refused = on_agenda(factories, dbsession, held_meeting)
    post(api, withdrawn, notulen, outcome="withdrawn")
    post(api, refused, notulen, outcome="refused", motivation="Het inkomen is te hoog.")
    dbsession.expire_all()
    assert withdrawn.dossier.state != "geagendeerd" and decisions(dbsession,
                                                                  withdrawn.dossier) == []
    [decision] = decisions(dbsession, refused.dossier)
    assert decision.outcome == "refused" and "Het inkomen is te hoog." in decision.final_text


def test_an_empty_amendment_is_refused_and_changes_nothing(api, notulen, item, dbsession):
    response = post(api, item, notulen, status=409, outcome="amended")
    assert response.json["error"]["status"] == 409
    dbsession.expire_all()
    assert item.status == "proposed" and item.dossier.state == "geagendeerd"
    assert decisions(dbsession, item.dossier) == []
    assert dbsession.scalar(select(AgendaItem.status).where(AgendaItem.id == item.id)) == \
        "proposed"
