"""The WS-Security signature of the SOAP Body (production MAGDA): signed by the client,
verified by the simulator over real HTTP; unsigned, tampered or foreign questions refused."""

import datetime

import colander
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree

from loket.integrations.magda import soap, wssecurity
from loket.integrations.magda.client import MagdaClient
from tests.fixtures.magda import JAN, magda_options


def _pair(name="heidebeek.loket.test"):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    return (key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()),
            cert.public_bytes(serialization.Encoding.PEM))


@pytest.fixture(scope="module")
def pair():
    return _pair()


def _question():
    return soap.build_request(soap.GEEF_PERSOON, identificatie="heidebeek.loket.test",
                              hoedanigheid="1234", referte="r-1",
                              criteria={"INSZ": JAN})


def test_a_signed_body_verifies_and_a_changed_one_does_not(pair):
    key, cert = pair
    signed = wssecurity.sign_body(_question(), key, cert)
    assert b"BinarySecurityToken" in signed and b"SignatureValue" in signed
    wssecurity.verify_body(signed, cert)
    with pytest.raises(wssecurity.SignatureInvalid, match="does not verify"):
        wssecurity.verify_body(signed.replace(JAN.encode(), b"85630100161"), cert)
    with pytest.raises(wssecurity.SignatureInvalid, match="no WS-Security"):
        wssecurity.verify_body(_question(), cert)
    _other_key, other_cert = _pair("someone-else")
    with pytest.raises(wssecurity.SignatureInvalid, match="not the expected certificate"):
        wssecurity.verify_body(signed, other_cert)


@pytest.mark.parametrize("settings", [
    {"signature_algorithm": "rsa-sha1", "digest_algorithm": "sha1",
     "certificate_reference": "pkipath"},  # the reference connector's choice
    {"signature_algorithm": "rsa-sha256", "digest_algorithm": "sha1",
     "certificate_reference": "x509v3"},
])
def test_signing_settings_verify_and_show_in_the_signature(pair, settings):
    key, cert = pair
    signed = wssecurity.sign_body(_question(), key, cert, **settings)
    wssecurity.verify_body(signed, cert)
    root = etree.fromstring(signed)
    method = root.xpath("//ds:SignatureMethod/@Algorithm", namespaces={"ds": wssecurity.DS})
    digest = root.xpath("//ds:DigestMethod/@Algorithm", namespaces={"ds": wssecurity.DS})
    assert method[0].endswith(settings["signature_algorithm"])
    assert digest[0].endswith("#" + settings["digest_algorithm"])
    token_type = root.xpath("//*[local-name()='BinarySecurityToken']/@ValueType")[0]
    assert token_type.endswith("X509PKIPathv1" if settings["certificate_reference"] == "pkipath"
                               else "X509v3")
    reference = root.xpath("//*[local-name()='SecurityTokenReference']/*/@ValueType")[0]
    assert reference == token_type
    with pytest.raises(wssecurity.SignatureInvalid):
        wssecurity.verify_body(signed.replace(JAN.encode(), b"85630100161"), cert)


def test_unknown_signing_settings_are_refused_at_start_up(magda_sim):
    with pytest.raises(colander.Invalid) as raised:
        magda_options(magda_sim.url, signature_algorithm="dsa-sha1", certificate_reference="x")
    assert set(raised.value.asdict()) == {"signature_algorithm", "certificate_reference"}


def test_the_client_signs_and_the_simulator_checks(magda_sim, pair, tmp_path):
    key, cert = pair
    (tmp_path / "key.pem").write_bytes(key)
    (tmp_path / "cert.pem").write_bytes(cert)
    magda_sim.control(signature_cert=cert.decode())
    unsigned = MagdaClient(magda_options(magda_sim.url))
    with pytest.raises(soap.MagdaError):
        unsigned.geef_persoon(JAN, referte="r-unsigned")
    signing = MagdaClient(magda_options(
        magda_sim.url, sign_body="true", signing_key_file=str(tmp_path / "key.pem"),
        signing_cert_file=str(tmp_path / "cert.pem")))
    person = signing.geef_persoon(JAN, referte="r-signed")
    assert person.family_name == "Peeters"
    assert magda_sim.counters()["refused_signature"] == 1
