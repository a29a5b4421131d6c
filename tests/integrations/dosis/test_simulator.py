"""The DOSIS simulator checks what DOSIS checks: the client assertion, the token, the payload."""

import base64
import json
import time
import uuid

import pytest
import requests
import webtest
from joserfc import jwt
from joserfc.jwk import RSAKey
from pyramid.exceptions import ConfigurationError

from loket.integrations.dosis.client import JWT_BEARER
from loket.integrations.dosis.keys import load_key
from loket.integrations.dosis.simulator import OAUTH_PATH, make_app
from loket.integrations.dosis.validation import CODE_LABELS, PHASES, validate
from loket.workflow.definition import DOSIS_PHASES
from tests.integrations.dosis.conftest import BRON, CLIENT_ID, JAN, TIMEOUT

VALID = {
    "Identificatie": {"Bron": BRON, "DossierNummer": "2026-000042"},
    "Naam": "Verwarmingstoelage", "WijzigingsDatum": "2026-11-22T10:30:00",
    "Status": {"VlaamsCode": "InBehandeling", "VlaamsFase": "Behandeling",
               "Detail1": "In behandeling", "Actie": {"ActieNodig": False}},
    "TypeDossierCode": "DossierStatus", "Producten": [{"Id": "100103"}],
    "DossierBeheerder": {"Naam": "Gemeente Heidebeek"},
    "Agenten": [{"Identificatie": JAN, "Toegangsrechten": [{"Code": "Raadpleger"}]}],
    "Doorverwijzing": "https://loket.heidebeek.example/dossiers/2026-000042",
}


def assertion(key, client_id=CLIENT_ID, audience=None, **overrides) -> str:
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": audience, "jti": str(uuid.uuid4()),
              "iat": now, "exp": now + 60, **overrides}
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def ask_token(dosis, signed: str, **form) -> requests.Response:
    return requests.post(dosis.url + OAUTH_PATH, timeout=TIMEOUT, data={
        "grant_type": "client_credentials", "scope": "DosisImport",
        "client_assertion_type": JWT_BEARER, "client_assertion": signed, **form})


@pytest.fixture
def key(dosis_key_file):
    return load_key(dosis_key_file)


@pytest.fixture
def token_url(dosis):
    return dosis.url + OAUTH_PATH


def bearer(dosis, key, token_url) -> dict:
    answer = ask_token(dosis, assertion(key, audience=token_url))
    assert answer.status_code == 200, answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_token_for_a_signed_assertion(dosis, key, token_url):
    answer = ask_token(dosis, assertion(key, audience=token_url))
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer" and body["scope"] == "DosisImport"
    assert body["expires_in"] > 0


BAD_ASSERTIONS = {
    "other audience": lambda c: c.update(
        aud="https://beta.oauth.vlaanderen.be/authorization/ws/oauth/v2/token"),
    "other issuer": lambda c: c.update(iss="iemand-anders"),
    "other subject": lambda c: c.update(sub="iemand-anders"),
    "expired": lambda c: c.update(exp=int(time.time()) - 10),
    "valid for too long": lambda c: c.update(exp=int(time.time()) + 3600),
    "no jti": lambda c: c.pop("jti"),
}


@pytest.mark.parametrize("change", BAD_ASSERTIONS.values(), ids=BAD_ASSERTIONS.keys())
def test_bad_assertions_are_refused(dosis, key, token_url, change):
    now = int(time.time())
    claims = {"iss": CLIENT_ID, "sub": CLIENT_ID, "aud": token_url, "jti": str(uuid.uuid4()),
              "iat": now, "exp": now + 60}
    change(claims)
    signed = jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)
    answer = ask_token(dosis, signed, client_id=CLIENT_ID)
    assert answer.status_code == 401, answer.text
    assert answer.json()["error"] == "invalid_client"


def test_signature_by_another_key_is_refused(dosis, token_url):
    rogue = RSAKey.generate_key(2048, private=True)
    rogue.ensure_kid()
    answer = ask_token(dosis, assertion(rogue, audience=token_url))
    assert answer.status_code == 401


def test_alg_none_is_refused(dosis, token_url):
    def b64(data):
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims = {"iss": CLIENT_ID, "sub": CLIENT_ID, "aud": token_url,
              "exp": int(time.time()) + 60, "jti": "x"}
    unsigned = f"{b64({'alg': 'none'})}.{b64(claims)}."
    assert ask_token(dosis, unsigned).status_code == 401


