"""The signing simulator checks what it receives against the documented fields, the client
tells refusals from outages, and the deliverer maps them onto the outbox (4xx: dead at once;
down: retried). Signature validation: a good file, a tampered one, an unknown root."""

import asyncio
import hashlib
from datetime import UTC, datetime

import pytest
import requests
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

from loket.demo import demo_pdf
from loket.documents.blobstore import BlobStore
from loket.integrations.acmidm.simulator import make_app as make_acmidm
from loket.integrations.signing import Platform, make_deliverer, pades
from loket.integrations.signing.client import (
    DigitaalOndertekenen,
    SigningRefused,
    SigningUnavailable,
    field_for,
)
from loket.integrations.signing.simulator import make_app as make_signing
from loket.integrations.simulators import Dispatcher
from loket.outbox import DeliveryContext, Message, PermanentFailure, TemporaryFailure
from loket.signing.validation import load_roots, validate
from tests.servers import serve

SETTINGS = {"loket.environment": "test"}
DEVELOPMENT_ROOTS = load_roots(SETTINGS)
UNTRUSTED_ROOTS = load_roots({"loket.signing.trust_roots":
                              "loket.integrations.signing:pki/untrusted-root.cert.pem"})


@pytest.fixture(scope="module")
def simulators(app_settings):
    settings = dict(app_settings)
    acmidm, signing = make_acmidm(settings), make_signing(settings)
    with serve(Dispatcher({"acmidm": acmidm, "ondertekenen": signing})) as url:
        settings["loket.acmidm.issuer"] = f"{url}/acmidm/op"
        yield url


def options(url, **changes):
    return {"base_url": f"{url}/ondertekenen", "web_url": f"{url}/ondertekenen/web",
            "token_url": f"{url}/acmidm/op/v1/token", "client_id": "loket-ondertekenen",
            "client_secret": "loket-ondertekenen-secret", "scope": "digitaalondertekenen",
            "profile_name": "loket", "timeout": 5.0, **changes}


@pytest.fixture
def client(simulators):
    requests.post(f"{simulators}/ondertekenen/_control", json={"reset": True}, timeout=5)
    return DigitaalOndertekenen(options(simulators))


def test_a_package_is_made_as_documented(client, simulators):
    package = client.create_package("2026-000001 Beslissing")
    document = client.upload(package, "beslissing.pdf", demo_pdf("Beslissing"))
    client.add_signatories(package, [{"email": "burgemeester@heidebeek.example",
                                      "name": "Luc Janssens", "order": 1}])
    client.add_field(package, document, 1, 1)
    client.start(package)
    workflow = client.workflow(package)
    assert workflow["package_status"] == "INPROGRESS"
    assert workflow["users"][0]["process_status"] == "UNPROCESSED"
    assert Platform(client, options(simulators)["web_url"]).progress(package) == {
        "status": "INPROGRESS", "signed": [], "declined": []}
    assert client.download(package, document).startswith(b"%PDF-")
    client.delete(package)
    client.delete(package)  # already gone: fine


@pytest.mark.parametrize("users", [
    [], [{"user_email": "geen-adres", "user_name": "X", "role": "SIGNER",
          "delivery_method": "EMAIL", "email_notification": False, "signing_order": 1}],
    [{"user_email": "a@b.be", "user_name": "X", "role": "BOSS", "delivery_method": "EMAIL",
      "email_notification": False, "signing_order": 0}],
])
def test_the_simulator_refuses_malformed_workflow_users(client, simulators, users):
    package = client.create_package("Pakket")
    response = requests.post(f"{simulators}/ondertekenen/v4/packages/{package}/workflow/users",
                             json=users, timeout=5,
                             headers={"Authorization": f"Bearer {client.bearer()}"})
    assert response.status_code == 400 and response.json()["problems"]


def test_the_simulator_refuses_malformed_fields_and_starts(client, simulators):
    package = client.create_package("Pakket")
    with pytest.raises(SigningRefused):  # no document, no signer yet
        client.start(package)
    document = client.upload(package, "brief.pdf", demo_pdf("Brief"))
    bad = {**field_for(1, 1), "level_of_assurance": ["EEN_KRABBEL"], "display": "ZICHTBAAR"}
    response = requests.post(
        f"{simulators}/ondertekenen/v4/packages/{package}/documents/{document}/fields/signature",
        json=bad, timeout=5, headers={"Authorization": f"Bearer {client.bearer()}"})
    assert len(response.json()["problems"]) == 2
    with pytest.raises(SigningRefused) as refused:
        client.upload(package, "brief.pdf", b"not a pdf")
    assert refused.value.status == 400


