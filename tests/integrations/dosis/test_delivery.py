"""Delivering ``dosis.push`` messages over real HTTP to the DOSIS simulator."""

import logging
import time
from dataclasses import replace

import pytest

from loket.integrations.dosis.client import upload_id
from loket.integrations.dosis.deliver import client_of, deliver
from loket.outbox import PermanentFailure, TemporaryFailure
from loket.workflow.engine import perform
from tests.integrations.dosis.conftest import BRON, JAN, actor, as_claimed, pushes


@pytest.fixture
def message(dosis_app, dbsession, premium):
    """The push of Jan's dossier declared admissible."""
    dossier, handler = premium
    perform(dosis_app.registry, dbsession, dossier, "ontvankelijk_verklaren", actor(handler),
            dossier.version)
    [row] = pushes(dbsession)
    return as_claimed(row)


def test_delivery_stores_the_status(dosis, context, message, caplog):
    with caplog.at_level(logging.DEBUG):
        deliver(message, context)
    number = message.payload["Identificatie"]["DossierNummer"]
    stored = dosis.app.stored(BRON, number)
    assert stored["UploadId"] == upload_id(message.idempotency_key)
    assert stored["Status"]["VlaamsCode"] == "Ontvankelijk"
    assert stored["Agenten"][0]["Identificatie"] == JAN
    assert JAN not in caplog.text
    # Result polling: DOSIS processed it.
    [result] = client_of(context.registry).results(BRON, number, context.http)
    assert result["Succes"] is True
    assert result["UploadId"] == stored["UploadId"]
    assert client_of(context.registry).failures(BRON, context.http) == []


def test_redelivery_is_one_upload(dosis, context, message):
    deliver(message, context)
    deliver(message, context)  # the worker crashed before marking it delivered
    number = message.payload["Identificatie"]["DossierNummer"]
    assert len(client_of(context.registry).results(BRON, number, context.http)) == 1
    dosis.control(duplicates="conflict")  # a DOSIS that answers 409 to a repeated UploadId
    deliver(message, context)


def test_an_older_status_never_overwrites_a_newer_one(dosis, context, dosis_app, dbsession,
                                                      premium):
    dossier, handler = premium
    perform(dosis_app.registry, dbsession, dossier, "ontvankelijk_verklaren", actor(handler),
            dossier.version)
    perform(dosis_app.registry, dbsession, dossier, "behandeling_starten", actor(handler),
            dossier.version)
    first, second = map(as_claimed, pushes(dbsession))
    assert first.payload["WijzigingsDatum"] <= second.payload["WijzigingsDatum"]
    deliver(second, context)
    deliver(first, context)
    assert dosis.app.stored(BRON, dossier.reference)["Status"]["VlaamsCode"] == "InBehandeling"


def test_invalid_payload_is_a_permanent_failure(dosis, context, message):
    message = replace(message, payload={**message.payload, "Status": {
        **message.payload["Status"], "VlaamsCode": "Bijna"}})
    with pytest.raises(PermanentFailure, match="Status.VlaamsCode"):
        deliver(message, context)
    number = message.payload["Identificatie"]["DossierNummer"]
    assert dosis.app.stored(BRON, number) is None
    [failure] = client_of(context.registry).failures(BRON, context.http)
    assert failure["Succes"] is False
    assert failure["Identificatie"]["DossierNummer"] == number


def test_refusal_message_never_repeats_the_national_register_number(dosis, context, message):
    message = replace(message, payload={**message.payload, "Agenten": [
        {"Identificatie": JAN[:-1] + "0", "Toegangsrechten": [{"Code": "Raadpleger"}]}]})
    with pytest.raises(PermanentFailure) as refused:
        deliver(message, context)
    assert "Agenten[0].Identificatie" in str(refused.value)
    assert JAN[:-1] not in str(refused.value)


