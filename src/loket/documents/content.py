"""Is an uploaded file what its first bytes claim? Decode images, parse PDFs — within limits.

A signature check alone lets a truncated or corrupt file through (an 11-byte JPEG header
passes), and such a file fails later for the person who opens it. Here an image is decoded in
full (Pillow, with a pixel limit so a small file cannot unpack into gigabytes) and a PDF is
parsed structurally (qpdf through pikepdf, without its silent repairs, with limits on objects,
pages and time). A refusal is :class:`~loket.documents.files.FileRejected` with a message for
the user; the parser's own text is never shown (nor logged: it can quote the content).
"""

import io
import time
import warnings

import pikepdf
from PIL import Image

from loket.i18n import _

# About 40 megapixels: every phone photo, not a decompression bomb (4 bytes a pixel: 160 MB).
MAX_PIXELS = 40_000_000
MAX_PDF_OBJECTS = 100_000
MAX_PDF_PAGES = 2_000
MAX_PDF_SECONDS = 5.0
PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}


class ContentRejected(ValueError):
    """The content does not decode; ``message`` is a translation string for the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


BROKEN = _("The file is damaged or incomplete and cannot be opened. Save or scan it again and "
           "send the new file.")
TOO_LARGE_IMAGE = _("The image has too many pixels (at most ${pixels} million). Send a smaller "
                    "image or a PDF.", mapping={"pixels": MAX_PIXELS // 1_000_000})
TOO_COMPLEX_PDF = _("The PDF is too complex to be checked (too many pages or parts). Send a "
                    "smaller file.")
ENCRYPTED_PDF = _("The PDF is protected with a password. Send it without the protection.")
HIDDEN_CONTENT = _("The file hides another kind of file (a web page or an archive). Save or "
                   "scan it again and send the new file.")

# A polyglot: a valid image or PDF that is also what a browser or an unzipper acts on. Markers
# of a web page anywhere, or a ZIP archive's end record where an unzipper looks for it.
_PAGE_MARKERS = (b"<script", b"<html", b"<svg", b"<!doctype html", b"<iframe")
_ZIP_END = b"PK\x05\x06"
_ZIP_SEARCH = 65_557  # the end record and the longest comment it may carry


def _hides_another_format(data: bytes) -> bool:
    lowered = data.lower()
    return any(marker in lowered for marker in _PAGE_MARKERS) or \
        _ZIP_END in data[-_ZIP_SEARCH:]


def verify_content(data: bytes, media_type: str) -> None:
    """Return when ``data`` decodes as ``media_type``; raise :class:`ContentRejected` if not."""
    if media_type in PILLOW_FORMATS:
        _verify_image(data, PILLOW_FORMATS[media_type])
    elif media_type == "application/pdf":
        _verify_pdf(data)
    else:  # a type nobody taught us to decode is not accepted blind
        raise ContentRejected(BROKEN)


def _verify_image(data: bytes, image_format: str) -> None:
    if _hides_another_format(data):
        raise ContentRejected(HIDDEN_CONTENT)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice that; we refuse at our own limit.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[image_format]) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise ContentRejected(TOO_LARGE_IMAGE)
                image.verify()  # checksums and structure (PNG chunks' CRCs)
            # verify() leaves the image unusable and does not decode the pixels: load it anew.
            with Image.open(io.BytesIO(data), formats=[image_format]) as image:
                image.load()
    except ContentRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ContentRejected(TOO_LARGE_IMAGE) from None
    except Exception:  # Pillow raises many kinds (OSError, SyntaxError, ValueError, …)
        raise ContentRejected(BROKEN) from None


def _verify_pdf(data: bytes) -> None:
    # Only after the end: a PDF's own streams may quote anything.
    if _hides_another_format(data[data.rfind(b"%%EOF") + 5:]):
        raise ContentRejected(HIDDEN_CONTENT)
    deadline = time.monotonic() + MAX_PDF_SECONDS
    try:
        # No recovery: qpdf would otherwise rebuild a truncated file's cross-reference table
        # and accept it; we want the file as a viewer gets it.
        with pikepdf.open(io.BytesIO(data), attempt_recovery=False,
                          suppress_warnings=True) as pdf:
            if pdf.is_encrypted:
                raise ContentRejected(ENCRYPTED_PDF)
            if len(pdf.objects) > MAX_PDF_OBJECTS:
                raise ContentRejected(TOO_COMPLEX_PDF)
            pages = pdf.pages
            if len(pages) == 0:
                raise ContentRejected(BROKEN)
            if len(pages) > MAX_PDF_PAGES:
                raise ContentRejected(TOO_COMPLEX_PDF)
            for page in pages:
                # Every page's content streams must decode and parse.
                pikepdf.parse_content_stream(page)
                if time.monotonic() > deadline:
                    raise ContentRejected(TOO_COMPLEX_PDF)
    except ContentRejected:
        raise
    except pikepdf.PasswordError:
        raise ContentRejected(ENCRYPTED_PDF) from None
    except Exception:  # PdfError, and qpdf's other complaints about structure
        raise ContentRejected(BROKEN) from None
