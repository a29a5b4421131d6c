"""Reading one attachment of a draft: the file must be of a media type its document type
accepts (by content, never by name) and within its size, and within the server's limit."""

from loket.documents.files import ALLOWED_TYPES, FileRejected, check_upload
from loket.i18n import _

MB = 1024 * 1024
FIELD = "bestand"
# Multipart overhead allowed on top of the file itself before we refuse to read the body.
FORM_OVERHEAD = 64 * 1024
TYPE_NAMES = {"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG"}


def max_size(request, spec: dict) -> int:
    """The smaller of the document type's limit and the server's upload limit, in bytes."""
    server = int(request.registry.settings.get("loket.upload.max_size", 10 * MB))
    return min(int(spec.get("max_size_mb") or 10) * MB, server)


def accepted_names(spec: dict) -> str:
    return ", ".join(TYPE_NAMES[t] for t in spec.get("media_types") or () if t in TYPE_NAMES)


def read_upload(request, spec: dict):
    """The checked file posted as ``bestand``; :class:`FileRejected` with a message for the
    citizen otherwise."""
    limit = max_size(request, spec)
    too_large = FileRejected(_("The file is too large: at most ${size} MB.",
                               mapping={"size": _megabytes(limit)}))
    if (request.content_length or 0) > limit + FORM_OVERHEAD:
        raise too_large
    upload = request.POST.get(FIELD)
    if upload is None or not hasattr(upload, "file"):
        raise FileRejected(_("Choose a file."))
    data = upload.file.read(limit + 1)
    if len(data) > limit:
        raise too_large
    accepted = {t: ALLOWED_TYPES[t] for t in spec.get("media_types") or () if t in ALLOWED_TYPES}
    try:
        return check_upload(data, upload.filename or "", max_size=limit, allowed=accepted)
    except FileRejected as rejected:
        if len(data) and len(data) <= limit:
            raise FileRejected(_("This type of file is not accepted here, whatever its name "
                                 "says. Accepted: ${types}.",
                                 mapping={"types": accepted_names(spec)})) from rejected
        raise


def _megabytes(size: int) -> str:
    value = size / MB
    return str(int(value)) if value == int(value) else f"{value:.1f}".replace(".", ",")