def test_simulator_down_is_a_temporary_failure(dosis, context, message):
    dosis.control(down=True)
    with pytest.raises(TemporaryFailure, match="503"):
        deliver(message, context)
    dosis.control(down=False)
    deliver(message, context)  # the retry succeeds
    assert dosis.app.stored(BRON, message.payload["Identificatie"]["DossierNummer"])


def test_server_error_is_a_temporary_failure(dosis, context, message):
    dosis.control(http_500=True)
    with pytest.raises(TemporaryFailure, match="500"):
        deliver(message, context)


def test_throttling_is_temporary_with_the_wait_dosis_asks(dosis, context, message):
    dosis.control(throttle=30)
    with pytest.raises(TemporaryFailure, match="429") as throttled:
        deliver(message, context)
    assert throttled.value.retry_after == 30


def test_timeout_is_a_temporary_failure(dosis, context, message):
    client_of(context.registry).token(context.http)  # the token comes quickly…
    dosis.control(slow=6)  # …the upload does not (the plug-in waits 1 s)
    start = time.monotonic()
    with pytest.raises(TemporaryFailure, match="in time"):
        deliver(message, context)
    # Not a speed target: the plug-in gave up long before the 6 s answer (wide margin).
    assert time.monotonic() - start < 5


def test_unreadable_answer_is_temporary_and_the_retry_is_the_same_upload(dosis, context,
                                                                        message):
    dosis.control(malformed=True)
    with pytest.raises(TemporaryFailure, match="unexpected answer|unreadable"):
        deliver(message, context)
    dosis.control(malformed=False)
    deliver(message, context)
    number = message.payload["Identificatie"]["DossierNummer"]
    assert len(client_of(context.registry).results(BRON, number, context.http)) == 1


def test_token_is_reused_until_it_expires(dosis, context, message):
    client = client_of(context.registry)
    client.forget_token(client.token(context.http))
    before = dosis.counters().get("token", 0)
    deliver(message, context)
    deliver(message, context)
    client.results(BRON, message.payload["Identificatie"]["DossierNummer"], context.http)
    assert dosis.counters()["token"] == before + 1


def test_expired_token_is_renewed(dosis, context, message):
    client = client_of(context.registry)
    dosis.control(token_ttl=2)
    client.forget_token(client.token(context.http))
    first = client.token(context.http)
    time.sleep(1.1)  # a 2 s token is renewed after half its life
    assert client.token(context.http) != first
    deliver(message, context)


def test_refused_token_is_refreshed_once_then_retried(dosis, context, message):
    client = client_of(context.registry)
    client.token(context.http)
    before = dosis.counters().get("token", 0)
    dosis.control(revoke_tokens=True)  # DOSIS forgot our token: the next call gets 401
    deliver(message, context)
    assert dosis.counters()["token"] == before + 1
    assert dosis.app.stored(BRON, message.payload["Identificatie"]["DossierNummer"])


def test_unknown_client_is_a_permanent_failure(dosis, context, message):
    client = client_of(context.registry)
    original = client.client_id
    client.forget_token(client.token(context.http))
    client.client_id = "onbekende-client"
    try:
        with pytest.raises(PermanentFailure, match="invalid_client"):
            deliver(message, context)
    finally:
        client.client_id = original


@pytest.mark.parametrize(("path", "stored"), [
    ("/api/v1/dosis/dossiers", True),  # the reference connector's older path
    ("/api/v2/dossiers", False),  # its newer one: not where the DOSIS API page puts it
])
def test_the_upload_path_is_a_setting(dosis, context, message, path, stored):
    client = client_of(context.registry)
    default = client.upload_path
    assert default == "/api/v2/dosis/dossiers"
    client.upload_path = path
    try:
        if stored:
            deliver(message, context)
        else:
            with pytest.raises(PermanentFailure, match="HTTP 404|NIET_GEVONDEN"):
                deliver(message, context)
    finally:
        client.upload_path = default
    number = message.payload["Identificatie"]["DossierNummer"]
    assert (dosis.app.stored(BRON, number) is not None) is stored
