"""What an uploaded file may be: type by content (never by name), size, and a safe name."""

import re
import unicodedata
from dataclasses import dataclass

import puremagic

from loket.documents.content import ContentRejected, verify_content
from loket.i18n import _

# Media type → extension Loket gives the stored file. SVG and HTML are never accepted: they
# can carry scripts.
ALLOWED_TYPES = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
}
DEFAULT_MAX_SIZE = 10 * 1024 * 1024
TYPE_NAMES = {"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG"}


class FileRejected(ValueError):
    """The upload is refused; ``message`` is a translation string for the user."""

    def __init__(self, message, reason: str = "type"):
        super().__init__(message)
        self.message = message
        # empty | size | type | content: callers rephrase a type refusal, never the others.
        self.reason = reason


@dataclass(frozen=True)
class CheckedFile:
    data: bytes
    media_type: str
    filename: str


def detect_media_type(data: bytes) -> str | None:
    try:
        guess = puremagic.from_string(data, mime=True)
    except (puremagic.PureError, ValueError):
        return None
    # puremagic matches a signature anywhere near the start; we want it as the real header.
    if guess == "application/pdf" and not data.startswith(b"%PDF-"):
        return None
    return guess or None


def safe_filename(name: str, extension: str) -> str:
    """ASCII letters, digits, dot, dash and underscore; no path; the extension of the content."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-._")[:80] or "document"
    return f"{stem}.{extension}"


def check_upload(data: bytes, filename: str, max_size: int = DEFAULT_MAX_SIZE,
                 allowed: dict[str, str] = ALLOWED_TYPES) -> CheckedFile:
    if not data:
        raise FileRejected(_("The file is empty."), "empty")
    if len(data) > max_size:
        raise FileRejected(
            _("The file is too large: at most ${size} MB.",
              mapping={"size": max_size // (1024 * 1024)}), "size")
    media_type = detect_media_type(data)
    if media_type not in allowed:
        if allowed == ALLOWED_TYPES:
            raise FileRejected(
                _("This type of file is not accepted. Send a PDF, PNG or JPEG file."))
        # Fewer types (a logo): name them, not the usual three.
        raise FileRejected(_("This type of file is not accepted here. Accepted: ${types}.",
                             mapping={"types": ", ".join(TYPE_NAMES[t] for t in allowed)}))
    try:
        verify_content(data, media_type)
    except ContentRejected as broken:
        raise FileRejected(broken.message, "content") from None
    return CheckedFile(data, media_type, safe_filename(filename, allowed[media_type]))
