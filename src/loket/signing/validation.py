"""Signatures of a PDF, validated with pyHanko against the configured trust roots.

``loket.signing.trust_roots``: PEM files (paths or ``package:path`` asset specs), separated by
spaces. Development and tests default to the signing simulator's test root; production has no
default (see the README: the Belgian eID roots).
"""

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from asn1crypto import pem, x509
from pyramid.path import AssetResolver
from pyramid.settings import aslist

from loket.settings import is_production

SETTING = "loket.signing.trust_roots"
DEVELOPMENT_ROOTS = "loket.integrations.signing:pki/test-root-ca.cert.pem"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Report:
    field_name: str
    signer: str
    function: str
    signed_at: datetime | None
    level: str
    intact: bool
    trusted: bool
    valid: bool
    whole_document: bool
    summary: str


def load_roots(settings) -> list[x509.Certificate]:
    specs = aslist(settings.get(SETTING) or ("" if is_production(settings)
                                             else DEVELOPMENT_ROOTS))
    roots = []
    for spec in specs:
        with AssetResolver().resolve(spec).stream() as stream:
            data = stream.read()
        for _kind, _headers, der in (pem.unarmor(data, multiple=True) if pem.detect(data)
                                     else [(None, None, data)]):
            roots.append(x509.Certificate.load(der))
    return roots


def validate(data: bytes, roots: list) -> list[Report]:
    """Every signature of ``data``, in signing order. A file pyHanko cannot read has none."""
    # pyHanko (with aiohttp: 18 MB) only where signatures are read, not in every web process.
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError) as exc:
        log.info("not a readable PDF for signature validation: %s", type(exc).__name__)
        return []
    reports = lambda: [_report(signature, roots) for signature in signatures]  # noqa: E731
    if _loop_running():
        # pyHanko's synchronous validation starts an event loop of its own, which a thread
        # already running one (an embedding server, a browser driver) cannot host.
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(reports).result()
    return reports()


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _report(signature, roots) -> Report:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    context = ValidationContext(trust_roots=roots, allow_fetching=False,
                                revocation_mode="soft-fail")
    subject = signature.signer_cert.subject.native
    signer = " ".join(filter(None, (subject.get("given_name"), subject.get("surname")))) \
        or subject.get("common_name", "")
    try:
        status = validate_pdf_signature(signature, signer_validation_context=context,
                                        ts_validation_context=context)
    except (SignatureValidationError, PdfError, ValueError) as exc:
        return Report(signature.field_name, signer, subject.get("title", ""), None, "",
                      False, False, False, False, f"{type(exc).__name__}: {exc}"[:500])
    stamp = status.timestamp_validity
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION and status.docmdp_ok)
    return Report(
        field_name=signature.field_name, signer=signer, function=subject.get("title", ""),
        signed_at=stamp.timestamp if stamp is not None else status.signer_reported_dt,
        level="PAdES B-T" if stamp is not None else "PAdES B-B",
        intact=bool(status.intact), trusted=bool(status.trusted),
        valid=bool(status.bottom_line), whole_document=bool(whole),
        summary=status.summary()[:500])
