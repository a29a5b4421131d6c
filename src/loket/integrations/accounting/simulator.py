"""A simulated accounting package, for development and tests.

It speaks ``accounting-api.yaml``: it checks each order against the contract (400 with the
problems otherwise), stages it once per ``order_id`` (a retry, with the same or another
``Idempotency-Key``, gets the same id), and after ``delay`` seconds reports it by calling the
order's ``callback_url`` (Loket's ``betaling`` callback) with an access token of the ACM/IDM
simulator (client credentials, client ``loket.simulators.boekhouding.client_id``, default
``boekhouding``): paid — or rejected with AC04 (account closed) when the creditor's account
is one of ``closed_accounts`` or ``outcome`` is ``rejected``. What it reports is checked
against the contract too. A failed callback is retried a few times.

``GET /`` lists the orders; ``GET /_control`` shows them and the switches as JSON;
``POST /_control`` (JSON) sets ``delay`` (seconds), ``outcome`` (paid | rejected |
none: never report), ``down``, ``reset``, or ``{"closed_accounts": ["BE…"]}``.
"""

import html
import itertools
import json
import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import requests
from webob import Response

from loket.integrations.accounting import contract
from loket.integrations.simulation import (
    Simulator,
    boolean,
    json_response,
    one_of,
    refuse_production,
    seconds,
)

CALLBACK_ATTEMPTS = 5
TIMEOUT = 5.0
BRUSSELS = ZoneInfo("Europe/Brussels")


def accounts(value) -> set[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and len(v) <= 34
                                              for v in value):
        raise ValueError("a list of IBANs")
    return {v.replace(" ", "").upper() for v in value}


