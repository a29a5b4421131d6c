"""E-mail notifications through a real SMTP server (aiosmtpd) on a free port."""

import datetime
import ipaddress
import smtplib
import socket
import ssl
import threading
from types import SimpleNamespace

import pytest
import webtest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationError

from loket.integrations.email import PLUGIN, refuse_unsafe, smtp_config
from loket.integrations.email.simulator import Mailbox, MailboxApp
from loket.integrations.email.smtp import SmtpConfig, make_deliverer, probe
from loket.notifications.messages import message_context, render_email
from loket.outbox import PermanentFailure, TemporaryFailure
from loket.workflow.engine import workflow_of

FROM = "loket@heidebeek.example"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A running aiosmtpd server with a :class:`Mailbox` handler."""

    def __init__(self, **kwargs):
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port,
                                     server_hostname="mail.test", **kwargs)
        self.controller.start()

    def config(self, **overrides) -> SmtpConfig:
        return SmtpConfig(**{"host": "127.0.0.1", "port": self.port, "tls": "none",
                             "from_address": FROM, "from_name": "Gemeente Heidebeek",
                             "timeout": 5.0, "helo_name": "loket.test", **overrides})

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def server():
    running = Server()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1: (cert path, key path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mail.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"),
                x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


def _server_context(certificate):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def _message(payload, key="0123456789abcdef0123456789abcdef"):
    return SimpleNamespace(payload=payload, idempotency_key=key, kind="email")


CONTEXT = SimpleNamespace(settings={}, registry=None, http=None, timeout=5)


def _payload(to="jan.peeters@example.org", language="nl", dossier=None, state=None):
    context = message_context(dossier, state, language, municipality="Gemeente Heidebeek",
                              public_url="https://loket.heidebeek.example", given_name="Jan")
    email = render_email(context, language)
    return {"to": to, "subject": email.subject, "text": email.text, "html": email.html,
            "language": language, "dossier": dossier.reference}


@pytest.fixture
def dossier(factories):
    return factories.dossier(state="ontvankelijk", title="Verwarmingstoelage")


def _state(dossier, name=None):
    return workflow_of(dossier).states[name or dossier.state]


@pytest.mark.parametrize("language,subject,greeting,body_text", [
    ("nl", "Je dossier {ref} is nu: Ontvankelijk", "Beste Jan,",
     "Je aanvraag is volledig en ontvankelijk."),
    ("en", "Your dossier {ref} is now: Admissible", "Dear Jan,",
     "Your application is complete and admissible."),
])
def test_message_arrives_with_text_and_html_parts(server, dossier, language, subject, greeting,
                                                  body_text):
    key = "5f1e3c0a9b8d4e2f8a7b6c5d4e3f2a1b"
    deliver = make_deliverer(server.config())
    deliver(_message(_payload(language=language, dossier=dossier, state=_state(dossier)), key),
            CONTEXT)

    [received] = server.mailbox.received()
    assert received.mail_from == FROM
    assert received.rcpt_tos == ["jan.peeters@example.org"]
    message = received.message
    assert message["Subject"] == subject.format(ref=dossier.reference)
    assert message["Message-ID"] == f"<{key}@heidebeek.example>"
    assert message["From"] == f"Gemeente Heidebeek <{FROM}>"
    assert message["To"] == "jan.peeters@example.org"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == language
    assert message.get_content_type() == "multipart/alternative"
    text, html = received.part("plain"), received.part("html")
    link = f"https://loket.heidebeek.example/dossiers/{dossier.reference}/"
    assert greeting in text and body_text in text and link in text
    assert greeting in html and body_text in html and f'href="{link}"' in html
    assert f'<html lang="{language}">' in html


def test_a_redelivery_carries_the_same_message_id(server, dossier):
    deliver = make_deliverer(server.config())
    message = _message(_payload(dossier=dossier, state=_state(dossier)))
    deliver(message, CONTEXT)
    deliver(message, CONTEXT)
    first, second = server.mailbox.received()
    assert first.message["Message-ID"] == second.message["Message-ID"]


def test_accents_survive(server, dossier):
    dossier.title = "Premie voor isolatie – één woning"
    dossier.outcome = "approved"  # told with the decision letter, in the state after it
    deliver = make_deliverer(server.config())
    deliver(_message(_payload(dossier=dossier, state=_state(dossier, "beslissing_verzonden"))),
            CONTEXT)
    [received] = server.mailbox.received()
    assert "één woning" in received.part("plain") and "één woning" in received.part("html")
    assert received.message["Subject"].startswith("Beslissing over je dossier")


def test_recipient_refused_with_550_is_permanent(server, dossier):
    deliver = make_deliverer(server.config())
    with pytest.raises(PermanentFailure) as refused:
        deliver(_message(_payload("bounce.jan@example.org", dossier=dossier,
                                  state=_state(dossier))), CONTEXT)
    assert str(refused.value) == "SMTP 550 5.1.1: the recipient was refused"
    assert "example.org" not in str(refused.value)
    assert refused.value.__suppress_context__  # the address-carrying original stays out
    assert server.mailbox.received() == []


def test_recipient_refused_with_451_is_temporary(server, dossier):
    deliver = make_deliverer(server.config())
    with pytest.raises(TemporaryFailure, match="SMTP 451 4.3.0"):
        deliver(_message(_payload("tempfail@example.org", dossier=dossier,
                                  state=_state(dossier))), CONTEXT)


def test_server_down_is_temporary(dossier):
    config = SmtpConfig(host="127.0.0.1", port=free_port(), tls="none", from_address=FROM,
                        timeout=2.0, helo_name="loket.test")
    with pytest.raises(TemporaryFailure, match="unreachable: ConnectionRefusedError"):
        make_deliverer(config)(_message(_payload(dossier=dossier, state=_state(dossier))),
                               CONTEXT)


def test_server_that_never_answers_is_temporary(dossier):
    with socket.socket() as listener:  # accepts the connection, never greets
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        config = SmtpConfig(host="127.0.0.1", port=listener.getsockname()[1], tls="none",
                            from_address=FROM, timeout=0.5, helo_name="loket.test")
        with pytest.raises(TemporaryFailure, match="unreachable"):
            make_deliverer(config)(_message(_payload(dossier=dossier, state=_state(dossier))),
                                   CONTEXT)


def test_data_refused_with_554_is_permanent(dossier):
    class Refusing(Mailbox):
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            return "554 5.6.0 Message content rejected"

    running = Server()
    running.stop()
    running.controller = Controller(Refusing(), hostname="127.0.0.1", port=running.port,
                                    server_hostname="mail.test")
    running.controller.start()
    try:
        with pytest.raises(PermanentFailure, match="SMTP 554 5.6.0: the message was refused"):
            make_deliverer(running.config())(
                _message(_payload(dossier=dossier, state=_state(dossier))), CONTEXT)
    finally:
        running.stop()


# --- TLS and login --------------------------------------------------------------------------

def _authenticator(server, session, envelope, mechanism, auth_data):
    given = [v.decode() if isinstance(v, bytes) else v
             for v in (auth_data.login, auth_data.password)]
    # handled=False: aiosmtpd answers the 235/535 itself.
    return AuthResult(success=given == ["loket", "geheim"], handled=False)


@pytest.fixture
def starttls_server(certificate):
    running = Server(tls_context=_server_context(certificate), require_starttls=True,
                     authenticator=_authenticator, auth_required=True)
    yield running
    running.stop()


def test_starttls_with_login(starttls_server, certificate, dossier):
    config = starttls_server.config(tls="starttls", ca_file=certificate[0], username="loket",
                                    password="geheim")
    make_deliverer(config)(_message(_payload(dossier=dossier, state=_state(dossier))), CONTEXT)
    assert len(starttls_server.mailbox.received()) == 1


def test_wrong_password_is_temporary(starttls_server, certificate, dossier):
    config = starttls_server.config(tls="starttls", ca_file=certificate[0], username="loket",
                                    password="fout")
    with pytest.raises(TemporaryFailure, match="SMTP 535 .*login refused"):
        make_deliverer(config)(_message(_payload(dossier=dossier, state=_state(dossier))),
                               CONTEXT)
    assert starttls_server.mailbox.received() == []


def test_untrusted_certificate_is_refused(starttls_server, dossier):
    config = starttls_server.config(tls="starttls", username="loket", password="geheim")
    with pytest.raises(TemporaryFailure, match="SSLCertVerificationError"):
        make_deliverer(config)(_message(_payload(dossier=dossier, state=_state(dossier))),
                               CONTEXT)
    assert starttls_server.mailbox.received() == []


def test_starttls_required_but_not_offered_is_temporary(server, dossier):
    with pytest.raises(TemporaryFailure, match="does not offer"):
        make_deliverer(server.config(tls="starttls"))(
            _message(_payload(dossier=dossier, state=_state(dossier))), CONTEXT)


def test_implicit_tls(certificate, dossier):
    running = Server(ssl_context=_server_context(certificate))
    try:
        config = running.config(tls="implicit", ca_file=certificate[0])
        make_deliverer(config)(_message(_payload(dossier=dossier, state=_state(dossier))),
                               CONTEXT)
        assert len(running.mailbox.received()) == 1
        assert probe(config) == {"status": "ok"}
    finally:
        running.stop()


# --- health, options, the development mailbox ---------------------------------------------

def test_probe(server, starttls_server, certificate):
    assert probe(server.config()) == {"status": "ok"}
    assert probe(starttls_server.config(tls="starttls", ca_file=certificate[0])) == {
        "status": "ok"}
    server.stop()
    with pytest.raises(OSError):
        probe(server.config())


def _options(**settings):
    return PLUGIN.options.deserialize({"host": "smtp.gemeente.be", "from_address": FROM,
                                       **settings})


def test_options_defaults_and_ports():
    options = _options()
    assert (options["tls"], options["port"], options["timeout"]) == ("starttls", 0, 10.0)
    settings = {"loket.public_url": "https://loket.heidebeek.be",
                "loket.municipality.name": "Gemeente Heidebeek"}
    config = smtp_config(options, settings)
    assert (config.port, config.helo_name, config.from_name) == (
        587, "loket.heidebeek.be", "Gemeente Heidebeek")
    assert smtp_config(_options(tls="implicit"), settings).port == 465
    assert smtp_config(_options(tls="none", port="2525"), settings).port == 2525


def test_unsafe_settings_are_refused():
    production = {"loket.environment": "production"}
    with pytest.raises(ConfigurationError, match="never sent unencrypted"):
        refuse_unsafe(_options(tls="none", username="loket", password="x"), {})
    with pytest.raises(ConfigurationError, match="only allowed to a relay on this machine"):
        refuse_unsafe(_options(tls="none"), production)
    refuse_unsafe(_options(tls="none", host="127.0.0.1"), production)  # local relay: fine
    with pytest.raises(Exception, match="from_address"):
        PLUGIN.options.deserialize({"host": "x"})


def test_plugin_sets_up_deliverer_and_health_check(server):
    from loket.plugins.registry import activate

    settings = {"loket.environment": "test", "loket.public_url": "http://localhost",
                "loket.integrations.notification": "email",
                "loket.integrations.email.host": "127.0.0.1",
                "loket.integrations.email.port": str(server.port),
                "loket.integrations.email.tls": "none",
                "loket.integrations.email.from_address": FROM}
    with Configurator(settings=settings) as config:
        config.include("loket.health")
        config.include("loket.outbox")
        config.include("loket.plugins")
        config.include("loket.integrations.email")
        activate(config)
    registry = config.registry
    assert "email" in registry["loket.outbox.deliverers"]
    check = registry["loket.health.integration_checks"]["email"]
    assert check(registry.settings) == {"status": "ok"}


def test_mailbox_pages(server, dossier):
    make_deliverer(server.config())(_message(_payload(dossier=dossier, state=_state(dossier))),
                                    CONTEXT)
    browser = webtest.TestApp(MailboxApp(server.mailbox))
    index = browser.get("/")
    assert f"Je dossier {dossier.reference} is nu: Ontvankelijk" in index.text
    shown = browser.get("/1")
    assert "Beste Jan," in shown.text and "Message-ID" in shown.text
    html = browser.get("/1/html")
    assert html.headers["Content-Security-Policy"].startswith("sandbox")
    assert browser.get("/messages.json").json[0]["rcpt_tos"] == ["jan.peeters@example.org"]
    browser.post("/_reset", status=204)
    assert server.mailbox.received() == []
    browser.get("/1", status=404)


def test_many_deliveries_in_parallel(server, dossier):
    deliver = make_deliverer(server.config())
    payload = _payload(dossier=dossier, state=_state(dossier))
    threads = [threading.Thread(target=deliver, args=(_message(payload, f"{n:032x}"), CONTEXT))
               for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    ids = {m.message["Message-ID"] for m in server.mailbox.received()}
    assert len(ids) == 8


def test_smtplib_is_not_left_connected(server, dossier, monkeypatch):
    closed = []
    original = smtplib.SMTP.close
    monkeypatch.setattr(smtplib.SMTP, "close", lambda self: closed.append(1) or original(self))
    make_deliverer(server.config())(_message(_payload(dossier=dossier, state=_state(dossier))),
                                    CONTEXT)
    assert closed


@pytest.mark.parametrize("name", [
    "Financiële dienst, OCMW",
    'Dienst "Welzijn"; OCMW Heidebeek',
    "Sociale dienst; OCMW, Heidebeek – één loket",
    "Gemeente Heidebeek",
])
def test_sender_name_with_separators_and_accents_is_one_address(server, dossier, name):
    deliver = make_deliverer(server.config(from_name=name, reply_to="info@heidebeek.example"))
    deliver(_message(_payload(dossier=dossier, state=_state(dossier))), CONTEXT)

    [received] = server.mailbox.received()
    raw_from = next(line for line in received.raw.split(b"\r\n") if line.startswith(b"From:"))
    assert raw_from.isascii()  # RFC 5322 header: non-ASCII only as encoded words
    [sender] = received.message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (name, FROM)
    [to] = received.message["To"].addresses
    assert to.addr_spec == "jan.peeters@example.org"
    [reply_to] = received.message["Reply-To"].addresses
    assert reply_to.addr_spec == "info@heidebeek.example"


@pytest.mark.parametrize("to", ["jan peeters@example.org", "jan", "jan@example.org\r\nBcc: x@y.be"])
def test_malformed_recipient_is_permanent_without_the_address(server, dossier, to):
    deliver = make_deliverer(server.config())
    with pytest.raises(PermanentFailure) as failure:
        deliver(_message(_payload(to=to, dossier=dossier, state=_state(dossier))), CONTEXT)
    assert "jan" not in str(failure.value) and "not a valid e-mail address" in str(failure.value)
    assert server.mailbox.received() == []
