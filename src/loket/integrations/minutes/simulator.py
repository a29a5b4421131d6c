"""A simulated minutes package (notuleringspakket), for development and tests.

It speaks the API :mod:`loket.integrations.minutes` documents: it accepts agenda items (once
per ``Idempotency-Key``), checks what it receives, and shows the secretariat a page per
meeting (``GET /``) where she holds the meeting: the outcome of each item (approved, refused,
amended with a new text or amount, postponed, withdrawn) and the votes. Finalising
(``POST /zittingen/<meeting>``) calls each decided item's ``callback_url`` (Loket's
``besluit`` callback) with an access token of the ACM/IDM simulator (client credentials,
client ``loket.simulators.notulen.client_id``, default ``notulen``).

Finalised decisions are published as the publication duty asks, in HTML+RDFa of the LBLOD
``besluit`` vocabulary (:mod:`loket.decisions.lblod`): ``GET /zittingen/<meeting>/notulen`` (the
minutes: every decision of the meeting with its motivation, articles and vote) and
``GET /besluiten/<id>`` (one decision; its URL is the ``publication_uri`` of the callback).

``GET /_control`` shows the items and the switches as JSON; ``POST /_control`` (JSON) sets
``down`` and ``slow``, or ``reset``.
"""

import html
import itertools
import json
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import requests
from webob import Response
from webob.exc import HTTPSeeOther

from loket.decisions import lblod
from loket.integrations.simulation import Simulator, json_response, refuse_production

OUTCOMES = {"": "—", "approved": "Goedgekeurd", "refused": "Geweigerd",
            "amended": "Geamendeerd", "postponed": "Verdaagd", "withdrawn": "Ingetrokken"}
BODIES = {"college": "CBS", "gemeenteraad": "GR", "vast_bureau": "VB",
          "raad_maatschappelijk_welzijn": "RMW"}
BODY_NAMES = {"college": "College van burgemeester en schepenen",
              "gemeenteraad": "Gemeenteraad", "vast_bureau": "Vast bureau",
              "raad_maatschappelijk_welzijn": "Raad voor maatschappelijk welzijn"}
REFERENCE = re.compile(r"^[0-9]{4}-[0-9]{6}$")
AMOUNT = re.compile(r"^[0-9]{1,10}([.,][0-9]{1,2})?$")
BRUSSELS = ZoneInfo("Europe/Brussels")
TIMEOUT = 5.0
# The package knows the mandataries of each body (fictional ones of the demo municipality):
# present at every meeting, each votes.
MEMBERS = {
    "college": [("Luc Janssens", "burgemeester"), ("Marleen Peeters", "schepen"),
                ("Koen Wouters", "schepen"), ("Hilde Goossens", "algemeen directeur")],
    "gemeenteraad": [("Greet Mertens", "voorzitter"), ("Luc Janssens", "raadslid"),
                     ("Hilde Goossens", "algemeen directeur")],
    "vast_bureau": [("Luc Janssens", "voorzitter"), ("Marleen Peeters", "lid"),
                    ("Hilde Goossens", "algemeen directeur")],
    "raad_maatschappelijk_welzijn": [("Greet Mertens", "voorzitter"),
                                     ("Hilde Goossens", "algemeen directeur")],
}
PUBLISHED = ("approved", "amended", "refused")  # the outcomes that are a decision


