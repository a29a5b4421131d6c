"""The collecting job asks every started package in turn: first those a signatory just went
to sign, then the longest unasked; a platform that stops answering ends the round with
nothing changed. (The real platform round trip: tests/integrations/signing.)"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from loket.db import utcnow
from loket.plugins.kinds import SourceUnavailable
from loket.plugins.registry import Kind
from loket.signing import services
from loket.signing.models import Signature
from tests.signing.conftest import started


class Platform:
    """Answers "nothing new" for every package, and remembers who was asked."""

    outbox_kind = "signing.test"
    title = "Testplatform"

    def __init__(self, down_after=None):
        self.asked = []
        self.down_after = down_after

    def signing_page(self, email, packages, return_url):
        return "https://platform.example/"

    def progress(self, package):
        if self.down_after is not None and len(self.asked) >= self.down_after:
            raise SourceUnavailable("down")
        self.asked.append(package)
        return {"status": "INPROGRESS", "signed": [], "declined": []}

    def download(self, package, document):
        raise AssertionError("nothing to download")


@pytest.fixture
def packages(dbsession, make_letter):
    rows = [started(dbsession, make_letter(), package=str(n)) for n in range(4)]
    now = utcnow()
    rows[0].polled = now - timedelta(minutes=1)  # asked a minute ago
    rows[1].polled = now - timedelta(minutes=9)  # asked longest ago
    rows[2].requested, rows[2].polled = now, now - timedelta(minutes=2)  # just sent to sign
    rows[3].polled = now - timedelta(minutes=5)
    dbsession.flush()
    return rows


def test_just_requested_first_then_longest_unasked(app, dbsession, plug_in, packages,
                                                   monkeypatch):
    platform = plug_in(Kind.SIGNING, Platform())
    monkeypatch.setattr(services, "COLLECT_BATCH", 3)
    assert services.collect(app.registry, dbsession) == {"signing_collected": 0}
    assert platform.asked == ["2", "1", "3"]
    dbsession.expire_all()
    assert packages[2].polled > packages[0].polled  # asked now: no longer first
    platform.asked.clear()
    services.collect(app.registry, dbsession)
    assert platform.asked == ["0", "1", "2"]


def test_a_platform_that_stops_answering_ends_the_round(app, dbsession, plug_in, packages):
    platform = plug_in(Kind.SIGNING, Platform(down_after=1))
    before = [p.polled for p in packages]
    assert services.collect(app.registry, dbsession) == {"signing_collected": 0,
                                                         "signing_unavailable": 1}
    assert platform.asked == ["2"]
    dbsession.expire_all()
    assert [p.polled for p in packages][:2] == before[:2] and packages[3].polled == before[3]


def _eid_like_pdf(tmp_path):
    """A PDF signed with a certificate shaped like a real eID's: a name, no function; and the
    root it chains to, as a PEM file."""
    from datetime import UTC, datetime
    from io import BytesIO

    from asn1crypto import keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    from loket.demo import demo_pdf

    def name(cn, extra=()):
        return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "BE"),
                          x509.NameAttribute(NameOID.COMMON_NAME, cn),
                          *[x509.NameAttribute(oid, value) for oid, value in extra]])

    def usage(**granted):
        flags = dict.fromkeys(("digital_signature", "content_commitment", "key_encipherment",
                               "data_encipherment", "key_agreement", "key_cert_sign",
                               "crl_sign", "encipher_only", "decipher_only"), False)
        return x509.KeyUsage(**{**flags, **granted})

    now = datetime.now(UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = name("Test Citizen CA")
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(1)
          .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(usage(key_cert_sign=True, crl_sign=True), critical=True)
          .sign(ca_key, hashes.SHA256()))
    person = name("Luc Janssens (Signature)", ((NameOID.GIVEN_NAME, "Luc"),
                                               (NameOID.SURNAME, "Janssens")))
    cert = (x509.CertificateBuilder().subject_name(person).issuer_name(ca_name)
            .public_key(key.public_key()).serial_number(2)
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .add_extension(usage(content_commitment=True), critical=True)
            .sign(ca_key, hashes.SHA256()))
    der = serialization.Encoding.DER
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(der)),
        signing_key=keys.PrivateKeyInfo.load(key.private_bytes(
            der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        cert_registry=None)
    writer = IncrementalPdfFileWriter(BytesIO(demo_pdf("Beslissing")))
    fields.append_signature_field(writer, fields.SigFieldSpec(
        services.field_name(1), on_page=0, box=(60, 60, 280, 120)))
    signed = signers.PdfSigner(signers.PdfSignatureMetadata(
        field_name=services.field_name(1), subfilter=fields.SigSeedSubFilter.PADES),
        signer=signer).sign_pdf(writer).getvalue()
    root = tmp_path / "root.pem"
    root.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return signed, str(root)


class SignedOnce(Platform):
    def __init__(self, data):
        super().__init__()
        self.data = data

    def progress(self, package):
        return {"status": "INPROGRESS", "signed": [1], "declined": []}

    def download(self, package, document):
        return self.data


def test_an_eid_certificate_names_no_function_loket_does(app, dbsession, plug_in, make_letter,
                                                          tmp_path, monkeypatch):
    data, root = _eid_like_pdf(tmp_path)
    monkeypatch.setitem(app.registry.settings, "loket.signing.trust_roots", root)
    plug_in(Kind.SIGNING, SignedOnce(data))
    letter = make_letter()
    started(dbsession, letter)
    assert services.collect(app.registry, dbsession) == {"signing_collected": 1}
    [signature] = dbsession.scalars(select(Signature)).all()
    assert (signature.signer, signature.function, signature.level) == (
        "Luc Janssens", "burgemeester", "PAdES B-B")
    assert signature.valid and signature.whole_document
    assert [s.status for s in letter.signatories] == ["signed", "waiting"]
