"""DOSIS simulator: the token endpoint, the dossier status API and a Mijn Burgerprofiel page.

Mounted at ``/dosis`` by :mod:`loket.integrations.simulators`:

- ``POST /authorization/ws/oauth/v2/token``: client credentials with a client assertion
  (private_key_jwt, RS256) checked against the client's registered key; scope DosisImport.
- ``POST /api/v{1,2}/dosis/dossiers``: validated as DOSIS does (:mod:`.validation`); the
  latest status per (Bron, DossierNummer) is kept, idempotent by UploadId.
  ``DELETE /api/v1/dosis/dossiers?bron=&dossierNummer=`` forgets one.
- ``GET /api/v2/dosis/bronnen/uris``, ``/api/v1/dosis/instellingen/validatie``,
  ``/api/v1/dosis/resultaten?bron=&dossierNummer=``, ``/api/v1/dosis/resultaten/fouten?bron=``.
- ``/mbp``: Mijn Burgerprofiel (:mod:`.mbp`), where a citizen logged in through the ACM/IDM
  simulator sees the dossiers of every source that name them as agent.

The registered client comes from the settings: ``loket.simulators.dosis.client_id``,
``.client_key_file`` (PEM; the public half is used) and ``.client_key_id`` (the kid registered
with the key: an assertion naming another kid is refused), defaulting to Loket's own DOSIS settings,
so in development both read the key file Loket makes. Tests may register clients through
``POST /_control`` (JSON) with ``{"register_client": {"client_id", "jwks", "bronnen"}}`` and
make it misbehave: ``{"down": true}`` (503), ``{"slow": 2}``, ``{"http_500": true}``,
``{"malformed": true}`` (200 with an unreadable body), ``{"duplicates": "conflict"}`` (409
for a repeated UploadId), ``{"throttle": 30}`` (429, Retry-After: 30), ``{"token_ttl": 1}``,
``{"refuse_processing": "reason"}`` (uploads are accepted, 200, and then fail in processing:
they show in ``resultaten`` and ``fouten``, as an asynchronous refusal does; a repeated UploadId
of a failed upload is processed again),
``{"revoke_tokens": true}``, ``{"reset": true}`` (switches), ``{"clear": true}`` (stored
data). ``GET /_control`` shows the switches and counters.
"""

import base64
import dataclasses
import json
import os
import secrets
import time
from collections import Counter
from datetime import UTC, datetime

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from webob import Response

from loket.integrations.acmidm.personas import BY_KEY
from loket.integrations.dosis.client import JWT_BEARER
from loket.integrations.dosis.mbp import MijnBurgerprofiel
from loket.integrations.dosis.options import SCOPE
from loket.integrations.dosis.validation import CODE_LABELS, PHASES, validate
from loket.integrations.simulation import (
    Simulator,
    boolean,
    integer,
    one_of,
    refuse_production,
    seconds,
)
from loket.integrations.simulation import text as a_text

OAUTH_PATH = "/authorization/ws/oauth/v2/token"
API_ROUTES = {
    OAUTH_PATH: "token",
    "/api/v1/dosis/dossiers": "upload",
    "/api/v2/dosis/dossiers": "upload",
    "/api/v2/dosis/bronnen/uris": "sources",
    "/api/v1/dosis/instellingen/validatie": "validation_settings",
    "/api/v1/dosis/resultaten": "results",
    "/api/v1/dosis/resultaten/fouten": "failures",
}
MAX_ASSERTION_LIFETIME = 600  # seconds: a client assertion valid longer is refused
DUPLICATE_MODES = ("accept", "conflict")

# Statuses from other government sources, so Mijn Burgerprofiel shows more than Loket's.
SEEDED = [
    ("jan", "urn://vlaanderen/mijnverbouwpremie", "MVP-2026-018734",
     "Mijn VerbouwPremie: dakisolatie", "InBehandeling", "Behandeling",
     "Vlaams Energie- en Klimaatagentschap", "https://www.vlaanderen.be/mijn-verbouwpremie"),
    ("lotte", "urn://vlaanderen/studietoelagen", "ST-2026-448211", "Studietoelage 2026-2027",
     "Goedgekeurd", "Afgerond", "Afdeling Studietoelagen", "https://www.studietoelagen.be"),
]


