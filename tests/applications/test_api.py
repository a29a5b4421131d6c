"""Applications over the JSON API: start, answers, attachment, submission (idempotent), for the
citizen's session and for an integrator holding the citizen's ACM/IDM access token. Every
response is validated against the OpenAPI document (ValidatingTestApp)."""

import re
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
import requests
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from bs4 import BeautifulSoup
from sqlalchemy import select

from loket.audit.models import AuditEvent
from loket.demo import demo_pdf
from loket.dossiers.models import Dossier
from loket.i18n import LOCALE_COOKIE
from loket.integrations.acmidm.personas import BY_KEY
from loket.integrations.acmidm.simulator import API_CLIENTS
from tests.api import test_tokens
from tests.api.test_tokens import bearer
from tests.applications.conftest import TYPE
from tests.conftest import csrf_token
from tests.fixtures.letters import render_waiting_letters
from tests.fixtures.magda import JAN
from tests.identity.conftest import TIMEOUT

START = f"/api/v1/catalogus/{TYPE}/aanvragen"
ME = {"voornaam": "Jan", "familienaam": "Peeters",
      "adres": {"street": "Kerkstraat", "number": "1", "box": "", "postcode": "2999",
                "municipality": "Heidebeek"}}
GOOD = {
    "email": "jan@example.org", "brandstof": "gasolie",
    "leveringsdatum": (date.today() - timedelta(days=10)).isoformat(),
    "liters": 1000, "factuurbedrag": "1234.56", "appartement": False,
    "iban": "BE71 0961 2345 6769", "rekeninghouder": "Jan Peeters",
}


@pytest.fixture
def csrf(testapp, jan):
    return {"X-CSRF-Token": csrf_token(testapp)}


def started(testapp, csrf, status=201):
    return testapp.post(START, headers=csrf, status=status)


def reference_of(response) -> str:
    return response.json["reference"]


def dossier(dbsession, reference) -> Dossier:
    found = dbsession.scalars(select(Dossier).where(Dossier.reference == reference)).one()
    dbsession.refresh(found)
    return found


def test_start_returns_the_draft_with_its_form_and_location(testapp, csrf, magda_on):
    response = started(testapp, csrf)
    body = response.json
    assert response.headers["Location"] == body["links"]["self"]
    assert body["links"]["self"].endswith(f"/api/v1/dossiers/{body['reference']}/aanvraag")
    assert body["state"] == "concept" and body["submitted"] is None
    names = [f["name"] for step in body["form"]["steps"] for f in step["fields"]]
    assert {"voornaam", "email", "brandstof", "iban"} <= set(names)
    assert "factuur" in [d["code"] for d in body["form"]["documents"]]
    assert "voornaam" in body["prefilled"] and body["answers"]["voornaam"] == "Jan"
    assert {m["field"] for m in body["missing"] if m["field"]} >= {"email", "brandstof"}
    # Pressing twice, or a second app: the same draft, no second dossier.
    again = started(testapp, csrf, status=200)
    assert reference_of(again) == body["reference"]


def test_start_needs_a_login_and_the_types_means(testapp, jan, login_as, factories):
    testapp.post(START, status=400)  # a session without a CSRF token
    login_as(jan, acr="urn:be:vlaanderen:authmech:csamsms")
    testapp.set_cookie(LOCALE_COOKIE, "en")
    response = testapp.post(START, headers={"X-CSRF-Token": csrf_token(testapp)}, status=403)
    assert "eID with a card reader or itsme" in response.json["error"]["message"]
    testapp.post("/api/v1/catalogus/bestaat-niet/aanvragen",
                 headers={"X-CSRF-Token": csrf_token(testapp)}, status=404)


