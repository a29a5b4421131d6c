"""Sending one notification e-mail over SMTP, and the health probe.

Failures become outbox outcomes: a 5xx reply to the recipient, the sender or the data is
:class:`PermanentFailure` (this message can never go through as it is); a 4xx reply, a refused
connection, a timeout, a TLS problem and a rejected login are :class:`TemporaryFailure` (the
server or our own settings are at fault: retried, and delivered once fixed, without anyone
pressing resend). Error texts carry the reply code and enhanced status code only, never the
server's words: those often repeat the recipient's address.
"""

import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formataddr, formatdate

from loket.outbox import PermanentFailure, TemporaryFailure

DEFAULT_PORTS = {"none": 25, "starttls": 587, "implicit": 465}
PROBE_TIMEOUT = 2.0  # seconds; the health page must answer quickly
_ENHANCED_CODE = re.compile(rb"^\s*([245]\.\d{1,3}\.\d{1,3})\b")


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    tls: str  # "starttls" | "implicit" | "none"
    from_address: str
    from_name: str = ""
    reply_to: str = ""
    username: str = ""
    password: str = ""
    timeout: float = 10.0
    ca_file: str = ""  # a private CA to trust besides the system's (tests, internal relays)
    helo_name: str = "localhost"

    @property
    def domain(self) -> str:
        return self.from_address.rpartition("@")[2]


def message_id(idempotency_key: str, config: SmtpConfig) -> str:
    """Stable across redeliveries, so a receiver (and a person) can tell a duplicate."""
    return f"<{idempotency_key}@{config.domain}>"


def build_message(payload: dict, config: SmtpConfig, idempotency_key: str) -> EmailMessage:
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = formataddr((config.from_name, config.from_address))
    message["To"] = payload["to"]
    if config.reply_to:
        message["Reply-To"] = config.reply_to
    message["Subject"] = payload["subject"]
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id(idempotency_key, config)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    message.set_content(payload["text"], charset="utf-8")
    message.add_alternative(payload["html"], subtype="html", charset="utf-8")
    if payload.get("language"):  # after the content: set_content clears Content-* headers
        message["Content-Language"] = payload["language"]
    return message


def _tls_context(config: SmtpConfig) -> ssl.SSLContext:
    # Verification always on; ca_file adds a CA, it never switches checking off.
    context = ssl.create_default_context()
    if config.ca_file:
        context.load_verify_locations(cafile=config.ca_file)
    return context


def connect(config: SmtpConfig, timeout: float | None = None) -> smtplib.SMTP:
    """An open, greeted (and, as configured, encrypted and logged-in) connection."""
    timeout = config.timeout if timeout is None else timeout
    if config.tls == "implicit":
        smtp = smtplib.SMTP_SSL(config.host, config.port, local_hostname=config.helo_name,
                                timeout=timeout, context=_tls_context(config))
    else:
        smtp = smtplib.SMTP(config.host, config.port, local_hostname=config.helo_name,
                            timeout=timeout)
    try:
        smtp.ehlo()
        if config.tls == "starttls":
            smtp.starttls(context=_tls_context(config))
            smtp.ehlo()
        return smtp
    except BaseException:
        smtp.close()
        raise


def _code_text(code: int, reply: bytes | str | None) -> str:
    if isinstance(reply, str):
        reply = reply.encode("utf-8", "replace")
    match = _ENHANCED_CODE.match(reply or b"")
    return f"SMTP {code} {match.group(1).decode()}" if match else f"SMTP {code}"


def failure_of(exc: Exception) -> Exception:
    """The outbox outcome of an SMTP exception; its text holds no address."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = list(exc.recipients.values()) or [(0, b"")]
        code, reply = replies[0]
        text = f"{_code_text(code, reply)}: the recipient was refused"
        if all(500 <= c < 600 for c, _ in replies):
            return PermanentFailure(text)
        return TemporaryFailure(text)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return TemporaryFailure(f"{_code_text(exc.smtp_code, exc.smtp_error)}: login refused "
                                "(check the username and password settings)")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return TemporaryFailure("the SMTP server does not offer what the settings ask "
                                "(STARTTLS or AUTH)")
    if isinstance(exc, (smtplib.SMTPConnectError, smtplib.SMTPHeloError)):
        return TemporaryFailure(f"{_code_text(exc.smtp_code, exc.smtp_error)}: "
                                "the server refused the connection")
    if isinstance(exc, smtplib.SMTPResponseException):  # sender or data refused
        what = "sender" if isinstance(exc, smtplib.SMTPSenderRefused) else "message"
        text = f"{_code_text(exc.smtp_code, exc.smtp_error)}: the {what} was refused"
        return PermanentFailure(text) if 500 <= exc.smtp_code < 600 else TemporaryFailure(text)
    return TemporaryFailure(f"SMTP server unreachable: {type(exc).__name__}")


def send(message: EmailMessage, config: SmtpConfig) -> None:
    try:
        with connect(config) as smtp:
            if config.username:
                smtp.login(config.username, config.password)
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:  # OSError: refused, timeout, TLS, DNS
        # "from None": the original exception's arguments can hold the recipient's address,
        # and a chained traceback would print them in the worker's log.
        raise failure_of(exc) from None


def make_deliverer(config: SmtpConfig):
    def deliver(message, context):
        """Outbox deliverer of ``email`` messages (payload: to, subject, text, html)."""
        send(build_message(message.payload, config, message.idempotency_key), config)

    deliver.__name__ = "deliver_email"
    return deliver


def probe(config: SmtpConfig) -> dict:
    """Connect, greet (STARTTLS as configured) and NOOP; no login, no message."""
    with connect(config, timeout=PROBE_TIMEOUT) as smtp:
        code, _ = smtp.noop()
    if code != 250:
        return {"status": "error", "error": "SMTPReply"}
    return {"status": "ok"}
