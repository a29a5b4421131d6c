"""Demo letters waiting in the signing folder: the decided demo dossiers' decision letters,
decided by the college last week, for the mayor and then the general director (the personas
Luc and Hilde, whose test eID certificates the signing simulator holds)."""

from datetime import timedelta

from sqlalchemy import select

from loket.db import utcnow
from loket.decisions import services as decisions
from loket.decisions.models import Decision, Meeting
from loket.documents.files import check_upload
from loket.documents.models import Document, DocumentVersion
from loket.dossiers.models import Dossier
from loket.letters.models import TO_SIGN, Letter, LetterSignatory

DECIDED = ("goedgekeurd",)
SIGNATORIES = (("luc", "burgemeester"), ("hilde", "algemeen directeur"))


def letters_to_sign(dbsession, users: dict, store, pdf) -> int:
    """``pdf(title) -> bytes``: the demo's PDF maker. Only where no letter exists yet."""
    dossiers = dbsession.scalars(select(Dossier).where(
        Dossier.state.in_(DECIDED), ~select(Letter.id).where(
            Letter.dossier_id == Dossier.id).exists()).order_by(Dossier.id)).all()
    if not dossiers:
        return 0
    body = decisions.ensure_bodies(dbsession)["college"]
    held = utcnow() - timedelta(days=7)
    meeting = Meeting(body_id=body.id, starts=held, agenda_closes=held - timedelta(days=2),
                      status="held", held_on=held.date())
    dbsession.add(meeting)
    dbsession.flush()
    for dossier in dossiers:
        title = f"Beslissing {dossier.title} - {dossier.reference}"
        decision = Decision(dossier_id=dossier.id, body_code="college", meeting_id=meeting.id,
                            decided_on=held.date(), outcome="approved", title=title,
                            final_text="De premie wordt toegekend.")
        checked = check_upload(pdf(title), "beslissing.pdf")
        number = len(dossier.documents) + 1
        document = Document(dossier_id=dossier.id, number=number, title=title,
                            document_type="beslissing", direction="out")
        document.versions.append(DocumentVersion(
            version=1, filename=checked.filename, media_type=checked.media_type,
            size=len(checked.data), sha256=store.put(checked.data)))
        dbsession.add_all([decision, document])
        dbsession.flush()
        letter = Letter(dossier_id=dossier.id, dossier=dossier, kind="decision.granted",
                        status=TO_SIGN, title=title, details={"decision": decision.id},
                        document_id=document.id, needs_signature=True,
                        screening_reason="Beslissing van het college")
        for position, (key, function) in enumerate(SIGNATORIES, start=1):
            letter.signatories.append(LetterSignatory(
                position=position, user_id=users[key].id, name=users[key].name,
                function=function))
        dbsession.add(letter)
    dbsession.flush()
    return len(dossiers)
