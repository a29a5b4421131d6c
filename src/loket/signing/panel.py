"""The dossier's signatures panel and its timeline entries: one query for the page when the
dossier has no letter to sign (the panel and the timeline share it), five when it has."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from loket.documents.models import Document
from loket.dossiers.panels import TimelineEntry
from loket.i18n import _
from loket.letters.models import SIGNED, Letter
from loket.signing.models import Signature

TEMPLATE = "loket:signing/templates/panel.jinja2"
CACHE_KEY = "loket.signing.letters"


def _letters(request, dossier) -> list[Letter]:
    """The dossier's letters with signatories, read once per request."""
    cache = request.environ.setdefault(CACHE_KEY, {})
    if dossier.id not in cache:
        cache[dossier.id] = request.dbsession.scalars(
            select(Letter).where(Letter.dossier_id == dossier.id, Letter.signatories.any())
            .options(selectinload(Letter.signatories),
                     selectinload(Letter.document).selectinload(Document.versions))
            .order_by(Letter.id)).all()
    return cache[dossier.id]


def panel(request, dossier) -> dict | None:
    """Letters with signatories: who signs, and the validated signatures of the current PDF."""
    letters = _letters(request, dossier)
    if not letters:
        return None
    versions = {letter.document.current.id: letter for letter in letters if letter.document}
    signatures = {}
    for signature in request.dbsession.scalars(
            select(Signature).where(Signature.document_version_id.in_(versions))
            .order_by(Signature.id)):
        signatures.setdefault(versions[signature.document_version_id].id, []).append(signature)
    return {"letters": [{"letter": letter, "signatories": letter.signatories,
                         "signatures": signatures.get(letter.id, [])} for letter in letters]}


def timeline(request, dossier) -> list[TimelineEntry]:
    """One entry per signature: who, in which function, on which letter."""
    translate = request.localizer.translate
    return [
        TimelineEntry(
            occurred=signatory.signed, kind="signature",
            title=translate(_("Signed: ${title}", mapping={"title": letter.title})),
            detail=f"{signatory.name}, {signatory.function}", actor=signatory.name)
        for letter in _letters(request, dossier) for signatory in letter.signatories
        if signatory.status == SIGNED and signatory.signed is not None
    ]
