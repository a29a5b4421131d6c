"""The dossier's signatures panel and its timeline entries."""

from sqlalchemy import select

from loket.dossiers.events import events_of
from loket.dossiers.panels import TimelineEntry
from loket.i18n import _
from loket.letters.models import Letter, LetterSignatory
from loket.signing.models import Signature

TEMPLATE = "loket:signing/templates/panel.jinja2"


def panel(request, dossier) -> dict | None:
    """Letters with signatories: who signs, and the validated signatures of the current PDF."""
    letters = request.dbsession.scalars(
        select(Letter).where(Letter.dossier_id == dossier.id,
                             Letter.signatories.any()).order_by(Letter.id)).all()
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
    translate = request.localizer.translate
    events = events_of(request.dbsession, dossier, "signing.signed")
    if not events:
        return []
    positions = {(e.details.get("letter"), e.details.get("position")) for e in events}
    rows = request.dbsession.execute(
        select(LetterSignatory.letter_id, LetterSignatory.position, LetterSignatory.name,
               LetterSignatory.function, Letter.title).join(Letter)
        .where(LetterSignatory.letter_id.in_({p[0] for p in positions})))
    who = {(r.letter_id, r.position): r for r in rows}
    entries = []
    for event in events:
        row = who.get((event.details.get("letter"), event.details.get("position")))
        if row is None:
            continue
        entries.append(TimelineEntry(
            occurred=event.occurred, kind="signature",
            title=translate(_("Signed: ${title}", mapping={"title": row.title})),
            detail=f"{row.name}, {row.function}", actor=row.name))
    return entries