def test_replayed_assertion_is_refused(dosis, key, token_url):
    signed = assertion(key, audience=token_url)
    assert ask_token(dosis, signed).status_code == 200
    assert ask_token(dosis, signed).status_code == 401


def test_only_the_dosis_scope_and_client_credentials(dosis, key, token_url):
    answer = ask_token(dosis, assertion(key, audience=token_url), scope="DosisImport admin")
    assert answer.json()["error"] == "invalid_scope"
    answer = ask_token(dosis, assertion(key, audience=token_url), grant_type="password")
    assert answer.json()["error"] == "unsupported_grant_type"
    answer = ask_token(dosis, assertion(key, audience=token_url), client_assertion_type="")
    assert answer.status_code == 401


def test_client_registered_through_control(dosis):
    other = RSAKey.generate_key(2048, private=True)
    other.ensure_kid()
    dosis.control(register_client={"client_id": "ander-bestuur", "bronnen": ["urn://ander"],
                                   "jwks": {"keys": [other.as_dict(private=False)]}})
    answer = ask_token(dosis, assertion(other, "ander-bestuur", dosis.url + OAUTH_PATH))
    assert answer.status_code == 200
    token = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    sources = requests.get(dosis.url + "/api/v2/dosis/bronnen/uris", headers=token,
                           timeout=TIMEOUT)
    assert sources.json() == ["urn://ander"]
    # It may not push for our source.
    refused = requests.post(dosis.url + "/api/v2/dosis/dossiers", headers=token,
                            json={**VALID, "UploadId": str(uuid.uuid4())}, timeout=TIMEOUT)
    assert refused.status_code == 400
    assert "Identificatie.Bron" in refused.text


def test_api_needs_a_valid_token(dosis, key, token_url):
    for headers in ({}, {"Authorization": "Bearer verzonnen"}):
        answer = requests.post(dosis.url + "/api/v2/dosis/dossiers", headers=headers,
                               json={**VALID, "UploadId": str(uuid.uuid4())}, timeout=TIMEOUT)
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_upload_is_validated_like_dosis(dosis, key, token_url):
    headers = bearer(dosis, key, token_url)
    wrong = {**VALID, "UploadId": "geen-uuid", "TypeDossierCode": "Iets",
             "Status": {"VlaamsCode": "Bijna", "VlaamsFase": "Ergens",
                        "Actie": {"ActieNodig": True}},
             "Producten": [], "Agenten": [{"Identificatie": "123",
                                           "Toegangsrechten": [{"Code": "Eigenaar"}]}],
             "Doorverwijzing": "javascript:alert(1)"}
    del wrong["Naam"]
    answer = requests.post(dosis.url + "/api/v2/dosis/dossiers", headers=headers, json=wrong,
                           timeout=TIMEOUT)
    assert answer.status_code == 400
    fields = {e["field"] for e in answer.json()["errors"]}
    assert fields == {"UploadId", "Naam", "Status.VlaamsCode", "Status.VlaamsFase",
                      "Status.Actie.Actie", "TypeDossierCode", "Producten",
                      "Agenten[0].Identificatie", "Agenten[0].Toegangsrechten[0].Code",
                      "Doorverwijzing"}
    not_json = requests.post(dosis.url + "/api/v2/dosis/dossiers", headers=headers,
                             data=b"{", timeout=TIMEOUT)
    assert not_json.status_code == 400


def test_validation_rules():
    valid = {**VALID, "UploadId": str(uuid.uuid4())}
    assert validate(valid, {BRON}) == []
    assert validate([], {BRON})
    assert [p["field"] for p in validate(VALID, {BRON})] == ["UploadId"]
    assert [p["field"] for p in validate(valid, {"urn://andere"})] == ["Identificatie.Bron"]
    assert [p["field"] for p in validate({**valid, "Agenten": []}, {BRON})] == ["Agenten"]
    assert [p["field"] for p in validate({**valid, "WijzigingsDatum": "gisteren"}, {BRON})] \
        == ["WijzigingsDatum"]


def test_status_model_matches_loket():
    # Loket's definitions and workflows may only use codes and phases DOSIS knows.
    from loket.integrations.dosis.definition import DOSIS_BY_PHASE, DOSIS_BY_STATE

    assert set(DOSIS_BY_STATE.values()) | set(DOSIS_BY_PHASE.values()) <= set(CODE_LABELS)
    assert set(PHASES) == set(DOSIS_PHASES)


