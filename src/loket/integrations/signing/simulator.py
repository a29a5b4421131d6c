"""A simulated Digitaal Ondertekenen, for development and tests.

It speaks the endpoints :mod:`.client` uses (two-step authentication, packages, documents,
workflow users with ``signing_order``, signature fields with their level of assurance, start,
workflow status, download, delete) and checks every request against the documented field
names and values. ``GET /web/<e-mail>`` is the platform's page of one signatory persona: what
waits for them, in signing order; "Teken met eID" signs the chosen documents with the
persona's test certificate (:mod:`.pades`: a real PAdES B-T signature, time-stamped by the
test PKI's time-stamping authority that Certomancer serves at ``/pki``, with its OCSP
responder and CRLs). The platform refuses a signature out of signing order.

``POST /_control`` (JSON): ``down``, ``slow``, ``untrusted`` (sign with a certificate of an
unknown root), ``reset``.
"""

import html
import itertools
import json
import re
import secrets
from urllib.parse import quote

from asn1crypto import tsp
from certomancer.integrations.animator import Animator, AnimatorArchStore
from webob import Response
from webob.exc import HTTPSeeOther

from loket.integrations.signing import pades
from loket.integrations.simulation import Simulator, boolean, json_response, refuse_production

WORKFLOW_MODES = ("ME_AND_OTHERS", "ONLY_OTHERS", "ONLY_ME")
ROLES = ("SIGNER", "REVIEWER", "EDITOR", "CARBON_COPY", "INPERSON_HOST")
LEVELS = ("ELECTRONIC_SIGNATURE", "ADVANCED_ELECTRONIC_SIGNATURE", "HIGH_TRUST_ADVANCED",
          "QUALIFIED_ELECTRONIC_SIGNATURE")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
MAX_DOCUMENT = 20 * 1024 * 1024
PACKAGE_PATH = re.compile(r"^/v4/packages/(\d+)(/.*)?$")
TSA_PATH = f"/pki/{pades.ARCH}/tsa/tsa"  # where Certomancer serves it, answered by pades


def _int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def user_problems(users) -> list[str]:
    if not isinstance(users, list) or not users:
        return ["a non-empty list of workflow users"]
    problems = []
    for index, user in enumerate(users):
        where = f"[{index}]"
        if not isinstance(user, dict):
            problems.append(f"{where}: an object")
            continue
        if not isinstance(user.get("user_email"), str) or not EMAIL.match(user["user_email"]):
            problems.append(f"{where}.user_email: an e-mail address")
        if not isinstance(user.get("user_name"), str) or not user["user_name"].strip():
            problems.append(f"{where}.user_name: a name")
        if user.get("role") not in ROLES:
            problems.append(f"{where}.role: one of {', '.join(ROLES)}")
        if user.get("delivery_method") != "EMAIL":
            problems.append(f"{where}.delivery_method: EMAIL")
        if not isinstance(user.get("email_notification"), bool):
            problems.append(f"{where}.email_notification: true or false")
        if not _int(user.get("signing_order")) or user["signing_order"] < 1:
            problems.append(f"{where}.signing_order: a whole number from 1")
    return problems


def field_problems(field) -> list[str]:
    if not isinstance(field, dict):
        return ["an object"]
    problems = []
    for name in ("order", "page_no"):
        if not _int(field.get(name)) or field[name] < 1:
            problems.append(f"{name}: a whole number from 1")
    levels = field.get("level_of_assurance")
    if not isinstance(levels, list) or not levels or any(v not in LEVELS for v in levels):
        problems.append(f"level_of_assurance: a list of {', '.join(LEVELS)}")
    box = field.get("dimensions")
    if not isinstance(box, dict) or not all(
            isinstance(box.get(k), int | float) and not isinstance(box.get(k), bool)
            and box[k] >= 0 for k in ("x", "y", "width", "height")):
        problems.append("dimensions: x, y, width and height, numbers")
    if field.get("display") not in ("VISIBLE", "INVISIBLE"):
        problems.append("display: VISIBLE or INVISIBLE")
    if not isinstance(field.get("field_name"), str) or not field["field_name"].strip():
        problems.append("field_name: a text")
    return problems


