"""WS-Security signature of the SOAP Body, as MAGDA requires in production (INTEGRATIONS.md §2).

The question's ``soapenv:Header`` gets a ``wsse:Security`` header holding the organisation's
X.509 certificate (``wsse:BinarySecurityToken``) and an XML signature (signxml) over the
``soapenv:Body``, referenced by its ``wsu:Id``, canonicalised with exclusive C14N; the
signature's ``KeyInfo`` points at the token (``wsse:SecurityTokenReference``), the layout of
MAGDA's reference connector. The algorithms and the token are settings
(:func:`settings_of`, ``options.py``): by default RSA-SHA256 with SHA-256 digests and a single
X509v3 token; the reference connector signs RSA-SHA1 (SHA-1 digests) with an X509PKIPathv1
token, which a service that accepts only that can be given at onboarding.

The simulator verifies with :func:`verify_body` when it is given the certificate, so the tests
prove a real signature, not its shape.
"""

import base64
import uuid

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConstructionMethod,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
)
from signxml.verifier import SignatureConfiguration

from loket.integrations.magda.soap import SOAP_NS

WSSE = ("http://docs.oasis-open.org/wss/2004/01/"
        "oasis-200401-wss-wssecurity-secext-1.0.xsd")
WSU = ("http://docs.oasis-open.org/wss/2004/01/"
       "oasis-200401-wss-wssecurity-utility-1.0.xsd")
DS = "http://www.w3.org/2000/09/xmldsig#"
X509_V3_TYPE = ("http://docs.oasis-open.org/wss/2004/01/"
              "oasis-200401-wss-x509-token-profile-1.0#X509v3")
PKIPATH_TYPE = ("http://docs.oasis-open.org/wss/2004/01/"
                "oasis-200401-wss-x509-token-profile-1.0#X509PKIPathv1")
BASE64 = ("http://docs.oasis-open.org/wss/2004/01/"
          "oasis-200401-wss-soap-message-security-1.0#Base64Binary")


SIGNATURE_METHODS = {"rsa-sha256": SignatureMethod.RSA_SHA256,
                     "rsa-sha1": SignatureMethod.RSA_SHA1}
DIGESTS = {"sha256": DigestAlgorithm.SHA256, "sha1": DigestAlgorithm.SHA1}
TOKEN_TYPES = {"x509v3": X509_V3_TYPE, "pkipath": PKIPATH_TYPE}


def settings_of(options: dict) -> dict:
    """The signing settings among the MAGDA options (defaults: see options.py)."""
    return {"signature_algorithm": options.get("signature_algorithm") or "rsa-sha256",
            "digest_algorithm": options.get("digest_algorithm") or "sha256",
            "certificate_reference": options.get("certificate_reference") or "x509v3"}


class _Signer(XMLSigner):
    def check_deprecated_methods(self):
        # SHA-1 only when the settings ask for it (a service that accepts nothing else).
        pass


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _pkipath(certificates: list[bytes]) -> bytes:
    """PkiPath ::= SEQUENCE OF Certificate (DER), the issuer first, ours last."""
    content = b"".join(certificates)
    return b"\x30" + _der_length(len(content)) + content


def _der_items(data: bytes) -> list[bytes]:
    """The TLV items of a DER SEQUENCE's content."""
    if not data or data[0] != 0x30:
        raise ValueError("not a SEQUENCE")

    def read(offset):
        length, offset = data[offset + 1], offset + 2
        if length & 0x80:
            size = length & 0x7F
            length, offset = int.from_bytes(data[offset:offset + size], "big"), offset + size
        return offset, length

    start, length = read(0)
    items, offset = [], start
    while offset < start + length:
        begin = offset
        body, size = read(offset)
        offset = body + size
        items.append(data[begin:offset])
    return items


class SignatureInvalid(ValueError):
    """The question is not signed, or not by the expected certificate, or not its Body."""


def _parse(envelope: bytes) -> etree._Element:
    from loket.integrations.magda.soap import parse_xml

    return parse_xml(envelope)