def test_latest_status_per_dossier_and_deletion(dosis, key, token_url):
    headers = bearer(dosis, key, token_url)
    url = dosis.url + "/api/v2/dosis/dossiers"
    first = {**VALID, "UploadId": str(uuid.uuid4())}
    later = {**VALID, "UploadId": str(uuid.uuid4()), "WijzigingsDatum": "2026-11-23T08:00:00",
             "Status": {**VALID["Status"], "VlaamsCode": "Goedgekeurd"}}
    for body in (later, first):  # the older one arrives last
        answer = requests.post(url, headers=headers, json=body, timeout=TIMEOUT)
        assert answer.json() == {"Status": "Ontvangen", "UploadId": body["UploadId"]}
    assert dosis.app.stored(BRON, "2026-000042")["Status"]["VlaamsCode"] == "Goedgekeurd"
    results = requests.get(dosis.url + "/api/v1/dosis/resultaten", headers=headers,
                           params={"bron": BRON, "dossierNummer": "2026-000042"},
                           timeout=TIMEOUT).json()
    assert sorted(r["VerwerktVoorOpvraging"] for r in results) == [False, True]
    gone = requests.delete(url, headers=headers, timeout=TIMEOUT,
                           params={"bron": BRON, "dossierNummer": "2026-000042"})
    assert gone.status_code == 200
    assert dosis.app.stored(BRON, "2026-000042") is None
    again = requests.delete(url, headers=headers, timeout=TIMEOUT,
                            params={"bron": BRON, "dossierNummer": "2026-000042"})
    assert again.status_code == 404


def test_settings_and_sources(dosis, key, token_url):
    headers = bearer(dosis, key, token_url)
    settings = requests.get(dosis.url + "/api/v1/dosis/instellingen/validatie",
                            headers=headers, timeout=TIMEOUT).json()
    assert "KlaarVoorBeslissing" in settings["VlaamsCodes"]
    assert requests.get(dosis.url + "/api/v2/dosis/bronnen/uris", headers=headers,
                        timeout=TIMEOUT).json() == [BRON]
    other = requests.get(dosis.url + "/api/v1/dosis/resultaten/fouten", headers=headers,
                         params={"bron": "urn://vlaanderen/studietoelagen"}, timeout=TIMEOUT)
    assert other.status_code == 400  # not our source


def test_control_switches(dosis):
    status = dosis.control(down=True, slow=0, duplicates="conflict")
    assert status["switches"]["down"] is True
    assert requests.get(dosis.url + "/api/v2/dosis/bronnen/uris",
                        timeout=TIMEOUT).status_code == 503
    assert requests.post(dosis.url + "/_control", data="down=false",
                         timeout=TIMEOUT).status_code == 415
    assert requests.post(dosis.url + "/_control", json={"duplicates": "soms"},
                         timeout=TIMEOUT).status_code == 400
    assert dosis.control(reset=True)["switches"]["down"] is False
    assert requests.get(dosis.url + "/elders", timeout=TIMEOUT).status_code == 404


def test_simulator_refuses_production_settings():
    with pytest.raises(ConfigurationError):
        make_app({"loket.environment": "production"})


def test_errors_follow_the_documented_shape(dosis, key, token_url):
    headers = bearer(dosis, key, token_url)
    wrong = {**VALID, "UploadId": str(uuid.uuid4()), "Naam": ""}
    answer = requests.post(dosis.url + "/api/v2/dosis/dossiers", headers=headers, json=wrong,
                           timeout=TIMEOUT)
    assert answer.status_code == 400
    body = answer.json()
    assert set(body) == {"code", "message", "description", "errors"}
    assert body["code"] == "VALIDATIE" and body["description"] == "Naam: is verplicht"
    assert body["errors"] == [{"code": "VERPLICHT_VELD", "message": "is verplicht",
                               "description": "Naam: is verplicht", "field": "Naam"}]
    unknown = requests.get(dosis.url + "/api/v9/iets", headers=headers, timeout=TIMEOUT)
    assert unknown.status_code == 404
    assert set(unknown.json()) == {"code", "message", "description", "errors"}


def kbo(first8: str) -> str:
    return first8 + f"{97 - int(first8) % 97:02d}"


