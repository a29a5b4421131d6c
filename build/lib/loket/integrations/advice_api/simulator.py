"""A simulated external advice service (e.g. FOD Sociale Zekerheid), for development and tests.

It speaks the API :mod:`loket.integrations.advice_api` documents: it accepts an advice
request (once per ``Idempotency-Key``), and after a delay answers it by calling the request's
``callback_url`` with an access token of the ACM/IDM simulator (client credentials, client
``loket.simulators.advies.client_id``, default ``fod-advies``). A failed callback is retried a
few times, like a real sender would.

Pages: ``GET /`` lists the requests; ``GET /_control`` shows them and the switches as JSON;
``POST /_control`` (JSON) sets ``delay`` (seconds), ``opinion``, ``text``, ``down`` (503 on
every call), ``reset``.
"""

import html
import itertools
import json
import logging
import threading
import time

import requests
from pyramid.exceptions import ConfigurationError
from webob import Request, Response

from loket.settings import is_production

log = logging.getLogger(__name__)

DEFAULTS = {"delay": 5.0, "opinion": "favourable",
            "text": "Geen bezwaar vanuit de FOD Sociale Zekerheid.", "down": False}
CALLBACK_ATTEMPTS = 5
TIMEOUT = 5.0


class AdviceSimulator:
    def __init__(self, settings):
        self.issuer = settings.get("loket.acmidm.issuer", "").rstrip("/")
        self.client_id = settings.get("loket.simulators.advies.client_id", "fod-advies")
        self.client_secret = settings.get("loket.simulators.advies.client_secret",
                                          "fod-advies-secret")
        self.api_key = settings.get("loket.integrations.advies-api.api_key", "")
        self.lock = threading.Lock()
        self.numbers = itertools.count(1)
        self.switches = dict(DEFAULTS, delay=float(settings.get(
            "loket.simulators.advies.delay", DEFAULTS["delay"])))
        self.requests: dict[str, dict] = {}  # request_id → what we know of it
        self.keys: dict[str, str] = {}  # Idempotency-Key → request_id

    # -- WSGI ---------------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        request = Request(environ)
        response = self.route(request)
        return response(environ, start_response)

    def route(self, request) -> Response:
        path, method = request.path_info.rstrip("/") or "/", request.method
        if path == "/_control":
            return self.control(request)
        if path == "/" and method == "GET":
            return self.page()
        if self.switches["down"]:
            return _json({"error": "down"}, 503)
        if path == "/api/v1/status" and method == "GET":
            return _json({"status": "ok"})
        if self.api_key and request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return _json({"error": "unauthorized"}, 401)
        parts = path.strip("/").split("/")
        if method == "POST" and parts == ["api", "v1", "adviesvragen"]:
            return self.accept(request)
        if method == "POST" and len(parts) == 5 and parts[:3] == ["api", "v1", "adviesvragen"] \
                and parts[4] == "herinnering":
            return self.remind(parts[3])
        return _json({"error": "not found"}, 404)

    # -- The API ------------------------------------------------------------------------------

    def accept(self, request) -> Response:
        key = request.headers.get("Idempotency-Key")
        try:
            body = json.loads(request.body)
            request_id, callback_url = body["request_id"], body["callback_url"]
        except (ValueError, KeyError, TypeError):
            return _json({"error": "request_id and callback_url are required"}, 400)
        if not key:
            return _json({"error": "Idempotency-Key is required"}, 400)
        with self.lock:
            if key in self.keys:  # a retry of a request we have: the same answer
                known = self.requests[self.keys[key]]
                return _json({"id": known["id"], "status": "accepted"}, 202)
            entry = {"id": f"FOD-ADV-{next(self.numbers):04d}", "request_id": request_id,
                     "dossier": body.get("dossier"), "question": body.get("question", ""),
                     "due": body.get("due"), "callback_url": callback_url,
                     "fields": sorted((body.get("fields") or {}).keys()),
                     "received": time.time(), "reminders": 0, "answer": None,
                     "callback_status": None}
            self.requests[request_id] = entry
            self.keys[key] = request_id
            delay, opinion, text = (self.switches["delay"], self.switches["opinion"],
                                    self.switches["text"])
        timer = threading.Timer(delay, self.answer, args=(request_id, opinion, text))
        timer.daemon = True
        timer.start()
        return _json({"id": entry["id"], "status": "accepted"}, 202)

    def remind(self, request_id: str) -> Response:
        with self.lock:
            entry = self.requests.get(request_id)
            if entry is None:
                return _json({"error": "unknown request"}, 404)
            entry["reminders"] += 1
        return _json({"id": entry["id"], "status": "reminded"}, 202)

    # -- The answer, by callback --------------------------------------------------------------

    def token(self) -> str:
        response = requests.post(self.issuer + "/v1/token", timeout=TIMEOUT,
                                 data={"grant_type": "client_credentials",
                                       "scope": "loket.callbacks.advies"},
                                 auth=(self.client_id, self.client_secret))
        response.raise_for_status()
        return response.json()["access_token"]

    def answer(self, request_id: str, opinion: str, text: str) -> None:
        with self.lock:
            entry = self.requests[request_id]
        body = {"callback_id": f"{entry['id']}-antwoord", "opinion": opinion, "text": text,
                "external_id": entry["id"]}
        status = None
        for attempt in range(CALLBACK_ATTEMPTS):
            try:
                response = requests.post(entry["callback_url"], json=body, timeout=TIMEOUT,
                                         headers={"Authorization": f"Bearer {self.token()}"})
                status = response.status_code
                if status < 500:
                    break
            except requests.RequestException as exc:
                status = type(exc).__name__
            time.sleep(min(2 ** attempt, 10))
        with self.lock:
            entry["answer"], entry["callback_status"] = opinion, status
        log.info("advice simulator answered %s: %s", request_id, status)

    # -- Pages --------------------------------------------------------------------------------

    def snapshot(self) -> dict:
        with self.lock:
            return {"switches": dict(self.switches),
                    "requests": [dict(e) for e in self.requests.values()]}

    def control(self, request) -> Response:
        if request.method == "POST":
            try:
                changes = json.loads(request.body or b"{}")
            except ValueError:
                return _json({"error": "not JSON"}, 400)
            with self.lock:
                if changes.pop("reset", False):
                    self.switches = dict(DEFAULTS, delay=self.switches["delay"])
                    self.requests.clear()
                    self.keys.clear()
                for name in ("delay", "opinion", "text", "down"):
                    if name in changes:
                        self.switches[name] = changes[name]
        return _json(self.snapshot())

    def page(self) -> Response:
        rows = "".join(
            f"<tr><td>{html.escape(e['id'])}</td><td>{html.escape(str(e['dossier']))}</td>"
            f"<td>{html.escape(str(e['due']))}</td><td>{e['reminders']}</td>"
            f"<td>{html.escape(str(e['answer'] or 'wacht'))}</td>"
            f"<td>{html.escape(str(e['callback_status'] or ''))}</td></tr>"
            for e in self.snapshot()["requests"])
        body = ("<!DOCTYPE html><html lang='nl'><head><meta charset='utf-8'><title>Advies "
                "(simulator)</title></head><body><main><h1>Adviesvragen (simulator FOD Sociale "
                "Zekerheid)</h1><table><thead><tr><th>Id</th><th>Dossier</th><th>Termijn</th>"
                "<th>Herinneringen</th><th>Advies</th><th>Callback</th></tr></thead><tbody>"
                f"{rows}</tbody></table></main></body></html>")
        return Response(body, content_type="text/html", charset="utf-8")


def _json(body, status: int = 200) -> Response:
    response = Response(json_body=body, status=status)
    response.cache_control = "no-store"
    return response


def make_app(settings) -> AdviceSimulator:
    if is_production(settings):
        raise ConfigurationError("The advice simulator never runs with production settings.")
    return AdviceSimulator(settings)
