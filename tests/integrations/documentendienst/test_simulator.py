"""The Documentendienst client against its simulator over HTTP, both after the service's
definition (schema/documentendienst.yaml): what the service accepts and what it refuses."""

import json

import pytest
import requests

from loket.integrations.documentendienst.client import MAX_BYTES, DocumentendienstClient
from loket.integrations.documentendienst.simulator import schema, validator
from loket.plugins.kinds import InvalidInput, SourceUnavailable
from loket.sending.outgoing import Address, Attachment, Outgoing
from tests.fixtures.documentendienst import SECRET, delivery_options
from tests.fixtures.magda import JAN, SOFIE

PDF = b"%PDF-1.4\n% a letter\n%%EOF\n"


def message(channel="ebox", insz=JAN, files=1, data=PDF, **kw) -> Outgoing:
    return Outgoing(reference="2026-000001/1/1", channel=channel, insz=insz, name="Sofie Claes",
                    subject="Beslissing", language="nl",
                    attachments=tuple(Attachment(f"brief{n}.pdf", data) for n in range(files)),
                    address=Address("Kerkstraat", "12", "9000", "Gent") if channel == "paper"
                    else None, **kw)


@pytest.fixture
def client(docdienst):
    return DocumentendienstClient(delivery_options(docdienst.url))


def test_what_the_client_sends_is_what_the_definition_describes(client):
    check = validator("MessageToPublish", schema())
    for outgoing in (message(), message("paper", SOFIE, registered=True)):
        assert not list(check.iter_errors(client.message_to_publish(outgoing)))


def test_an_ebox_letter_is_delivered_then_read(client, docdienst):
    message_id = client.publish(message(), "key-1")
    report = client.status(message_id, "ebox")
    assert report.status == "read"
    assert [e.status for e in report.events] == ["accepted", "delivered", "read"]
    assert report.barcode is None and not report.proof_available


def test_registered_paper_is_printed_handed_to_bpost_delivered_with_a_deposit_proof(client):
    message_id = client.publish(message("paper", SOFIE, registered=True), "key-2")
    report = client.status(message_id, "paper")
    assert [e.status for e in report.events] == ["accepted", "printed", "at_bpost",
                                                 "delivered"]
    assert report.barcode.startswith("JJBEA") and report.proof_available
    assert client.attestation(message_id).startswith(b"%PDF-")


@pytest.mark.parametrize("outcome, reason", [("address_unknown", "address_unknown"),
                                             ("refused", "refused")])
def test_paper_can_come_back(client, docdienst, outcome, reason):
    docdienst.control(paper_outcome=outcome)
    report = client.status(client.publish(message("paper", SOFIE), "key-3"), "paper")
    assert (report.status, report.return_reason) == ("returned", reason)


def test_a_message_moves_on_with_time(client, docdienst):
    docdienst.control(pace=30)
    report = client.status(client.publish(message("paper", SOFIE), "key-4"), "paper")
    assert report.status == "accepted" and report.barcode is None


def test_the_same_key_with_the_same_message_is_the_same_message(client, docdienst):
    first = client.publish(message(), "key-5")
    assert client.publish(message(), "key-5") == first
    assert docdienst.state()["counters"]["published"] == 1


def test_the_same_key_with_another_message_is_a_conflict(client):
    client.publish(message(), "key-6")
    with pytest.raises(InvalidInput, match="409 IDEMPOTENCY_CONFLICT"):
        client.publish(message(data=PDF + b"other"), "key-6")


def test_the_ebox_without_consent_is_refused(client):
    with pytest.raises(InvalidInput, match="NO_EBOX_CONSENT"):
        client.publish(message(insz=SOFIE), "key-7")


def test_limits_are_checked_before_sending(client, docdienst):
    with pytest.raises(InvalidInput, match="1 to 6 PDFs"):
        client.publish(message(files=7), "key-8")
    with pytest.raises(InvalidInput, match="30 MB"):
        client.publish(message(data=PDF + b"x" * MAX_BYTES), "key-9")
    assert docdienst.state()["counters"]["published"] == 0


def post(docdienst, token, files, **headers):
    return requests.post(docdienst.url + "/api/v1/messages/messages", files=files, timeout=5,
                         headers={"Authorization": f"Bearer {token}",
                                  "x-correlation-id": "test-123", "Idempotency-Key": "k",
                                  **headers})


def body(client, outgoing):
    return json.dumps(client.message_to_publish(outgoing))


def test_the_simulator_enforces_its_limits_and_the_schema(client, docdienst):
    token = client.token()
    parts = [("messageToPublish", (None, json.dumps({
        **client.message_to_publish(message()),
        "attachments": [{"httpPartName": f"upfile{n}", "mainContent": n == 1,
                         "attachmentSigned": False} for n in range(1, 8)]}),
        "application/json"))]
    parts += [(f"upfile{n}", (f"b{n}.pdf", PDF, "application/pdf")) for n in range(1, 8)]
    answer = post(docdienst, token, parts)
    assert answer.status_code == 400  # seven attachments: the schema allows six
    not_pdf = [("messageToPublish", (None, body(client, message()), "application/json")),
               ("upfile1", ("brief.pdf", b"GIF89a", "application/pdf"))]
    assert post(docdienst, token, not_pdf).json()["code"] == "NOT_A_PDF"
    bad = [("messageToPublish", (None, json.dumps({"recipient": {}}), "application/json")),
           ("upfile1", ("brief.pdf", PDF, "application/pdf"))]
    assert post(docdienst, token, bad).json()["code"] == "INVALID_MESSAGE"
    good = [("messageToPublish", (None, body(client, message()), "application/json")),
            ("upfile1", ("brief.pdf", PDF, "application/pdf"))]
    assert post(docdienst, token, good, **{"x-correlation-id": "x"}).status_code == 400
    assert post(docdienst, "forged", good).status_code == 401
    assert post(docdienst, token, good).status_code == 201


def test_the_token_needs_the_scope(docdienst):
    answer = requests.post(docdienst.url + "/token", auth=("loket", SECRET), timeout=5,
                           data={"grant_type": "client_credentials", "scope": "other"})
    assert answer.status_code == 400
    wrong = requests.post(docdienst.url + "/token", auth=("loket", "wrong"), timeout=5,
                          data={"grant_type": "client_credentials", "scope": "msg_msg_v1_G"})
    assert wrong.status_code == 401


def test_consents_come_in_one_lookup(client, docdienst):
    assert client.consents([JAN, SOFIE]) == {JAN: True, SOFIE: False}
    docdienst.control(consent={SOFIE: True})
    assert client.consents([SOFIE]) == {SOFIE: True}


def test_down_is_unavailable_not_refused(client, docdienst):
    client.token()
    docdienst.control(down=True)
    with pytest.raises(SourceUnavailable):
        client.publish(message(), "key-10")
    with pytest.raises(SourceUnavailable):
        client.consents([JAN])