def test_bad_answers_are_listed_per_field_and_nothing_is_saved(testapp, csrf, dbsession):
    reference = reference_of(started(testapp, csrf))
    url = f"/api/v1/dossiers/{reference}/aanvraag"
    # A step is checked whole (with what was saved before), as the form checks it.
    partial = testapp.put_json(url, {"answers": {"email": "jan@example.org"}}, headers=csrf,
                               status=400)
    assert {d["name"] for d in partial.json["error"]["details"]} == {
        "answers.voornaam", "answers.familienaam", "answers.adres"}
    testapp.put_json(url, {"answers": {**ME, "email": "jan@example.org"}}, headers=csrf)
    before = dict(dossier(dbsession, reference).data)
    testapp.set_cookie(LOCALE_COOKIE, "en")
    response = testapp.put_json(url, {"answers": {
        "email": "geen e-mail", "leveringsdatum": "gisteren", "brandstof": "hout",
        "iban": "BE00 0000 0000 0000", "onbekend": "x"}}, headers=csrf, status=400)
    details = {d["name"]: d["message"] for d in response.json["error"]["details"]}
    assert {"answers.email", "answers.leveringsdatum", "answers.brandstof", "answers.iban",
            "answers.onbekend"} <= set(details)
    assert "answers.liters" in details  # required in a step that was sent, and missing
    assert all(details.values())
    assert dossier(dbsession, reference).data == before
    bad = testapp.put_json(url, ["not", "an", "object"], headers=csrf, status=400)
    assert bad.json["error"]["details"][0]["name"] == "answers"


def test_a_prefilled_read_only_answer_keeps_the_registers_value(testapp, csrf, dbsession,
                                                                 magda_on):
    reference = reference_of(started(testapp, csrf))
    testapp.put_json(f"/api/v1/dossiers/{reference}/aanvraag",
                     {"answers": {"voornaam": "Iemand anders", "email": "jan@example.org"}},
                     headers=csrf)
    assert dossier(dbsession, reference).data["voornaam"] == "Jan"


def test_the_whole_application_is_submitted_once(app, testapp, csrf, dbsession):
    reference = reference_of(started(testapp, csrf))
    base = f"/api/v1/dossiers/{reference}"
    incomplete = testapp.post(f"{base}/indienen", headers=csrf, status=400)
    assert "factuur" in {d["name"] for d in incomplete.json["error"]["details"]}

    testapp.put_json(f"{base}/aanvraag", {"answers": {**GOOD, **ME}}, headers=csrf)
    disguised = testapp.post(f"{base}/bijlagen/factuur", headers=csrf, status=400,
                             upload_files=[("bestand", "factuur.pdf", b"MZ\x90\x00 no pdf")])
    assert disguised.json["error"]["details"][0]["name"] == "bestand"
    testapp.post(f"{base}/bijlagen/bestaat-niet", headers=csrf, status=404,
                 upload_files=[("bestand", "f.pdf", demo_pdf("Factuur"))])
    attached = testapp.post(f"{base}/bijlagen/factuur", headers=csrf, status=201,
                            upload_files=[("bestand", "factuur.pdf", demo_pdf("Factuur"))])
    assert [a["code"] for a in attached.json["attachments"]] == ["factuur"]

    first = testapp.post(f"{base}/indienen", headers=csrf)
    assert first.json["state"] == "ingediend" and first.json["submitted"]
    assert first.json["links"]["receipt"] is None  # the worker renders it
    second = testapp.post(f"{base}/indienen", headers=csrf)
    assert second.json == first.json
    render_waiting_letters(app, dbsession)
    first = testapp.post(f"{base}/indienen", headers=csrf)
    assert first.json["links"]["receipt"]
    # Submitted: the answers can no longer be changed.
    testapp.put_json(f"{base}/aanvraag", {"answers": {"email": "x@example.org"}},
                     headers=csrf, status=403)
    receipt = testapp.get(first.json["links"]["receipt"].replace("http://localhost", ""))
    assert receipt.body.startswith(b"%PDF")
    assert testapp.get(base).json["state"] == "ingediend"  # the status, as for any dossier
    testapp.get(f"{base}/workflow")


def test_someone_elses_application_is_not_found(testapp, csrf, factories, login_as):
    reference = reference_of(started(testapp, csrf))
    login_as(factories.citizen("Sofie", "Claes"))
    other = {"X-CSRF-Token": csrf_token(testapp)}
    testapp.get(f"/api/v1/dossiers/{reference}/aanvraag", status=404)
    testapp.put_json(f"/api/v1/dossiers/{reference}/aanvraag", {"answers": {}},
                     headers=other, status=404)
    testapp.post(f"/api/v1/dossiers/{reference}/indienen", headers=other, status=404)