def sign_body(envelope: bytes, key_pem: bytes, cert_pem: bytes, *,
              signature_algorithm: str = "rsa-sha256", digest_algorithm: str = "sha256",
              certificate_reference: str = "x509v3") -> bytes:
    """``envelope`` with a WS-Security header signing its Body."""
    root = _parse(envelope)
    header = root.find(f"{{{SOAP_NS}}}Header")
    if header is None:
        header = etree.Element(f"{{{SOAP_NS}}}Header")
        root.insert(0, header)
    body = root.find(f"{{{SOAP_NS}}}Body")
    body_id = f"Body-{uuid.uuid4().hex}"
    body.set(f"{{{WSU}}}Id", body_id)

    certificate = x509.load_pem_x509_certificate(cert_pem)
    token_id = f"X509-{uuid.uuid4().hex}"
    security = etree.SubElement(header, f"{{{WSSE}}}Security", nsmap={"wsse": WSSE, "wsu": WSU})
    security.set(f"{{{SOAP_NS}}}mustUnderstand", "1")
    value_type = TOKEN_TYPES[certificate_reference]
    token = etree.SubElement(security, f"{{{WSSE}}}BinarySecurityToken",
                             EncodingType=BASE64, ValueType=value_type)
    token.set(f"{{{WSU}}}Id", token_id)
    der = certificate.public_bytes(Encoding.DER)
    token.text = base64.b64encode(_pkipath([der]) if certificate_reference == "pkipath" else der
                                  ).decode("ascii")

    key_info = etree.Element(f"{{{DS}}}KeyInfo", nsmap={"ds": DS})
    etree.SubElement(
        etree.SubElement(key_info, f"{{{WSSE}}}SecurityTokenReference", nsmap={"wsse": WSSE}),
        f"{{{WSSE}}}Reference", URI=f"#{token_id}", ValueType=value_type)
    signer = _Signer(method=SignatureConstructionMethod.detached,
                     signature_algorithm=SIGNATURE_METHODS[signature_algorithm],
                     digest_algorithm=DIGESTS[digest_algorithm],
                     c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)
    signature = signer.sign(root, key=key_pem, reference_uri=[f"#{body_id}"], key_info=key_info,
                            id_attribute="Id")
    security.append(signature)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def verify_body(envelope: bytes, cert_pem: bytes) -> None:
    """Raise :class:`SignatureInvalid` unless the Body is signed by ``cert_pem``'s key and the
    header carries that same certificate."""
    root = _parse(envelope)
    security = root.find(f"{{{SOAP_NS}}}Header/{{{WSSE}}}Security")
    if security is None:
        raise SignatureInvalid("no WS-Security header")
    token = security.find(f"{{{WSSE}}}BinarySecurityToken")
    expected = x509.load_pem_x509_certificate(cert_pem).public_bytes(Encoding.DER)
    try:
        value = base64.b64decode(token.text or "") if token is not None else b""
        if token is not None and token.get("ValueType") == PKIPATH_TYPE:
            value = _der_items(value)[-1]
    except (ValueError, IndexError):
        value = b""
    if value != expected:
        raise SignatureInvalid("the security token is not the expected certificate")
    body = root.find(f"{{{SOAP_NS}}}Body")
    try:
        result = XMLVerifier().verify(
            root, x509_cert=cert_pem, id_attribute="Id",
            # The reference connector's SHA-1 is accepted here: MAGDA accepts it too.
            expect_config=SignatureConfiguration(
                expect_references=1, signature_methods=frozenset(SIGNATURE_METHODS.values()),
                digest_algorithms=frozenset(DIGESTS.values())))
    except Exception as error:  # signxml raises several types; all mean "not valid"
        raise SignatureInvalid(f"the signature does not verify ({type(error).__name__})") from None
    if result.signed_xml is None or result.signed_xml.tag != body.tag or \
            result.signed_xml.get(f"{{{WSU}}}Id") != body.get(f"{{{WSU}}}Id"):
        raise SignatureInvalid("the signature does not cover the Body")
