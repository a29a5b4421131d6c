"""WS-Security signature of the SOAP Body, as MAGDA requires in production (INTEGRATIONS.md §2).

The question's ``soapenv:Header`` gets a ``wsse:Security`` header holding the organisation's
X.509 certificate (``wsse:BinarySecurityToken``) and an XML signature (signxml) over the
``soapenv:Body``, referenced by its ``wsu:Id``, canonicalised with exclusive C14N; the
signature's ``KeyInfo`` points at the token (``wsse:SecurityTokenReference``), the layout of
MAGDA's reference connector. RSA-SHA256 with SHA-256 digests: the reference connector's
RSA-SHA1 is insecure and signxml refuses it.

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
BASE64 = ("http://docs.oasis-open.org/wss/2004/01/"
          "oasis-200401-wss-soap-message-security-1.0#Base64Binary")


class SignatureInvalid(ValueError):
    """The question is not signed, or not by the expected certificate, or not its Body."""


def _parse(envelope: bytes) -> etree._Element:
    from loket.integrations.magda.soap import parse_xml

    return parse_xml(envelope)


def sign_body(envelope: bytes, key_pem: bytes, cert_pem: bytes) -> bytes:
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
    token = etree.SubElement(security, f"{{{WSSE}}}BinarySecurityToken",
                             EncodingType=BASE64, ValueType=X509_V3_TYPE)
    token.set(f"{{{WSU}}}Id", token_id)
    token.text = base64.b64encode(certificate.public_bytes(Encoding.DER)).decode("ascii")

    key_info = etree.Element(f"{{{DS}}}KeyInfo", nsmap={"ds": DS})
    etree.SubElement(
        etree.SubElement(key_info, f"{{{WSSE}}}SecurityTokenReference", nsmap={"wsse": WSSE}),
        f"{{{WSSE}}}Reference", URI=f"#{token_id}", ValueType=X509_V3_TYPE)
    signer = XMLSigner(method=SignatureConstructionMethod.detached,
                       signature_algorithm=SignatureMethod.RSA_SHA256,
                       digest_algorithm=DigestAlgorithm.SHA256,
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
    if token is None or base64.b64decode(token.text or "") != expected:
        raise SignatureInvalid("the security token is not the expected certificate")
    body = root.find(f"{{{SOAP_NS}}}Body")
    try:
        result = XMLVerifier().verify(
            root, x509_cert=cert_pem, id_attribute="Id",
            expect_config=SignatureConfiguration(expect_references=1))
    except Exception as error:  # signxml raises several types; all mean "not valid"
        raise SignatureInvalid(f"the signature does not verify ({type(error).__name__})") from None
    if result.signed_xml is None or result.signed_xml.tag != body.tag or \
            result.signed_xml.get(f"{{{WSU}}}Id") != body.get(f"{{{WSU}}}Id"):
        raise SignatureInvalid("the signature does not cover the Body")