class SigningSimulator(Simulator):
    SWITCHES = {**Simulator.SWITCHES, "untrusted": (False, boolean)}

    def __init__(self, settings):
        super().__init__(settings)
        self.client_id = settings.get("loket.integrations.digitaal-ondertekenen.client_id",
                                      "loket-ondertekenen")
        self.client_secret = settings.get(
            "loket.integrations.digitaal-ondertekenen.client_secret",
            "loket-ondertekenen-secret")
        self.numbers = itertools.count(1001)
        self.tokens: set[str] = set()
        self.packages: dict[int, dict] = {}
        self.animator = None

    def forget(self) -> None:
        self.packages.clear()

    def state(self) -> dict:
        with self.lock:
            return {"packages": [
                {"package_id": number, "package_name": p["name"], "status": p["status"],
                 "users": [dict(u) for u in p["users"]],
                 "documents": [{"document_id": d, "signatures": doc["signatures"]}
                               for d, doc in p["documents"].items()]}
                for number, p in self.packages.items()]}

    # -- Routing ------------------------------------------------------------------------------

    def misbehave(self, request) -> Response | None:
        # The test PKI is a service of its own: the platform being down leaves it up.
        return None if request.path_info.startswith("/pki/") else super().misbehave(request)

    def route(self, request) -> Response:
        path, method = request.path_info.rstrip("/") or "/", request.method
        if path == TSA_PATH and method == "POST":
            return self.timestamp(request)
        if path.startswith("/pki/"):
            request.path_info_pop()
            return request.get_response(self.pki())
        if path.startswith("/web/"):
            email = path[len("/web/"):]
            if method == "POST":
                return self.sign(request, email)
            return self.page(request, email)
        if path == "/v4/status" and method == "GET":
            return json_response({"status": "ok"})
        if path == "/authenticate/single-sign-on" and method == "POST":
            return self.authenticate(request)
        if request.headers.get("Authorization", "").removeprefix("Bearer ") not in self.tokens:
            return self.error(401, "invalid or missing access token")
        if path == "/v4/packages" and method == "POST":
            return self.create(request)
        match = PACKAGE_PATH.match(path)
        if not match:
            return self.error(404, "not found")
        number, rest = int(match.group(1)), match.group(2) or ""
        with self.lock:
            package = self.packages.get(number)
        if package is None:
            return self.error(404, "no such package")
        return self.on_package(request, number, package, rest, method)

    def on_package(self, request, number, package, rest, method) -> Response:
        documents = re.match(r"^/documents/(\d+)(/fields/signature)?$", rest)
        if rest == "" and method == "DELETE":
            with self.lock:
                self.packages.pop(number, None)
            return json_response({})
        if rest == "/documents" and method == "POST":
            return self.upload(request, package)
        if rest == "/workflow/users" and method == "POST":
            return self.add_users(request, package)
        if rest == "/workflow" and method == "POST":
            return self.start(package)
        if rest == "/workflow" and method == "GET":
            return json_response({"package_id": number, "package_status": package["status"],
                                  "workflow_mode": package["mode"], "users": package["users"]})
        if documents and int(documents.group(1)) in package["documents"]:
            document = package["documents"][int(documents.group(1))]
            if documents.group(2) and method == "POST":
                return self.add_field(request, package, document)
            if not documents.group(2) and method == "GET":
                return Response(document["data"], content_type="application/pdf")
        return self.error(404, "not found")

    @staticmethod
    def error(status: int, message: str) -> Response:
        return json_response({"Message": message}, status)

    @staticmethod
    def body(request):
        if request.content_type != "application/json":
            return None
        try:
            return json.loads(request.body)
        except ValueError:
            return None

    # -- The API ------------------------------------------------------------------------------

    def authenticate(self, request) -> Response:
        body = self.body(request)
        if not isinstance(body, dict) or body.get("method") != "OAUTH2" or not all(
                isinstance(body.get(k), str) and body[k] for k in
                ("token", "profile_name", "client_id", "client_secret")):
            return self.error(400, "token, method OAUTH2, profile_name, client_id and "
                                   "client_secret are required")
        if body["token"].count(".") != 2:
            return self.error(401, "the ACM/IDM token is not a JWT")
        if (body["client_id"], body["client_secret"]) != (self.client_id, self.client_secret):
            return self.error(401, "unknown client")
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens.add(token)
        return json_response({"access_token": token, "token_type": "bearer",
                              "expires_in": 3600})

    def create(self, request) -> Response:
        body = self.body(request)
        if not isinstance(body, dict) or body.get("workflow_mode") not in WORKFLOW_MODES or \
                not isinstance(body.get("package_name"), str) or not body["package_name"]:
            return self.error(400, "workflow_mode (" + ", ".join(WORKFLOW_MODES)
                              + ") and package_name are required")
        with self.lock:
            number = next(self.numbers)
            self.packages[number] = {"name": body["package_name"], "status": "DRAFT",
                                     "mode": body["workflow_mode"], "documents": {},
                                     "users": []}
        return json_response({"package_id": number, "workflow_mode": body["workflow_mode"]})

    def upload(self, request, package) -> Response:
        data = request.body
        if request.content_type != "application/octet-stream" or \
                not request.headers.get("x-file-name"):
            return self.error(400, "send application/octet-stream with x-file-name")
        if not data.startswith(b"%PDF-") or len(data) > MAX_DOCUMENT:
            return self.error(400, "not a PDF document, or too large")
        if package["status"] != "DRAFT":
            return self.error(409, "the package is no longer a draft")
        with self.lock:
            number = next(self.numbers)
            package["documents"][number] = {"name": request.headers["x-file-name"],
                                            "data": data, "fields": [], "signatures": []}
        return json_response({"document_id": number, "document_name":
                              request.headers["x-file-name"], "document_size": len(data)})

    def add_users(self, request, package) -> Response:
        users = self.body(request)
        problems = user_problems(users)
        if problems:
            return json_response({"Message": "invalid workflow users", "problems": problems},
                                 400)
        with self.lock:
            package["users"].extend({
                "user_email": u["user_email"], "user_name": u["user_name"],
                "role": u["role"], "signing_order": u["signing_order"],
                "process_status": "UNPROCESSED", "processed_on": None} for u in users)
        return json_response([{"user_email": u["user_email"], "signing_order":
                               u["signing_order"]} for u in users])

    def add_field(self, request, package, document) -> Response:
        field = self.body(request)
        problems = field_problems(field)
        if problems:
            return json_response({"Message": "invalid signature field", "problems": problems},
                                 400)
        with self.lock:
            document["fields"].append(field)
        return json_response({"field_name": field["field_name"]})

    def start(self, package) -> Response:
        signers = [u for u in package["users"] if u["role"] == "SIGNER"]
        fields = {f["order"] for d in package["documents"].values() for f in d["fields"]}
        if not package["documents"] or not signers:
            return self.error(400, "a package needs a document and a signer to start")
        if {u["signing_order"] for u in signers} - fields:
            return self.error(400, "every signer needs a signature field")
        with self.lock:
            package["status"] = "INPROGRESS"
        return json_response({"package_id": None, "package_status": "INPROGRESS"})

    # -- The signatory's page: "teken met eID" -------------------------------------------------

    def waiting_for(self, email: str) -> list[tuple[int, dict, dict]]:
        """(package number, package, user) whose turn is ``email``'s, in order."""
        found = []
        with self.lock:
            for number, package in sorted(self.packages.items()):
                if package["status"] != "INPROGRESS":
                    continue
                users = sorted(package["users"], key=lambda u: u["signing_order"])
                turn = next((u for u in users if u["process_status"] == "UNPROCESSED"), None)
                if turn is not None and turn["user_email"] == email:
                    found.append((number, package, turn))
        return found

    def page(self, request, email: str) -> Response:
        esc = html.escape
        chosen = set(request.GET.get("packages", "").split(","))
        waiting = self.waiting_for(email)
        rows = "".join(
            f"<li><label><input type='checkbox' name='package' value='{number}'"
            f"{' checked' if str(number) in chosen or not chosen else ''}> "
            f"{esc(package['name'])}</label></li>" for number, package, _user in waiting)
        known = email in pades.PERSONA_CERTIFICATES
        form = (f"<form method='post'><input type='hidden' name='return_url' value='"
                f"{esc(request.GET.get('return_url', ''))}'><ul>{rows}</ul>"
                "<button type='submit'>Teken met eID</button></form>") if waiting and known \
            else "<p>Er wacht niets op je handtekening.</p>" if known \
            else "<p>Voor deze persoon heeft de simulator geen eID-certificaat.</p>"
        body = ("<!DOCTYPE html><html lang='nl'><head><meta charset='utf-8'><title>Digitaal "
                "Ondertekenen (simulator)</title></head><body><main><h1>Digitaal Ondertekenen "
                f"(simulator): {esc(email)}</h1>{form}</main></body></html>")
        return Response(body, content_type="text/html", charset="utf-8",
                        status=200 if known else 404)

    def sign(self, request, email: str) -> Response:
        label = pades.PERSONA_CERTIFICATES.get(email)
        if label is None:
            return self.error(404, "no eID certificate for this persona")
        chosen = set(request.POST.getall("package"))
        signer = pades.signer_for(pades.UNTRUSTED_CERTIFICATE, True) \
            if self.switches.untrusted else pades.signer_for(label)
        tsa = f"{request.host_url}{request.script_name}{TSA_PATH}"
        for number, package, user in self.waiting_for(email):
            if str(number) not in chosen:
                continue
            for document in package["documents"].values():
                field = next(f for f in document["fields"] if f["order"] ==
                             user["signing_order"])
                signed = pades.sign(document["data"], signer, field, tsa)
                with self.lock:
                    document["data"] = signed
                    document["signatures"].append(field["field_name"])
            with self.lock:
                user["process_status"] = "SIGNED"
                user["processed_on"] = _now()
                if all(u["process_status"] == "SIGNED" for u in package["users"]
                       if u["role"] == "SIGNER"):
                    package["status"] = "COMPLETED"
        back = request.POST.get("return_url", "")
        if back.startswith(("http://", "https://")):
            return HTTPSeeOther(location=back)
        return HTTPSeeOther(location=f"{request.script_name}/web/{quote(email, safe='@')}")

    @staticmethod
    def timestamp(request) -> Response:
        """RFC 3161 over HTTP (section 3.4): a TimeStampReq in, a TimeStampResp out."""
        if request.content_type != "application/timestamp-query":
            return Response("send application/timestamp-query", status=415)
        try:
            query = tsp.TimeStampReq.load(request.body)
            _ = query.native  # parse it all now: a malformed request is a 400, not a 500
        except (ValueError, TypeError):
            return Response("not a TimeStampReq", status=400)
        answer = pades.time_stamping_authority().request_tsa_response(query)
        return Response(answer.dump(), content_type="application/timestamp-reply")

    def pki(self):
        if self.animator is None:
            self.animator = Animator(AnimatorArchStore(pades.test_pki().pki_archs),
                                     with_web_ui=False)
        return self.animator


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="seconds")


def make_app(settings) -> SigningSimulator:
    refuse_production(settings, "Digitaal Ondertekenen simulator")
    return SigningSimulator(settings)