class AccountingSimulator(Simulator):
    SWITCHES = {
        "delay": (2.0, seconds),
        "outcome": ("paid", one_of("paid", "rejected", "none")),
        "down": (False, boolean),
    }
    COMMANDS = {"closed_accounts": "close_accounts"}

    def __init__(self, settings):
        super().__init__(settings)
        self.client_id = settings.get("loket.simulators.boekhouding.client_id", "boekhouding")
        self.client_secret = settings.get("loket.simulators.boekhouding.client_secret",
                                          "boekhouding-secret")
        self.api_key = settings.get("loket.integrations.boekhouding-api.api_key", "")
        self.numbers = itertools.count(1)
        self.orders: dict[str, dict] = {}  # order_id → what we know of it
        self.closed: set[str] = set()

    def defaults(self):
        delay = float(self.settings.get("loket.simulators.boekhouding.delay", 2.0))
        return {**super().defaults(), "delay": delay}

    def close_accounts(self, value):
        closed = accounts(value)

        def apply():
            with self.lock:
                self.closed = closed
        return apply

    def forget(self) -> None:
        self.orders.clear()
        self.closed = set()

    def state(self) -> dict:
        with self.lock:
            return {"orders": [dict(o) for o in self.orders.values()],
                    "closed_accounts": sorted(self.closed)}

    def misbehave(self, request):
        if (request.path_info.rstrip("/") or "/") == "/":
            return None  # the page shows what happened, even when "down"
        return super().misbehave(request)

    def route(self, request) -> Response:
        path, method = request.path_info.rstrip("/") or "/", request.method
        if path == "/" and method == "GET":
            return self.page()
        if path == "/api/v1/status" and method == "GET":
            return json_response({"status": "ok"})
        if self.api_key and request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return json_response({"error": "unauthorized"}, 401)
        if path == "/api/v1/betaalopdrachten" and method == "POST":
            return self.accept(request)
        return json_response({"error": "not found"}, 404)

    def accept(self, request) -> Response:
        key = request.headers.get("Idempotency-Key", "")
        if not key or len(key) > 64:
            return json_response({"error": "Idempotency-Key is required"}, 400)
        try:
            body = json.loads(request.body)
        except ValueError:
            return json_response({"error": "not JSON"}, 400)
        problems = contract.problems("PaymentOrder", body)
        if problems:
            return json_response({"error": "invalid", "problems": problems}, 400)
        with self.lock:
            known = self.orders.get(body["order_id"])
            if known is not None:  # a retry, or the same order again: staged once
                known["repeats"] += 1
                return json_response({"id": known["id"], "status": "staged"}, 202)
            entry = {"id": f"BO-{next(self.numbers):05d}", "order_id": body["order_id"],
                     "dossier": body["dossier"], "batch": body["batch"],
                     "creditor": body["creditor"]["name"], "iban": body["creditor"]["iban"],
                     "amount": body["amount"], "budget_code": body["budget_code"],
                     "callback_url": body["callback_url"], "repeats": 0, "status": "staged",
                     "callback_status": None, "attempts": 0, "last_status": None}
            self.orders[body["order_id"]] = entry
            outcome = "rejected" if entry["iban"] in self.closed else self.switches["outcome"]
            delay = self.switches["delay"]
        if outcome != "none":
            timer = threading.Timer(delay, self.report, args=(body["order_id"], outcome))
            timer.daemon = True
            timer.start()
        return json_response({"id": entry["id"], "status": "staged"}, 202)

    # -- The report, by callback --------------------------------------------------------------

    def token(self) -> str:
        # Read when needed: the ACM/IDM simulator's address may be known only once it runs.
        issuer = self.settings.get("loket.acmidm.issuer", "").rstrip("/")
        response = requests.post(issuer + "/v1/token", timeout=TIMEOUT,
                                 data={"grant_type": "client_credentials",
                                       "scope": "loket.callbacks.betaling"},
                                 auth=(self.client_id, self.client_secret))
        response.raise_for_status()
        return response.json()["access_token"]

    def settlement(self, entry: dict, outcome: str) -> dict:
        body = {"callback_id": f"{entry['id']}-{outcome}", "order_id": entry["order_id"],
                "status": outcome, "external_id": entry["id"]}
        if outcome == "paid":
            body["paid_on"] = datetime.now(BRUSSELS).date().isoformat()
        else:
            body.update(reason_code="AC04", reason="Rekening afgesloten")
        problems = contract.problems("Settlement", body)
        if problems:  # pragma: no cover - the simulator's own report breaks the contract
            raise ValueError("; ".join(problems))
        return body

    def report(self, order_id: str, outcome: str) -> None:
        with self.lock:
            entry = self.orders[order_id]
        body = self.settlement(entry, outcome)
        status = None
        for attempt in range(CALLBACK_ATTEMPTS):
            try:
                response = requests.post(entry["callback_url"], json=body, timeout=TIMEOUT,
                                         headers={"Authorization": f"Bearer {self.token()}"})
                status = response.status_code
                if status < 500 and status != 409:
                    break
            except requests.RequestException as exc:
                status = type(exc).__name__
            with self.lock:
                entry["attempts"] = attempt + 1
                entry["last_status"] = status
            time.sleep(min(2 ** attempt, 10))
        with self.lock:
            entry["status"], entry["callback_status"] = outcome, status

    # -- The page -----------------------------------------------------------------------------

    def page(self) -> Response:
        esc = html.escape
        rows = "".join(
            f"<tr><td>{esc(o['id'])}</td><td>{esc(o['order_id'])}</td>"
            f"<td>{esc(o['dossier'])}</td><td>{esc(o['creditor'])}</td>"
            f"<td>€ {esc(o['amount'])}</td><td>{esc(o['budget_code'])}</td>"
            f"<td>{esc(o['status'])}</td><td>{esc(str(o['callback_status'] or ''))}</td></tr>"
            for o in self.state()["orders"])
        body = ("<!DOCTYPE html><html lang='nl'><head><meta charset='utf-8'><title>Boekhouding "
                "(simulator)</title></head><body><main><h1>Betaalopdrachten (simulator "
                "boekhoudpakket)</h1><table><thead><tr><th>Id</th><th>Opdracht</th>"
                "<th>Dossier</th><th>Begunstigde</th><th>Bedrag</th><th>Budgetcode</th>"
                "<th>Status</th><th>Callback</th></tr></thead><tbody>"
                f"{rows}</tbody></table></main></body></html>")
        return Response(body, content_type="text/html", charset="utf-8")


def make_app(settings) -> AccountingSimulator:
    refuse_production(settings, "accounting simulator")
    return AccountingSimulator(settings)