def test_authentication_needs_both_steps(simulators):
    wrong = DigitaalOndertekenen(options(simulators, client_secret="fout"))
    with pytest.raises(SigningUnavailable):  # ACM/IDM refuses the client: an outage to us
        wrong.create_package("Pakket")
    response = requests.post(f"{simulators}/ondertekenen/v4/packages", timeout=5,
                             json={"workflow_mode": "ONLY_OTHERS", "package_name": "x"})
    assert response.status_code == 401
    response = requests.post(f"{simulators}/ondertekenen/authenticate/single-sign-on",
                             timeout=5, json={"token": "geen.jwt", "method": "BASIC"})
    assert response.status_code == 400


def _message(payload):
    return Message(id=1, kind="signing.digitaal-ondertekenen", payload=payload,
                   idempotency_key="k", ordering_key=None, dossier_id=None, attempts=0,
                   created=datetime.now(UTC))


def test_the_deliverer_tells_refusals_from_outages(client, simulators, tmp_path):
    deliver = make_deliverer(Platform(client, "http://x"))
    blobs = BlobStore(tmp_path)
    context = DeliveryContext(settings={}, registry={"loket.blobstore": blobs}, http=None,
                              timeout=5, worker="t")
    submit = {"action": "submit", "signing_package": 1, "name": "Brief", "page": 1,
              "filename": "brief.pdf", "sha256": blobs.put(demo_pdf("Brief")),
              "signatories": [{"email": "geen-adres", "name": "Luc", "order": 1}]}
    with pytest.raises(PermanentFailure):  # the platform refuses the workflow users
        deliver(_message(submit), context)
    requests.post(f"{simulators}/ondertekenen/_control", json={"down": True}, timeout=5)
    with pytest.raises(TemporaryFailure):
        deliver(_message({"action": "withdraw", "package": "1"}), context)


@pytest.fixture(scope="module")
def signed(simulators):
    """A letter signed by the mayor and then the general director, time-stamped."""
    tsa = f"{simulators}/ondertekenen/pki/loket/tsa/tsa"
    data = demo_pdf("Beslissing")
    for order, label in ((1, "luc"), (2, "hilde")):
        data = pades.sign(data, pades.signer_for(label), field_for(order, 1), tsa)
    return data


def test_a_good_signature_validates(signed):
    reports = validate(signed, DEVELOPMENT_ROOTS)
    assert [(r.signer, r.function, r.level, r.valid, r.whole_document) for r in reports] == [
        ("Luc Janssens", "burgemeester", "PAdES B-T", True, True),
        ("Hilde Goossens", "algemeen directeur", "PAdES B-T", True, True)]
    assert all(r.signed_at is not None for r in reports)


def test_a_tampered_file_is_invalid(signed):
    tampered = bytearray(signed)
    at = signed.index(b"Beslissing")
    tampered[at] = ord("X")
    reports = validate(bytes(tampered), DEVELOPMENT_ROOTS)
    assert reports and not any(r.valid or r.intact for r in reports)


def test_a_change_appended_after_signing_is_not_the_whole_document(signed):
    from io import BytesIO

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0]
    stream = generic.StreamObject(stream_data=b"BT /F1 18 Tf 72 700 Td (Nul euro) Tj ET")
    page["/Contents"] = generic.ArrayObject([page.raw_get("/Contents"),
                                             writer.add_object(stream)])
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    reports = validate(out.getvalue(), DEVELOPMENT_ROOTS)
    assert reports and all(r.intact for r in reports)
    assert not any(r.valid or r.whole_document for r in reports)


def test_an_untrusted_root_is_not_valid(signed):
    reports = validate(signed, UNTRUSTED_ROOTS)
    assert reports and all(r.intact and not r.trusted and not r.valid for r in reports)
    assert validate(signed, []) and not any(r.valid for r in validate(signed, []))


def test_garbage_has_no_signatures():
    assert validate(b"%PDF-1.4 nonsense", DEVELOPMENT_ROOTS) == []
    assert validate(demo_pdf("Niet ondertekend"), DEVELOPMENT_ROOTS) == []


def test_the_time_stamping_authority_speaks_rfc_3161(simulators):
    url = f"{simulators}/ondertekenen/pki/loket/tsa/tsa"
    assert requests.post(url, data=b"junk", timeout=5, headers={
        "Content-Type": "application/timestamp-query"}).status_code == 400
    assert requests.post(url, data=b"junk", timeout=5).status_code == 415
    requests.post(f"{simulators}/ondertekenen/_control", json={"down": True}, timeout=5)
    stamper = RequestsHTTPTimeStamper(url)  # the platform down: its TSA is a service apart
    token = asyncio.run(stamper.async_timestamp(hashlib.sha256(b"brief").digest(), "sha256"))
    assert token["content"]["encap_content_info"]["content"].parsed[
        "message_imprint"]["hashed_message"].native == hashlib.sha256(b"brief").digest()
    requests.post(f"{simulators}/ondertekenen/_control", json={"reset": True}, timeout=5)