# --- an integrator with the citizen's token -------------------------------------------------

# Fixtures shared with tests/api/test_tokens.py: the ACM/IDM simulator over HTTP (``provider``,
# reset after each test) and a validating client of a Loket trusting it (``api``).
api_provider = test_tokens.api_provider
provider = test_tokens.provider
bearer_settings = test_tokens.bearer_settings
bearer_app = test_tokens.bearer_app
api = test_tokens.api


REDIRECT = "http://localhost:8080/aanmelden-terug"
VERIFIER = "w" * 60


def citizen_token(provider, persona="jan", client="gemeentesite",
                  scope="openid profile rrn loket.aanvragen", means=None) -> str:
    """The authorization code flow of an integrator at the ACM/IDM simulator (PKCE S256)."""
    query = urlencode({"client_id": client, "redirect_uri": REDIRECT, "response_type": "code",
                       "scope": scope, "state": "s", "nonce": "n",
                       "code_challenge": create_s256_code_challenge(VERIFIER),
                       "code_challenge_method": "S256"})
    page = requests.get(f"{provider.issuer}/v1/auth?{query}", timeout=TIMEOUT)
    assert page.status_code == 200, page.text
    tx = BeautifulSoup(page.text, "html.parser").find("input", {"name": "tx"})["value"]
    data = {"tx": tx, "persona": persona, **({"aanmeldmiddel": means} if means else {})}
    answer = requests.post(f"{provider.issuer}/v1/auth", data=data, allow_redirects=False,
                           timeout=TIMEOUT)
    code = re.search(r"code=([^&]+)", answer.headers["Location"]).group(1)
    tokens = requests.post(f"{provider.issuer}/v1/token", timeout=TIMEOUT,
                           auth=(client, API_CLIENTS[client].secret),
                           data={"grant_type": "authorization_code", "code": code,
                                 "redirect_uri": REDIRECT, "code_verifier": VERIFIER})
    assert tokens.status_code == 200, tokens.text
    return tokens.json()["access_token"]


def test_an_integrator_applies_for_the_citizen_with_their_token(api, provider, dbsession,
                                                                shipped):
    token = citizen_token(provider)
    response = api.post(START, headers=bearer(token), status=201)  # no CSRF: a bearer token
    reference = response.json["reference"]
    found = dossier(dbsession, reference)
    assert found.applicant.subject == BY_KEY["jan"].sub and found.applicant.rrn == JAN
    # The citizen was made from ACM/IDM's userinfo, once, and that is audited.
    [event] = dbsession.scalars(select(AuditEvent).where(
        AuditEvent.action == "api.citizen_registered")).all()
    assert event.details == {"client": "gemeentesite"}
    api.get(f"/api/v1/dossiers/{reference}/aanvraag", headers=bearer(token))
    api.get(f"/api/v1/dossiers/{reference}", headers=bearer(token))
    assert [d["reference"] for d in api.get("/api/v1/dossiers", headers=bearer(token))
            .json["items"]] == [reference]


def test_a_citizens_token_without_the_scope_may_do_nothing(api, provider, shipped, factories):
    other = factories.dossier()
    token = citizen_token(provider, client="andere-site", scope="openid profile rrn")
    for response in (api.post(START, headers=bearer(token), status=403),
                     api.get("/api/v1/dossiers", headers=bearer(token), status=403),
                     api.get(f"/api/v1/dossiers/{other.reference}", headers=bearer(token),
                             status=403)):
        assert 'scope="loket.aanvragen"' in response.headers["WWW-Authenticate"]


def test_a_citizens_token_never_reads_like_a_machine(api, provider, factories, shipped):
    other = factories.dossier()
    token = citizen_token(provider)
    api.get(f"/api/v1/dossiers/{other.reference}", headers=bearer(token), status=404)


def test_an_expired_or_forged_citizen_token_is_refused(api, provider, shipped):
    provider.control(access_token="expired")
    api.post(START, headers=bearer(citizen_token(provider)), status=401)
    provider.control(access_token="bad_signature")
    api.post(START, headers=bearer(citizen_token(provider)), status=401)
