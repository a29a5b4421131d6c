"""``http.post`` against a real receiver: which answers are delivered, temporary, permanent."""

import pytest

from loket.db import utcnow
from loket.outbox import HTTP_POST, Message
from tests.fixtures.outbox import free_port


def message(payload, key="k" * 32) -> Message:
    return Message(id=1, kind=HTTP_POST, payload=payload, idempotency_key=key,
                   ordering_key=None, dossier_id=None, attempts=0, created=utcnow())


@pytest.mark.parametrize("status", [200, 201, 202, 204])
def test_2xx_is_delivered(receiver, relay, status):
    receiver.status = status
    outcome = relay.deliver(message({"url": receiver.url, "json": {"a": 1}}, key="abc"))
    assert outcome.delivered
    [request] = receiver.received
    assert (request["key"], request["json"], request["path"]) == ("abc", {"a": 1}, "/hook")


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_timeouts_throttling_and_5xx_are_temporary(receiver, relay, status):
    receiver.status = status
    outcome = relay.deliver(message({"url": receiver.url, "json": {}}))
    assert not outcome.delivered and not outcome.permanent
    assert outcome.error == f"HTTP {status}"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 410, 422, 301, 302])
def test_other_answers_are_permanent(receiver, relay, status):
    receiver.status = status
    outcome = relay.deliver(message({"url": receiver.url, "json": {}}))
    assert (outcome.delivered, outcome.permanent, outcome.error) == (
        False, True, f"HTTP {status}")
    assert len(receiver.received) == 1  # a redirect is not followed


def test_retry_after_in_seconds_is_passed_on(receiver, relay):
    receiver.status, receiver.retry_after = 503, 30
    assert relay.deliver(message({"url": receiver.url})).retry_after == 30.0
    receiver.retry_after = "Wed, 21 Oct 2026 07:28:00 GMT"
    assert relay.deliver(message({"url": receiver.url})).retry_after is None


@pytest.mark.parametrize("payload", [{}, {"url": "ftp://x/"}, {"url": 42},
                                     {"url": "file:///etc/passwd"}])
def test_a_payload_without_an_http_url_is_permanent(relay, payload):
    outcome = relay.deliver(message(payload))
    assert outcome.permanent and "no http(s) url" in outcome.error


def test_a_closed_port_is_temporary(relay):
    outcome = relay.deliver(message({"url": f"http://127.0.0.1:{free_port()}/"}))
    assert not outcome.permanent and outcome.error == "connection failed (ConnectionError)"


def test_the_payload_cannot_replace_the_idempotency_key(receiver, relay):
    relay.deliver(message({"url": receiver.url, "headers": {"idempotency-key": "mine"}},
                          key="ours"))
    assert receiver.received[0]["key"] == "ours"
