"""Adding documents and versions to a dossier."""

from sqlalchemy import func, select

from loket import audit
from loket.documents.files import CheckedFile
from loket.documents.models import Document, DocumentVersion


def blobstore(request):
    return request.registry["loket.blobstore"]


def add_document(request, dossier, checked: CheckedFile, title: str,
                 document_type: str = "bijlage", direction: str = "in") -> Document:
    sha256 = blobstore(request).put(checked.data)
    number = (request.dbsession.scalar(
        select(func.max(Document.number)).where(Document.dossier_id == dossier.id)
    ) or 0) + 1
    user = request.user
    document = Document(
        dossier_id=dossier.id, number=number, title=title, document_type=document_type,
        direction=direction, created_by_id=user.id if user else None,
    )
    document.versions.append(_version(request, checked, sha256, 1))
    request.dbsession.add(document)
    request.dbsession.flush()
    audit.record(request, "document.added", "dossier", dossier.reference,
                 document=number, sha256=sha256, size=len(checked.data))
    return document


def add_version(request, document: Document, checked: CheckedFile) -> DocumentVersion:
    sha256 = blobstore(request).put(checked.data)
    version = _version(request, checked, sha256, document.current.version + 1)
    document.versions.append(version)
    request.dbsession.flush()
    audit.record(request, "document.version_added", "dossier", document.dossier.reference,
                 document=document.number, version=version.version, sha256=sha256)
    return version


def _version(request, checked: CheckedFile, sha256: str, number: int) -> DocumentVersion:
    user = request.user
    return DocumentVersion(
        version=number, filename=checked.filename, media_type=checked.media_type,
        size=len(checked.data), sha256=sha256, created_by_id=user.id if user else None,
    )