def _moment(value) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def problems_of(body) -> list[str]:
    """What is wrong with an agenda item as Loket sends it (the API's required shape)."""
    if not isinstance(body, dict):
        return ["not a JSON object"]
    problems = []
    if not isinstance(body.get("item"), int) or isinstance(body.get("item"), bool):
        problems.append("item: a number")
    if not isinstance(body.get("dossier"), str) or not REFERENCE.match(body["dossier"]):
        problems.append("dossier: a reference like 2026-000123")
    if body.get("body") not in BODIES:
        problems.append("body: one of " + ", ".join(BODIES))
    meeting = body.get("meeting")
    if not isinstance(meeting, dict) or not isinstance(meeting.get("id"), int) \
            or not _moment(meeting.get("starts")):
        problems.append("meeting: an object with an id and its start (ISO 8601, with zone)")
    for name in ("title", "motivation"):
        if not isinstance(body.get(name), str) or not body[name].strip():
            problems.append(f"{name}: a text")
    articles = body.get("articles")
    if not isinstance(articles, list) or not articles or not all(
            isinstance(a, str) and a.strip() for a in articles):
        problems.append("articles: a list of texts")
    amount = body.get("amount")
    if amount is not None and (not isinstance(amount, str) or not AMOUNT.match(amount)):
        problems.append("amount: an amount like 250.00, or null")
    url = body.get("callback_url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        problems.append("callback_url: an http(s) URL")
    return problems


class MinutesSimulator(Simulator):
    def __init__(self, settings):
        super().__init__(settings)
        self.issuer = settings.get("loket.acmidm.issuer", "").rstrip("/")
        self.client_id = settings.get("loket.simulators.notulen.client_id", "notulen")
        self.client_secret = settings.get("loket.simulators.notulen.client_secret",
                                          "notulen-secret")
        self.api_key = settings.get("loket.integrations.notulen-api.api_key", "")
        self.numbers = itertools.count(1)
        self.items: dict[int, dict] = {}  # Loket's item id → what we know of it
        self.keys: dict[str, int] = {}  # Idempotency-Key → item id

    def forget(self) -> None:
        self.items.clear()
        self.keys.clear()

    def state(self) -> dict:
        with self.lock:
            return {"items": [dict(e) for e in self.items.values()]}

    def route(self, request) -> Response:
        path, method = request.path_info.rstrip("/") or "/", request.method
        if path == "/" and method == "GET":
            return self.page()
        if path == "/api/v1/status" and method == "GET":
            return json_response({"status": "ok"})
        parts = path.strip("/").split("/")
        if method == "POST" and len(parts) == 2 and parts[0] == "zittingen" \
                and parts[1].isdigit():
            return self.hold(int(parts[1]), request.POST, request.application_url)
        if method == "GET" and len(parts) == 3 and parts[0] == "zittingen" \
                and parts[1].isdigit() and parts[2] == "notulen":
            return self.minutes(request.application_url, meeting=int(parts[1]))
        if method == "GET" and len(parts) == 2 and parts[0] == "besluiten":
            return self.minutes(request.application_url, item_id=parts[1])
        if parts[:2] == ["api", "v1"] and self.api_key and \
                request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return json_response({"error": "unauthorized"}, 401)
        if method == "POST" and parts == ["api", "v1", "agendapunten"]:
            return self.accept(request)
        return json_response({"error": "not found"}, 404)

    # -- The API ------------------------------------------------------------------------------

    def accept(self, request) -> Response:
        key = request.headers.get("Idempotency-Key")
        if not key:
            return json_response({"error": "Idempotency-Key is required"}, 400)
        try:
            body = json.loads(request.body)
        except ValueError:
            return json_response({"error": "not JSON"}, 400)
        problems = problems_of(body)
        if problems:
            return json_response({"error": "invalid", "problems": problems}, 400)
        with self.lock:
            if key in self.keys:  # a retry: the same answer
                return json_response({"id": self.items[self.keys[key]]["id"]}, 202)
            entry = {"id": f"AP-{next(self.numbers):04d}", "item": body["item"],
                     "dossier": body["dossier"], "body": body["body"],
                     "meeting": body["meeting"]["id"],
                     "starts": body["meeting"]["starts"], "title": body["title"],
                     "description": body.get("description") or "",
                     "motivation": body["motivation"], "articles": body["articles"],
                     "amount": body.get("amount"), "callback_url": body["callback_url"],
                     "outcome": None, "callback_status": None}
            self.items[body["item"]] = entry
            self.keys[key] = body["item"]
        return json_response({"id": entry["id"]}, 202)

    # -- Holding the meeting, and the callback ------------------------------------------------

    def hold(self, meeting: int, form, base: str) -> Response:
        """Finalise the outcomes chosen on the page and report each decided item to Loket."""
        with self.lock:
            entries = [e for e in self.items.values()
                       if e["meeting"] == meeting and e["outcome"] is None]
        today = datetime.now(BRUSSELS).date()
        for entry in entries:
            outcome = form.get(f"outcome-{entry['item']}", "")
            if outcome not in OUTCOMES or not outcome:
                continue
            number = next(self.numbers)
            body = {"callback_id": f"{entry['id']}-besluit", "agenda_item": entry["item"],
                    "outcome": outcome, "decided_on": today.isoformat(),
                    "body": entry["body"],
                    "reference": f"{BODIES[entry['body']]}/{today.year}/{number}",
                    "publication_uri": f"{base}/besluiten/{entry['id']}"}
            votes = {}
            for name in ("for", "against", "abstaining"):
                value = form.get(f"{name}-{entry['item']}", "").strip()
                if value.isdigit():
                    votes[name] = int(value)
            if votes:
                body["votes"] = votes
            if outcome == "amended":
                text = [line.strip() for line in form.get(f"text-{entry['item']}", "")
                        .splitlines() if line.strip()]
                amount = form.get(f"amount-{entry['item']}", "").strip()
                if text:
                    body["articles"] = text
                if amount:
                    body["amount"] = amount
            if outcome == "refused":
                body["motivation"] = form.get(f"motivation-{entry['item']}", "").strip() \
                    or entry["motivation"]
            status = self.call_back(entry["callback_url"], body)
            with self.lock:
                # Only an accepted decision is final; otherwise the page shows why and the
                # secretariat finalises again (the same callback_id: Loket records it once).
                entry["callback_status"] = status
                if isinstance(status, int) and 200 <= status < 300:
                    entry.update(outcome=outcome, decision=body,
                                 finalised=datetime.now(BRUSSELS).isoformat())
        return HTTPSeeOther(location=base + "/")  # back to the page

    def token(self) -> str:
        response = requests.post(self.issuer + "/v1/token", timeout=TIMEOUT,
                                 data={"grant_type": "client_credentials",
                                       "scope": "loket.callbacks.besluit"},
                                 auth=(self.client_id, self.client_secret))
        response.raise_for_status()
        return response.json()["access_token"]

    def call_back(self, url: str, body: dict):
        try:
            response = requests.post(url, json=body, timeout=TIMEOUT,
                                     headers={"Authorization": f"Bearer {self.token()}"})
        except requests.RequestException as exc:
            return type(exc).__name__
        return response.status_code

    # -- The publication ----------------------------------------------------------------------

    def minutes(self, base: str, meeting: int | None = None, item_id: str | None = None):
        """The published minutes of ``meeting``, or of the one decision ``item_id``."""
        with self.lock:
            entries = [dict(e) for e in self.items.values() if e["outcome"] in PUBLISHED
                       and (e["meeting"] == meeting or e["id"] == item_id)]
        if not entries:
            return json_response({"error": "not found"}, 404)
        first = entries[0]
        page = f"{base}/zittingen/{first['meeting']}/notulen"
        members = [lblod.Member(uri=f"{base}/mandatarissen/{first['body']}-{n}", name=name,
                                title=title)
                   for n, (name, title) in enumerate(MEMBERS[first["body"]], 1)]
        starts = datetime.fromisoformat(first["starts"])
        publication = lblod.Publication(
            uri=f"{page}#zitting", body_uri=f"{base}/bestuursorganen/{first['body']}",
            body_name=BODY_NAMES[first["body"]], planned=starts, started=starts,
            ended=max(datetime.fromisoformat(e["finalised"]) for e in entries),
            treatments=[self._treatment(page, e) for e in entries], members=members, full=True)
        body = ("<!DOCTYPE html><html lang='nl'><head><meta charset='utf-8'><title>Notulen "
                "(simulator)</title></head><body><main>" + lblod.render(publication)
                + "</main></body></html>")
        return Response(body, content_type="text/html", charset="utf-8")

    @staticmethod
    def _treatment(page: str, entry: dict) -> lblod.Treatment:
        decision = entry["decision"]
        articles = list(decision.get("articles") or entry["articles"])
        if decision.get("amount") and not decision.get("articles"):
            articles.append(f"Het bedrag wordt vastgesteld op € {decision['amount']}.")
        votes = decision.get("votes")
        return lblod.Treatment(
            uri=f"{page}#{entry['id']}", title=entry["title"], decision_title=entry["title"],
            result=entry["outcome"],
            motivation=decision.get("motivation") or entry["motivation"], articles=articles,
            votes=(votes.get("for", 0), votes.get("against", 0), votes.get("abstaining", 0))
            if votes else None)

    # -- The secretariat's page ---------------------------------------------------------------

    def page(self) -> Response:
        meetings: dict[int, list] = {}
        for entry in self.state()["items"]:
            meetings.setdefault(entry["meeting"], []).append(entry)
        sections = []
        for meeting, entries in sorted(meetings.items()):
            rows = "".join(self._row(e) for e in entries)
            first = entries[0]
            sections.append(
                f"<section><h2>Zitting {meeting}: {html.escape(first['body'])} "
                f"{html.escape(first['starts'])}</h2><form method='post' "
                f"action='zittingen/{meeting}'><table><thead><tr><th>Punt</th><th>Dossier</th>"
                "<th>Ontwerpbesluit</th><th>Uitkomst</th><th>Stemmen (voor/tegen/onthouding)"
                f"</th><th>Callback</th></tr></thead><tbody>{rows}</tbody></table>"
                "<button type='submit'>Zitting afsluiten en besluiten doorsturen</button>"
                "</form></section>")
        body = ("<!DOCTYPE html><html lang='nl'><head><meta charset='utf-8'><title>Notulen "
                "(simulator)</title></head><body><main><h1>Agendapunten (simulator "
                "notuleringspakket)</h1>" + ("".join(sections) or "<p>Geen agendapunten.</p>")
                + "</main></body></html>")
        return Response(body, content_type="text/html", charset="utf-8")

    def _row(self, e: dict) -> str:
        item, esc = e["item"], html.escape
        articles = "".join(f"<li>{esc(a)}</li>" for a in e["articles"])
        if e["outcome"] is not None:
            choice = esc(OUTCOMES[e["outcome"]])
            if e["outcome"] in PUBLISHED:
                choice += f" <a href='besluiten/{esc(e['id'])}'>gepubliceerd besluit</a>"
            votes = ""
        else:
            options = "".join(f"<option value='{k}'>{v}</option>" for k, v in OUTCOMES.items())
            choice = (f"<label>Uitkomst punt {item} <select name='outcome-{item}'>{options}"
                      f"</select></label><label>Nieuwe tekst <textarea name='text-{item}'>"
                      f"</textarea></label><label>Nieuw bedrag <input name='amount-{item}'>"
                      f"</label><label>Motivering bij weigering <textarea "
                      f"name='motivation-{item}'></textarea></label>")
            votes = "".join(f"<input name='{n}-{item}' size='3' aria-label='{n} {item}'>"
                            for n in ("for", "against", "abstaining"))
        return (f"<tr><td>{esc(e['id'])}</td><td>{esc(e['dossier'])}</td><td><strong>"
                f"{esc(e['title'])}</strong><p>{esc(e['motivation'])}</p><ol>{articles}</ol>"
                f"<p>Bedrag: {esc(str(e['amount'] or '—'))}</p></td><td>{choice}</td>"
                f"<td>{votes}</td><td>{esc(str(e['callback_status'] or ''))}</td></tr>")


def make_app(settings) -> MinutesSimulator:
    refuse_production(settings, "minutes simulator")
    return MinutesSimulator(settings)
