"""Advice as JSON: list, create, waive (sessions with CSRF), and the answer callback's refusals
(unknown, closed, second answer, another client, malformed) with a real ACM/IDM token."""

import json

import pytest
import requests
from sqlalchemy import select

from loket.advice.external import ExternalService
from loket.advice.models import AdviceRequest
from loket.callbacks.models import InboundCallback
from loket.plugins.registry import IMPLEMENTATIONS_KEY, Kind
from tests.advice.conftest import Scene, says
from tests.api import test_tokens
from tests.api.test_tokens import bearer, fetch_token
from tests.conftest import csrf_token

api_provider = test_tokens.api_provider
provider = test_tokens.provider
bearer_settings = test_tokens.bearer_settings
bearer_app = test_tokens.bearer_app
api = test_tokens.api

SERVICE = ExternalService(code="fod-test", title="FOD Test", client_id="fod-advies",
                          outbox_kind="advice.api")


def post_json(app, url, body, headers=None, status=200):
    return app.post(url, json.dumps(body).encode(), status=status,
                    headers={"Content-Type": "application/json", **(headers or {})})


# ---------------------------------------------------------------------------------------------
# Session clients


def test_handler_creates_lists_and_waives_by_json(testapp, login, scene: Scene, dbsession):
    login(scene.handler)
    token = {"X-CSRF-Token": csrf_token(testapp)}
    base = f"/api/v1/dossiers/{scene.dossier.reference}/adviezen"
    created = post_json(testapp, base, {
        "channel": "internal", "team": scene.advice_team.code, "question": "Klopt het inkomen?",
        "shared": {"fields": ["inkomen"], "documents": [scene.shared_doc.number]}},
        token, status=201)
    assert created.json["status"] == "requested" and created.json["team"]["code"] == \
        scene.advice_team.code
    assert created.headers["Location"].endswith(f"{base}/1")
    listed = testapp.get(base).json
    assert [a["number"] for a in listed["items"]] == [1]
    refused = post_json(testapp, base + "/1/afzien", {"reason": "   "}, token, status=400)
    assert refused.json["error"]["status"] == 400
    assert testapp.get(base + "/1").json["status"] == "requested"
    post_json(testapp, base + "/1/afzien", {}, token, status=400)  # reason missing
    waived = post_json(testapp, base + "/1/afzien", {"reason": "Niet meer nodig."}, token)
    assert waived.json["status"] == "waived"
    post_json(testapp, base + "/1/afzien", {"reason": "Nog eens."}, token, status=409)


def test_create_refuses_bad_input(testapp, login, scene: Scene, dbsession):
    login(scene.handler)
    token = {"X-CSRF-Token": csrf_token(testapp)}
    base = f"/api/v1/dossiers/{scene.dossier.reference}/adviezen"
    post_json(testapp, base, {"channel": "internal", "team": "bestaat-niet",
                              "question": "?"}, token, status=400)
    post_json(testapp, base, {"channel": "api", "service": "onbekend", "question": "?"},
              token, status=400)
    post_json(testapp, base, {"channel": "internal", "team": scene.advice_team.code,
                              "question": "?", "shared": {"fields": ["bestaat_niet"]}},
              token, status=400)
    post_json(testapp, base, {"channel": "internal", "team": scene.advice_team.code,
                              "question": "?", "due": "2000-01-01"}, token, status=400)
    assert dbsession.scalars(select(AdviceRequest)).all() == []


# ---------------------------------------------------------------------------------------------
# The callback


@pytest.fixture
def external(api_provider, bearer_app, monkeypatch):
    """The bearer app's advice plug-in is this service (ACM/IDM's simulator knows its client,
    fod-advies)."""
    chosen = dict(bearer_app.registry.get(IMPLEMENTATIONS_KEY, {}), **{Kind.ADVICE: [SERVICE]})
    monkeypatch.setitem(bearer_app.registry, IMPLEMENTATIONS_KEY, chosen)


@pytest.fixture
def sent(scene: Scene, dbsession, external):
    advice = AdviceRequest(dossier_id=scene.dossier.id, number=1, channel="api",
                           service=SERVICE.code, question="Statuut?", due=scene.dossier.created
                           .date().replace(year=2099), shared={})
    dbsession.add(advice)
    dbsession.flush()
    return advice


def advice_token(provider) -> dict:
    response = requests.post(provider.issuer + "/v1/token", timeout=5,
                             data={"grant_type": "client_credentials"},
                             auth=("fod-advies", "fod-advies-secret"))
    assert response.status_code == 200, response.text
    return bearer(response.json()["access_token"])


def callback_url(advice) -> str:
    return f"/api/v1/dossiers/{advice.dossier.reference}/adviezen/{advice.number}/antwoord"


def test_callback_answers_once_and_replays(api, provider, sent, dbsession):
    headers = advice_token(provider)
    body = {"callback_id": "c-1", "opinion": "favourable", "external_id": "FOD-1"}
    first = post_json(api, callback_url(sent), body, headers)
    assert first.json["result"] == "accepted"
    dbsession.refresh(sent)
    assert (sent.status, sent.opinion, sent.external_id) == ("answered", "favourable", "FOD-1")
    again = post_json(api, callback_url(sent), body, headers)
    assert again.headers["Idempotent-Replayed"] == "true" and again.json == first.json
    other = post_json(api, callback_url(sent), {**body, "opinion": "unfavourable",
                                                "text": "Toch niet."}, headers, status=422)
    assert other.json["error"]["status"] == 422
    second = post_json(api, callback_url(sent), {"callback_id": "c-2", "opinion":
                                                 "unfavourable", "text": "Nee."}, headers,
                       status=409)
    assert says(second.json["error"]["message"], "al beantwoord", "already answered")
    dbsession.refresh(sent)
    assert sent.opinion == "favourable"
    assert len(dbsession.scalars(select(InboundCallback)).all()) == 1


def test_callback_refusals_change_nothing(api, provider, sent, dbsession):
    headers = advice_token(provider)
    ref = sent.dossier.reference
    # Unknown request.
    post_json(api, f"/api/v1/dossiers/{ref}/adviezen/99/antwoord",
              {"callback_id": "u", "opinion": "favourable"}, headers, status=404)
    # Unfavourable without an explanation.
    post_json(api, callback_url(sent), {"callback_id": "t", "opinion": "unfavourable"},
              headers, status=400)
    # Malformed.
    post_json(api, callback_url(sent), {"callback_id": "m", "opinion": "misschien"}, headers,
              status=400)
    # Another client with the scope missing; a session-less call without a token.
    post_json(api, callback_url(sent), {"callback_id": "n", "opinion": "favourable"},
              bearer(fetch_token(provider, "notulen")), status=403)
    # Waived first: closed.
    sent.status = "waived"
    dbsession.flush()
    post_json(api, callback_url(sent), {"callback_id": "w", "opinion": "favourable"},
              headers, status=409)
    dbsession.refresh(sent)
    assert (sent.status, sent.opinion) == ("waived", None)
    assert dbsession.scalars(select(InboundCallback)).all() == []


def test_callback_for_an_internal_request_is_not_found(api, provider, sent, dbsession):
    sent.channel, sent.service = "internal", None
    dbsession.flush()
    post_json(api, callback_url(sent), {"callback_id": "i", "opinion": "favourable"},
              advice_token(provider), status=404)
    dbsession.refresh(sent)
    assert sent.status == "requested"
