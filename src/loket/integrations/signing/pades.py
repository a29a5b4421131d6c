"""The simulator's eID: real PAdES signatures with pyHanko, under the Certomancer test PKI
(``pki/certomancer.yml``), time-stamped by its time-stamping authority (PAdES B-T).

Development and tests only: the keys are throw-away test keys shipped beside the config.
"""

import functools
from importlib.resources import as_file, files
from io import BytesIO

from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig, KeyLabel
from pyhanko import stamp
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

PKI = files("loket.integrations.signing").joinpath("pki")
ARCH, UNTRUSTED_ARCH = "loket", "untrusted"
# The simulator's signatory personas (e-mail → certificate label in the test PKI).
PERSONA_CERTIFICATES = {"burgemeester@heidebeek.example": "luc",
                        "algemeen.directeur@heidebeek.example": "hilde"}
UNTRUSTED_CERTIFICATE = "rogue"
RESERVED = 16 * 1024  # bytes for the CMS signature with its chain and time-stamp token
STAMP = stamp.TextStampStyle(stamp_text="Digitaal ondertekend door %(signer)s\n%(ts)s",
                             border_width=1)


@functools.cache
def test_pki() -> CertomancerConfig:
    with as_file(PKI) as directory:
        return CertomancerConfig.from_file(str(directory / "certomancer.yml"),
                                           key_search_dir=str(directory))


def _arch(name: str):
    return test_pki().get_pki_arch(ArchLabel(name))


def _parsed(value):
    """Certomancer builds its objects field by field, and asn1crypto encodes such an object
    anew on every use; parsed from its bytes once, it keeps them (a signature twice as fast)."""
    return type(value).load(value.dump())


@functools.cache
def signer_for(label: str, untrusted: bool = False) -> signers.SimpleSigner:
    arch = _arch(UNTRUSTED_ARCH if untrusted else ARCH)
    chain = [_parsed(arch.get_cert(CertLabel(c))) for c in (("root",) if untrusted
                                                             else ("citizen-ca", "root"))]
    return signers.SimpleSigner(
        signing_cert=_parsed(arch.get_cert(CertLabel(label))),
        signing_key=_parsed(arch.key_set.get_private_key(KeyLabel(label))),
        cert_registry=SimpleCertificateStore.from_certs(chain))


@functools.cache
def time_stamping_authority() -> timestamps.DummyTimeStamper:
    """The test PKI's time-stamping authority, answering RFC 3161 requests (pyHanko's
    responder on Certomancer's TSA certificate and key, parsed once: Certomancer's own
    responder rebuilds them on every request, a third of each signature's time)."""
    arch = _arch(ARCH)
    return timestamps.DummyTimeStamper(
        tsa_cert=_parsed(arch.get_cert(CertLabel("tsa"))),
        tsa_key=_parsed(arch.key_set.get_private_key(KeyLabel("tsa"))),
        certs_to_embed=[_parsed(arch.get_cert(CertLabel("root")))])


def sign(data: bytes, signer: signers.SimpleSigner, field: dict, tsa_url: str,
         reason: str = "") -> bytes:
    """``data`` with one more signature in a new visible field (``field``: the platform's
    field as added through the API: ``field_name``, ``page_no``, ``dimensions``)."""
    writer = IncrementalPdfFileWriter(BytesIO(data))
    pages = int(writer.root["/Pages"]["/Count"])
    page = min(max(int(field.get("page_no") or pages), 1), pages) - 1
    box = field["dimensions"]
    fields.append_signature_field(writer, fields.SigFieldSpec(
        field["field_name"], on_page=page,
        box=(box["x"], box["y"], box["x"] + box["width"], box["y"] + box["height"])))
    metadata = signers.PdfSignatureMetadata(
        field_name=field["field_name"], subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None, location="Heidebeek")
    pdf_signer = signers.PdfSigner(metadata, signer=signer, stamp_style=STAMP,
                                   timestamper=_timestamper(tsa_url))
    # A fixed reservation spares pyHanko a trial signature (and a trial time-stamp) to size it.
    return pdf_signer.sign_pdf(writer, bytes_reserved=RESERVED).getvalue()


@functools.lru_cache(maxsize=8)
def _timestamper(url: str) -> RequestsHTTPTimeStamper:
    # The requests-based client: the aiohttp one opens a new session for every signature.
    return RequestsHTTPTimeStamper(url, timeout=10)