@dataclasses.dataclass
class RegisteredClient:
    client_id: str
    bronnen: frozenset
    jwks: dict | None = None  # registered public keys
    key_file: str | None = None  # or a PEM file, read when used (Loket may make it later)
    key_id: str | None = None  # the kid registered with the key file's key

    def keys(self) -> KeySet | None:
        if self.jwks is not None:
            return KeySet.import_key_set(self.jwks)
        if self.key_file and os.path.exists(self.key_file):
            with open(self.key_file, "rb") as handle:
                key = RSAKey.import_key(handle.read())
            extra = {"kid": self.key_id} if self.key_id else None
            return KeySet([RSAKey.import_key(key.as_dict(private=False), extra)])
        return None


def _json(data, status: int = 200, **headers) -> Response:
    response = Response(body=json.dumps(data).encode(), status=status,
                        content_type="application/json")
    response.headers.update(headers)
    return response


def _error(status: int, code: str, message: str, description: str = "", errors=()) -> Response:
    """DOSIS's error body."""
    return _json({"code": code, "message": message, "description": description,
                  "errors": list(errors)}, status)


def _oauth_error(error: str, description: str, status: int = 400) -> Response:
    return _json({"error": error, "error_description": description}, status,
                 **{"Cache-Control": "no-store"})


