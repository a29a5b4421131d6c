"""The development mailbox: an SMTP sink (aiosmtpd) and a page that lists what it received.

``loket simulators`` mounts the page at ``/mailbox/`` and, when ``loket.simulators.smtp_port``
is set, starts the SMTP server on that port (``loket.simulators.host``) in a thread of its own.
Messages live in memory (the newest 200). Tests run :class:`Mailbox` in their own aiosmtpd
``Controller`` on a free port and read ``Mailbox.messages``.

Recipients steer the sink like personas: a local part starting with ``bounce`` is refused with
``550 5.1.1``, one starting with ``tempfail`` with ``451 4.3.0``; anyone else is accepted.

Pages: ``GET /`` lists the messages, ``GET /<n>`` shows one (headers and text part),
``GET /<n>/html`` its HTML part (sandboxed by CSP), ``GET /messages.json`` all of them as
JSON, ``POST /_reset`` empties the mailbox.
"""

import email
import html
import json
import logging
import threading
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from email.policy import default as default_policy

from pyramid.exceptions import ConfigurationError
from webob import Request, Response

from loket.settings import is_production

KEEP = 200
PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'"
# The HTML part is shown as its own sandboxed document: no script, no form, no request.
MAIL_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@dataclass
class Received:
    number: int
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    received: datetime

    @property
    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.raw, policy=default_policy)

    def part(self, subtype: str) -> str | None:
        body = self.message.get_body(preferencelist=(subtype,))
        return body.get_content() if body is not None else None

    def as_json(self) -> dict:
        message = self.message
        return {"number": self.number, "mail_from": self.mail_from, "rcpt_tos": self.rcpt_tos,
                "subject": str(message["Subject"] or ""), "message_id": message["Message-ID"],
                "received": self.received.isoformat(), "text": self.part("plain"),
                "html": self.part("html")}


class Mailbox:
    """aiosmtpd handler that keeps what it receives."""

    def __init__(self, keep: int = KEEP):
        self.lock = threading.Lock()
        self.messages: deque[Received] = deque(maxlen=keep)
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        local = address.partition("@")[0].lower()
        if local.startswith("bounce"):
            return "550 5.1.1 Mailbox unavailable"
        if local.startswith("tempfail"):
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        raw = envelope.original_content or envelope.content
        with self.lock:
            self.count += 1
            self.messages.append(Received(self.count, envelope.mail_from,
                                          list(envelope.rcpt_tos), raw, datetime.now(UTC)))
        return "250 2.0.0 Message accepted"

    def received(self) -> list[Received]:
        with self.lock:
            return list(self.messages)

    def reset(self):
        with self.lock:
            self.messages.clear()


def _page(title: str, body: str) -> Response:
    document = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
                f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;"
                f"margin:2em;max-width:60em}}td,th{{padding:.3em .8em;text-align:left}}"
                f"pre{{white-space:pre-wrap;background:#f4f5f7;padding:1em}}</style></head>"
                f"<body>{body}</body></html>")
    response = Response(document, content_type="text/html", charset="utf-8")
    response.headers.update({"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-store",
                             "X-Content-Type-Options": "nosniff"})
    return response


class MailboxApp:
    """WSGI: the mailbox's pages."""

    def __init__(self, mailbox: Mailbox):
        self.mailbox = mailbox

    def __call__(self, environ, start_response):
        request = Request(environ)
        return self.dispatch(request)(environ, start_response)

    def dispatch(self, request) -> Response:
        path = request.path_info.strip("/")
        if request.method == "POST" and path == "_reset":
            self.mailbox.reset()
            return Response(status=204)
        if request.method != "GET":
            return Response("method not allowed", status=405, content_type="text/plain")
        if path == "":
            return self.index()
        if path == "messages.json":
            return Response(json.dumps([m.as_json() for m in self.mailbox.received()]),
                            content_type="application/json", charset="utf-8")
        number, _, part = path.partition("/")
        found = next((m for m in self.mailbox.received() if str(m.number) == number), None)
        if found is None or part not in ("", "html"):
            return Response("no such message", status=404, content_type="text/plain")
        return self.html_part(found) if part else self.show(found)

    def index(self) -> Response:
        rows = "".join(
            f'<tr><td><a href="{m.number}">{m.number}</a></td>'
            f"<td>{html.escape(m.received.strftime('%H:%M:%S'))}</td>"
            f"<td>{html.escape(', '.join(m.rcpt_tos))}</td>"
            f"<td>{html.escape(str(m.message['Subject'] or ''))}</td></tr>"
            for m in reversed(self.mailbox.received()))
        return _page("Mailbox", "<h1>Mailbox</h1><p>What Loket sent through the SMTP sink, "
                     "newest first.</p><table><tr><th>#</th><th>Time</th><th>To</th>"
                     f"<th>Subject</th></tr>{rows}</table>")

    def show(self, received: Received) -> Response:
        message = received.message
        headers = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                          for k, v in message.items())
        text = received.part("plain") or ""
        link = '<p><a href="html">HTML part</a></p>' if received.part("html") else ""
        return _page(f"Message {received.number}",
                     f'<p><a href="../">Mailbox</a></p><h1>Message {received.number}</h1>'
                     f"<table>{headers}</table>{link}<pre>{html.escape(text)}</pre>")

    def html_part(self, received: Received) -> Response:
        response = Response(received.part("html") or "", content_type="text/html",
                            charset="utf-8")
        response.headers.update({"Content-Security-Policy": MAIL_CSP,
                                 "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
        return response


def start_smtp(mailbox: Mailbox, host: str, port: int):
    """Run an aiosmtpd server for ``mailbox`` in a background thread; returns the controller
    (``.stop()`` ends it)."""
    from aiosmtpd.controller import Controller  # a development and test dependency only

    # aiosmtpd logs every command at INFO, addresses included: keep the console to problems.
    logging.getLogger("mail.log").setLevel(logging.WARNING)

    # server_hostname: the greeting's name, without a slow reverse DNS lookup (getfqdn).
    controller = Controller(mailbox, hostname=host, port=port, server_hostname="mailbox.localhost")
    controller.start()
    return controller


def make_app(settings) -> MailboxApp:
    if is_production(settings):
        raise ConfigurationError("The mailbox simulator never runs with production settings.")
    mailbox = Mailbox()
    port = settings.get("loket.simulators.smtp_port")
    if port:
        start_smtp(mailbox, settings.get("loket.simulators.host", "127.0.0.1"), int(port))
    return MailboxApp(mailbox)
