"""The dossier's signatures panel and its timeline entries: no query of their own when the
dossier has no letter to sign (they read the letters panel's letters), one when it has."""

from sqlalchemy import select

from loket.dossiers.panels import TimelineEntry
from loket.i18n import _
from loket.letters.models import SIGNED
from loket.letters.resources import dossier_letters
from loket.signing.models import Signature

TEMPLATE = "loket:signing/templates/panel.jinja2"


def _letters(request, dossier) -> list:
    """The dossier's letters with signatories."""
    return [letter for letter in dossier_letters(request, dossier) if letter.signatories]


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