def _unverified_claims(token: str) -> dict:
    """The claims of a JWT before its signature is checked: only to find whose key to use."""
    try:
        payload = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class DosisSimulator(Simulator):
    """The WSGI application; thread-safe, state in memory."""

    SWITCHES = {
        "down": (False, boolean),  # the API and the token endpoint answer 503
        "slow": (0.0, seconds),  # seconds to wait before answering
        "http_500": (False, boolean),  # uploads fail with 500
        "malformed": (False, boolean),  # uploads are stored but answered with an unreadable 200
        # a repeated UploadId: same answer (accept) or 409 (conflict)
        "duplicates": ("accept", one_of(*DUPLICATE_MODES)),
        "throttle": (0, integer(0, 3600)),  # uploads answer 429 with Retry-After: seconds
        "token_ttl": (3600, integer(1, 86400)),  # lifetime of new access tokens
        "refuse_processing": ("", a_text),  # accepted uploads then fail in processing: why
    }
    COMMANDS = {"register_client": "register_client", "clear": "clear_command",
                "revoke_tokens": "revoke_command"}

    def __init__(self, settings):
        super().__init__(settings)
        self.counters: Counter = Counter()
        self.clients: dict[str, RegisteredClient] = {}
        client_id = settings.get("loket.simulators.dosis.client_id") or settings.get(
            "loket.integrations.dosis.client_id")
        if client_id:
            bronnen = (settings.get("loket.simulators.dosis.bronnen")
                       or settings.get("loket.integrations.dosis.bron") or "").split()
            key_file = settings.get("loket.simulators.dosis.client_key_file") or settings.get(
                "loket.integrations.dosis.private_key_file")
            key_id = settings.get("loket.simulators.dosis.client_key_id") or settings.get(
                "loket.integrations.dosis.key_id")
            self.clients[client_id] = RegisteredClient(client_id, frozenset(bronnen),
                                                       key_file=key_file or None,
                                                       key_id=key_id or None)
        self.seed = settings.get("loket.simulators.dosis.seed", "true") != "false"
        self.clear()
        self.mbp = MijnBurgerprofiel(self, settings)

    def clear(self):
        """Forget every upload and token; only the seeded statuses remain."""
        with self.lock:
            self.dossiers: dict[tuple[str, str], dict] = {}  # latest status per dossier
            self.uploads: dict[str, dict] = {}  # UploadId → its processing result
            self.tokens: dict[str, tuple[str, float]] = {}  # token → (client id, expiry)
            self.seen_jti: dict[str, float] = {}
            for persona, bron, number, name, code, phase, manager, link in (
                    SEEDED if self.seed else ()):
                self.dossiers[(bron, number)] = {"received": _now(), "payload": {
                    "Identificatie": {"Bron": bron, "DossierNummer": number}, "Naam": name,
                    "WijzigingsDatum": "2026-10-01T09:30:00",
                    "Status": {"VlaamsCode": code, "VlaamsFase": phase,
                               "Actie": {"ActieNodig": False}},
                    "TypeDossierCode": "DossierStatus", "Producten": [{"Id": "1"}],
                    "DossierBeheerder": {"Naam": manager},
                    "Agenten": [{"Identificatie": BY_KEY[persona].rrn,
                                 "Toegangsrechten": [{"Code": "Raadpleger"}]}],
                    "Doorverwijzing": link}}

    def misbehave(self, request):
        return None  # only the API misbehaves, counted first (see api)

    def route(self, request) -> Response:
        path = request.path_info
        if path == "/mbp" or path.startswith("/mbp/"):
            return self.mbp(request)
        if path in API_ROUTES:
            return self.api(request, API_ROUTES[path])
        return _error(404, "NIET_GEVONDEN", "Onbekend adres")

    def api(self, request, name: str) -> Response:
        switches = self.switches
        if switches.slow:
            time.sleep(switches.slow)
        with self.lock:
            self.counters[name] += 1
        if switches.down:
            return _error(503, "NIET_BESCHIKBAAR", "DOSIS is tijdelijk niet beschikbaar")
        if name == "token":
            return self.token(request)
        client = self.bearer(request)
        if client is None:
            response = _error(401, "NIET_GEAUTHENTICEERD", "Geen geldig toegangstoken")
            response.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
            return response
        return getattr(self, name)(request, client)

    # --- token endpoint ------------------------------------------------------------------

    def token(self, request) -> Response:
        if request.method != "POST":
            return _oauth_error("invalid_request", "use POST", 405)
        form = request.POST
        if form.get("grant_type") != "client_credentials":
            return _oauth_error("unsupported_grant_type", "only client_credentials")
        if form.get("client_assertion_type") != JWT_BEARER:
            return _oauth_error("invalid_client", "a client assertion (private_key_jwt) is "
                                                  "required", 401)
        client, problem = self.verify_assertion(form.get("client_assertion", ""),
                                                form.get("client_id"), request.path_url)
        if problem:
            return _oauth_error("invalid_client", problem, 401)
        if form.get("scope", "").split() != [SCOPE]:
            return _oauth_error("invalid_scope", f"only the scope {SCOPE} is granted")
        token = secrets.token_urlsafe(32)
        ttl = self.switches.token_ttl
        with self.lock:
            now = time.time()
            self.tokens = {t: v for t, v in self.tokens.items() if v[1] > now}
            self.tokens[token] = (client.client_id, now + ttl)
        return _json({"access_token": token, "token_type": "Bearer", "expires_in": ttl,
                      "scope": SCOPE}, **{"Cache-Control": "no-store"})

    def verify_assertion(self, assertion: str, client_id, audience: str):
        """The client whose registered key signed ``assertion``, or why not."""
        client_id = client_id or _unverified_claims(assertion).get("iss")
        client = self.clients.get(client_id) if isinstance(client_id, str) else None
        keys = client.keys() if client else None
        if keys is None:
            return None, "unknown client, or no key registered for it"
        try:
            token = jwt.decode(assertion, keys, algorithms=["RS256"])
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": client.client_id},
                sub={"essential": True, "value": client.client_id},
                aud={"essential": True, "value": audience},
                exp={"essential": True}, jti={"essential": True},
            ).validate(token.claims)
        except (JoseError, ValueError) as exc:
            return None, f"client assertion rejected ({type(exc).__name__})"
        exp = token.claims["exp"]
        if exp > time.time() + MAX_ASSERTION_LIFETIME:
            return None, "client assertion valid for too long"
        with self.lock:
            now = time.time()
            self.seen_jti = {j: e for j, e in self.seen_jti.items() if e > now}
            if token.claims["jti"] in self.seen_jti:
                return None, "client assertion replayed (jti seen before)"
            self.seen_jti[token.claims["jti"]] = exp
        return client, None

    def bearer(self, request) -> RegisteredClient | None:
        header = request.headers.get("Authorization", "")
        if header[:7].lower() != "bearer ":
            return None
        with self.lock:
            found = self.tokens.get(header[7:].strip())
        if found is None or found[1] < time.time():
            return None
        return self.clients.get(found[0])

    # --- the API -------------------------------------------------------------------------

    def upload(self, request, client) -> Response:
        if request.method == "DELETE":
            return self.delete(request, client)
        if request.method != "POST":
            return _error(405, "METHODE", "Gebruik POST of DELETE")
        if self.switches.http_500:
            return _error(500, "INTERNE_FOUT", "Interne fout")
        if self.switches.throttle:
            response = _error(429, "TE_VEEL", "Te veel verzoeken")
            response.headers["Retry-After"] = str(self.switches.throttle)
            return response
        try:
            body = json.loads(request.body or b"null")
        except ValueError:
            return _error(400, "VALIDATIE", "Het bericht is geen geldige JSON")
        problems = validate(body, client.bronnen)
        if problems:
            self.record_failure(body, client, problems)
            return _error(400, "VALIDATIE", "Het dossier is niet geldig",
                          "; ".join(p["description"] for p in problems), problems)
        reply = {"Status": "Ontvangen", "UploadId": body["UploadId"]}
        with self.lock:
            earlier = self.uploads.get(body["UploadId"])
            if earlier is not None and earlier["Succes"]:
                if self.switches.duplicates == "conflict":
                    return _error(409, "DUBBEL", "Deze UploadId werd al verwerkt")
                return _json(reply)  # the same upload again: no second effect
            if reason := self.switches.refuse_processing:
                self.uploads[body["UploadId"]] = self.result(
                    body["Identificatie"], body["UploadId"], client, reason, [reason])
            else:
                self.store(body, client)
        if self.switches.malformed:
            return Response("<html><body>Proxy error</body></html>", status=200,
                            content_type="text/html")
        return _json(reply)

    def store(self, body: dict, client):
        """Keep the newest status of the dossier (called under the lock); an older status
        that arrives late never overwrites a newer one."""
        key = (body["Identificatie"]["Bron"], body["Identificatie"]["DossierNummer"])
        current = self.dossiers.get(key)
        newer = current is None or (datetime.fromisoformat(body["WijzigingsDatum"])
                                    >= datetime.fromisoformat(
                                        current["payload"]["WijzigingsDatum"]))
        if newer:
            self.dossiers[key] = {"payload": body, "received": _now()}
        self.uploads[body["UploadId"]] = {
            **self.result(body["Identificatie"], body["UploadId"], client),
            "VerwerktVoorOpvraging": newer}

    @staticmethod
    def result(identification: dict, upload: str, client, error: str | None = None,
               errors=()) -> dict:
        """A processing result as ``resultaten`` lists it (the reference connector's
        DosisDossierUploadValidatieTO)."""
        return {"Identificatie": {"Bron": identification.get("Bron"),
                                  "DossierNummer": identification.get("DossierNummer")},
                "UploadId": upload, "Bestand": None, "TijdstipVerwerking": _now(),
                "Succes": error is None, "Fout": error,
                "Fouten": [{"Omschrijving": text, "LijnNummer": None} for text in errors],
                "VerwerktVoorOpvraging": error is None, "client": client.client_id}

    def record_failure(self, body, client, problems):
        identification = body.get("Identificatie") if isinstance(body, dict) else None
        if not isinstance(identification, dict) or identification.get("Bron") not in \
                client.bronnen:
            return
        upload = body.get("UploadId") if isinstance(body.get("UploadId"), str) else \
            f"ongeldig-{secrets.token_hex(8)}"
        with self.lock:
            self.uploads.setdefault(upload, self.result(
                identification, upload, client, "Validatiefout",
                [p["description"] for p in problems]))

    def delete(self, request, client) -> Response:
        bron, number = request.GET.get("bron"), request.GET.get("dossierNummer")
        if bron not in client.bronnen or not number:
            return _error(400, "VALIDATIE", "bron (van deze client) en dossierNummer zijn "
                                            "verplicht")
        with self.lock:
            found = self.dossiers.pop((bron, number), None)
        if found is None:
            return _error(404, "NIET_GEVONDEN", "Dossier niet gevonden")
        return _json({"Status": "Verwijderd"})

    def sources(self, request, client) -> Response:
        return _json(sorted(client.bronnen))

    def validation_settings(self, request, client) -> Response:
        return _json({"VlaamsCodes": sorted(CODE_LABELS), "VlaamsFases": list(PHASES),
                      "TypeDossierCodes": ["DossierStatus"]})

    def results(self, request, client) -> Response:
        bron, number = request.GET.get("bron"), request.GET.get("dossierNummer")
        if bron not in client.bronnen:
            return _error(400, "VALIDATIE", "bron is niet gekend voor deze client")
        with self.lock:
            found = [r for r in self.uploads.values() if r["client"] == client.client_id
                     and r["Identificatie"]["Bron"] == bron
                     and (not number or r["Identificatie"]["DossierNummer"] == number)]
        return _json([{k: v for k, v in r.items() if k != "client"} for r in found])

    def failures(self, request, client) -> Response:
        bron = request.GET.get("bron")
        if bron not in client.bronnen:
            return _error(400, "VALIDATIE", "bron is niet gekend voor deze client")
        with self.lock:
            found = [r for r in self.uploads.values() if r["client"] == client.client_id
                     and r["Identificatie"]["Bron"] == bron and not r["Succes"]]
        return _json([{k: v for k, v in r.items() if k != "client"} for r in found])

    # --- for Mijn Burgerprofiel and tests ------------------------------------------------

    def dossiers_of(self, rrn: str) -> list[dict]:
        """Every source's latest status that names ``rrn`` as agent, newest first."""
        with self.lock:
            found = [d["payload"] for d in self.dossiers.values()
                     if any(a.get("Identificatie") == rrn for a in d["payload"]["Agenten"])]
        return sorted(found, key=lambda p: p["WijzigingsDatum"], reverse=True)

    def stored(self, bron: str, number: str) -> dict | None:
        with self.lock:
            found = self.dossiers.get((bron, number))
        return found["payload"] if found else None

    # --- test control --------------------------------------------------------------------

    # --- /_control commands -------------------------------------------------------------

    def register_client(self, data):
        client = self.parse_client(data)

        def register():
            with self.lock:
                self.clients[client.client_id] = client

        return register if client is not None else None

    def clear_command(self, value):
        return self.clear if boolean(value) else None

    def revoke_command(self, value):
        def revoke():
            with self.lock:
                self.tokens = {}

        return revoke if boolean(value) else None

    @staticmethod
    def parse_client(data) -> RegisteredClient | None:
        if data is None:
            return None
        client = RegisteredClient(str(data["client_id"]), frozenset(data.get("bronnen", ())),
                                  jwks=data["jwks"])
        client.keys()  # a broken key set fails here, not at the first token request
        return client

    def state(self) -> dict:
        with self.lock:
            return {"counters": dict(self.counters), "dossiers": len(self.dossiers),
                    "uploads": len(self.uploads), "clients": sorted(self.clients)}


def make_app(settings) -> DosisSimulator:
    refuse_production(settings, "DOSIS simulator")
    return DosisSimulator(settings)