def test_company_agents_and_a_null_action_are_accepted():
    valid = {**VALID, "UploadId": str(uuid.uuid4()),
             "Status": {**VALID["Status"], "Actie": None},
             "Agenten": [{"Identificatie": kbo("02071234"),
                          "Toegangsrechten": [{"Code": "Raadpleger"},
                                              {"Code": "Raadpleger - Vestiging Heidebeek"}]},
                         *VALID["Agenten"]]}
    assert validate(valid, {BRON}) == []
    without_action = {**valid, "Status": {k: v for k, v in VALID["Status"].items()
                                          if k != "Actie"}}
    assert validate(without_action, {BRON}) == []
    wrong_check = {**valid, "Agenten": [{"Identificatie": kbo("02071234")[:8] + "00",
                                         "Toegangsrechten": [{"Code": "Raadpleger"}]}]}
    assert [p["field"] for p in validate(wrong_check, {BRON})] == ["Agenten[0].Identificatie"]
    # A context belongs to a company's right only; an action asked needs its text.
    citizen_context = {**valid, "Agenten": [{"Identificatie": JAN, "Toegangsrechten": [
        {"Code": "Raadpleger - Vestiging"}]}]}
    assert [p["field"] for p in validate(citizen_context, {BRON})] \
        == ["Agenten[0].Toegangsrechten[0].Code"]
    action_without_text = {**valid, "Status": {**VALID["Status"], "Actie": {"ActieNodig": True}}}
    assert [p["field"] for p in validate(action_without_text, {BRON})] == ["Status.Actie.Actie"]
    assert JAN not in json.dumps(validate({**valid, "Agenten": [{"Identificatie": JAN + "1"}]},
                                          {BRON}))


def test_refused_processing_shows_in_results_and_failures(dosis, key, token_url):
    headers = bearer(dosis, key, token_url)
    upload = {**VALID, "UploadId": str(uuid.uuid4())}
    dosis.control(refuse_processing="Product 100103 is niet gekend voor deze bron")
    accepted = requests.post(dosis.url + "/api/v2/dosis/dossiers", headers=headers,
                             json=upload, timeout=TIMEOUT)
    assert accepted.status_code == 200  # validated at once, processed later
    assert dosis.app.stored(BRON, "2026-000042") is None
    query = {"bron": BRON, "dossierNummer": "2026-000042"}
    [result] = requests.get(dosis.url + "/api/v1/dosis/resultaten", params=query,
                            headers=headers, timeout=TIMEOUT).json()
    assert result["Succes"] is False and result["UploadId"] == upload["UploadId"]
    assert result["Fout"] == "Product 100103 is niet gekend voor deze bron"
    [failure] = requests.get(dosis.url + "/api/v1/dosis/resultaten/fouten",
                             params={"bron": BRON}, headers=headers, timeout=TIMEOUT).json()
    assert failure["UploadId"] == upload["UploadId"]
    # The same upload sent again once the cause is gone is processed again.
    dosis.control(reset=True)
    requests.post(dosis.url + "/api/v2/dosis/dossiers", headers=headers, json=upload,
                  timeout=TIMEOUT).raise_for_status()
    assert dosis.app.stored(BRON, "2026-000042")["UploadId"] == upload["UploadId"]
    assert requests.get(dosis.url + "/api/v1/dosis/resultaten/fouten", params={"bron": BRON},
                        headers=headers, timeout=TIMEOUT).json() == []


def test_the_registered_kid_must_be_the_one_sent(app_settings, dosis_options, key):
    simulator = make_app({**app_settings, **dosis_options,
                          "loket.simulators.dosis.client_key_id": "heidebeek-2026"})
    browser = webtest.TestApp(simulator)
    url = "http://localhost" + OAUTH_PATH

    def ask(kid):
        now = int(time.time())
        claims = {"iss": CLIENT_ID, "sub": CLIENT_ID, "aud": url, "jti": str(uuid.uuid4()),
                  "iat": now, "exp": now + 60}
        signed = jwt.encode({"alg": "RS256", "kid": kid}, claims, key)
        return browser.post(url, {"grant_type": "client_credentials", "scope": "DosisImport",
                                  "client_assertion_type": JWT_BEARER,
                                  "client_assertion": signed}, expect_errors=True)

    assert ask(key.kid).status_int == 401  # the thumbprint is not the registered kid
    assert ask("heidebeek-2026").status_int == 200
