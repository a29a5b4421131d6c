"""The signing folder's rules and the round trip to the signing platform.

- :func:`folder`: what waits for a signatory, and whose turn it is;
- :func:`request_signatures`: a signatory signs one letter, a selection or a meeting's batch
  (all or nothing: one letter that may not be signed refuses the lot, nothing changed);
- :func:`decline`: a signatory refuses to sign, with a reason: the letter goes back to the
  secretariat and the platform is told to drop its package;
- worker jobs: :func:`queue_submissions` hands letters waiting for signatures to the platform
  (through the outbox); :func:`collect` reads the platform's progress, downloads the signed
  PDF, stores it as a new version of the letter's document with its validated signatures,
  and moves the letter to ``ready`` after the last signature.
"""

import logging
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass

import transaction
from sqlalchemy import case, select, update
from sqlalchemy.orm import joinedload, lazyload, load_only, selectinload

from loket.db import get_tm_session, utcnow
from loket.decisions.models import Decision, Meeting
from loket.documents.models import Document, DocumentVersion
from loket.dossiers.events import record_event
from loket.dossiers.models import Dossier
from loket.i18n import _
from loket.identity.models import User
from loket.letters.models import DECLINED, READY, REFUSED, SIGNED, TO_SIGN, WAITING, Letter
from loket.letters.services import move
from loket.outbox import enqueue
from loket.plugins.kinds import NotConfigured, SourceUnavailable
from loket.plugins.registry import Kind, implementation
from loket.signing.digest import send_digests
from loket.signing.models import (
    COMPLETED,
    IN_PROGRESS,
    PENDING,
    WITHDRAWN,
    Signature,
    SigningPackage,
)
from loket.signing.validation import load_roots, validate

log = logging.getLogger(__name__)

# What the folder and the signing checks read of each letter, loaded with it (no query a row).
LETTER_LOADS = (selectinload(Letter.signatories), joinedload(Letter.dossier))
# The folder (and signing a meeting's batch from it) reads only a letter's dossier's id and
# reference: not the applicant, team and type every dossier loads with it (100 letters: a
# fifth of the page).
FOLDER_LOADS = (selectinload(Letter.signatories), joinedload(Letter.dossier).options(
    load_only(Dossier.id, Dossier.reference), lazyload("*")))
MAX_BATCH = 500  # letters in one signing action
COLLECT_BATCH = 200  # packages asked per round of the worker job
REASON_LENGTH = 1000


def field_name(position: int) -> str:
    """The signature field of the signatory at ``position``: how a signature found in the PDF
    is matched to its signatory (the plug-in names the platform's fields so)."""
    return f"Handtekening{position}"


class SigningError(Exception):
    """A signature or decline that may not happen; ``message`` is a translation string."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass
class Waiting:
    letter: Letter
    signatory: object  # LetterSignatory
    turn: bool  # every earlier signatory signed
    before: str  # who must sign first, if not their turn
    meeting: Meeting | None


# -- The folder -------------------------------------------------------------------------------

def folder(dbsession, user) -> list[Waiting]:
    """The letters waiting for ``user``'s signature, theirs to sign first, oldest first."""
    letters = dbsession.scalars(
        select(Letter).where(Letter.status == TO_SIGN,
                             Letter.signatories.any(user_id=user.id, status=WAITING))
        .options(*FOLDER_LOADS).order_by(Letter.id)).all()
    meetings = _meetings(dbsession, letters)
    found = []
    for letter in letters:
        mine = next(s for s in letter.signatories if s.user_id == user.id and s.status == WAITING)
        earlier = [s for s in letter.signatories if s.position < mine.position
                   and s.status != SIGNED]
        found.append(Waiting(letter, mine, not earlier, ", ".join(s.name for s in earlier),
                             meetings.get(letter.details.get("decision"))))
    return sorted(found, key=lambda w: (not w.turn, w.letter.id))


def by_meeting(waiting: list[Waiting]) -> list[tuple[Meeting | None, list[Waiting]]]:
    groups = defaultdict(list)
    for entry in waiting:
        groups[entry.meeting].append(entry)
    return sorted(groups.items(), key=lambda g: (g[0] is None, g[0].starts if g[0] else 0))


def _meetings(dbsession, letters) -> dict[int, Meeting]:
    ids = {letter.details.get("decision") for letter in letters} - {None}
    if not ids:
        return {}
    rows = dbsession.execute(select(Decision.id, Meeting).join(
        Meeting, Meeting.id == Decision.meeting_id).where(Decision.id.in_(ids)))
    return {decision_id: meeting for decision_id, meeting in rows}


# -- Signing and declining ----------------------------------------------------------------------

def check_signatory(letter: Letter, user):
    """The signatory row ``user`` may act on now, or :class:`SigningError`."""
    if letter.status != TO_SIGN:
        raise SigningError(_("Letter ${title} does not wait for signatures.",
                             mapping={"title": letter.title}))
    rows = [s for s in letter.signatories if s.user_id == user.id]
    if not rows:
        raise SigningError(_("You are not a signatory of letter ${title}.",
                             mapping={"title": letter.title}))
    mine = next((s for s in rows if s.status == WAITING), None)
    if mine is None:
        raise SigningError(_("You already signed letter ${title}.",
                             mapping={"title": letter.title}))
    earlier = [s.name for s in letter.signatories
               if s.position < mine.position and s.status != SIGNED]
    if earlier:
        raise SigningError(_("Letter ${title} waits for the signature of ${names} first.",
                             mapping={"title": letter.title, "names": ", ".join(earlier)}))
    return mine


def request_signatures(dbsession, user, letters: list[Letter]) -> list[str]:
    """Check every letter, then mark their packages as being signed; the platform's package
    identifiers, for its signing page."""
    if not letters:
        raise SigningError(_("Choose at least one letter to sign."))
    if len(letters) > MAX_BATCH:
        raise SigningError(_("Sign at most ${count} letters at once.",
                             mapping={"count": MAX_BATCH}))
    packages = _packages(dbsession, letters)
    for letter in letters:
        check_signatory(letter, user)
        package = packages.get(letter.id)
        if package is None or package.status != IN_PROGRESS:
            raise SigningError(_("Letter ${title} is still being prepared for signing; try "
                                 "again in a minute.", mapping={"title": letter.title}))
    now = utcnow()
    for letter in letters:
        packages[letter.id].requested = now
        record_event(dbsession, letter.dossier, "signing.requested", user.id, letter=letter.id)
    return [packages[letter.id].package for letter in letters]


def decline(dbsession, registry, user, letter: Letter, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise SigningError(_("Say why you decline to sign."))
    if len(reason) > REASON_LENGTH:
        raise SigningError(_("The reason is too long (at most ${count} characters).",
                             mapping={"count": REASON_LENGTH}))
    if any(ord(c) < 32 and c not in "\r\n\t" or c == "\x7f" for c in reason):
        raise SigningError(_("The reason holds characters that are not text."))
    mine = check_signatory(letter, user)
    mine.status, mine.reason = REFUSED, reason
    move(dbsession, letter, DECLINED, actor_id=user.id, signatory=mine.position)
    package = _packages(dbsession, [letter]).get(letter.id)
    if package is not None:
        _withdraw(dbsession, registry, letter, package)


def _withdraw(dbsession, registry, letter, package) -> None:
    if package.package:
        platform = implementation_or_none(registry)
        if platform is not None:
            enqueue(dbsession, platform.outbox_kind,
                    {"action": "withdraw", "package": package.package},
                    ordering_key=f"letter:{letter.id}", dossier_id=letter.dossier_id)
    package.status = WITHDRAWN


def _packages(dbsession, letters) -> dict[int, SigningPackage]:
    rows = dbsession.scalars(select(SigningPackage).where(
        SigningPackage.letter_id.in_([letter.id for letter in letters])))
    return {row.letter_id: row for row in rows}


def implementation_or_none(registry):
    try:
        return implementation(registry, Kind.SIGNING)
    except NotConfigured:
        return None


# -- Worker jobs ------------------------------------------------------------------------------

@contextmanager
def _session(registry, dbsession=None):
    """A short transaction of its own (worker jobs and deliverers run outside any); or the
    caller's session (tests)."""
    if dbsession is not None:
        yield dbsession
        return
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        yield get_tm_session(registry["dbsession_factory"], manager)


def queue_submissions(registry, limit: int = 500, dbsession=None) -> dict:
    """Letters waiting for signatures that the platform does not know (yet, or again after a
    decline and a new rendering): one outbox message each, in the transaction that records
    the package as pending."""
    try:
        platform = implementation(registry, Kind.SIGNING)
    except NotConfigured:
        return {}
    with _session(registry, dbsession) as session:
        rows = session.execute(
            select(Letter, SigningPackage)
            .outerjoin(SigningPackage, SigningPackage.letter_id == Letter.id)
            .where(Letter.status == TO_SIGN, Letter.document_id.is_not(None),
                   (SigningPackage.id.is_(None)) | (SigningPackage.status == WITHDRAWN))
            .options(*LETTER_LOADS, selectinload(Letter.document).selectinload(
                Document.versions))
            .order_by(Letter.id).limit(limit)).all()
        emails = dict(session.execute(select(User.id, User.email).where(User.id.in_(
            {s.user_id for letter, _package in rows for s in letter.signatories}))).all()) \
            if rows else {}
        for letter, package in rows:
            if package is None:
                package = SigningPackage(letter_id=letter.id)
                session.add(package)
            package.status, package.package, package.document = PENDING, None, None
            package.collected = package.notified = 0
            package.requested = package.polled = None
            session.flush()
            current = letter.document.current
            enqueue(session, platform.outbox_kind, {
                "action": "submit", "signing_package": package.id,
                "name": f"{letter.dossier.reference} {letter.title}"[:200],
                "filename": current.filename, "sha256": current.sha256, "page": 1,
                "signatories": [{"email": emails.get(s.user_id) or "", "name": s.name,
                                 "order": s.position} for s in letter.signatories]},
                ordering_key=f"letter:{letter.id}", dossier_id=letter.dossier_id)
        return {"signing_submitted": len(rows)}


def digests(registry, dbsession=None) -> dict:
    """The worker job of the "Wacht op je handtekening" e-mails (:mod:`.digest`)."""
    with _session(registry, dbsession) as session:
        return {"signing_digests": send_digests(registry, session)}


def submitted(registry, package_id: int, package: str, document: str,
              dbsession=None) -> None:
    """The platform made and started the package (called by the plug-in's deliverer). A
    letter declined meanwhile: the new package is withdrawn at once."""
    with _session(registry, dbsession) as session:
        row = session.get(SigningPackage, package_id)
        if row is None:
            return
        if row.status == PENDING:
            row.package, row.document, row.status = package, document, IN_PROGRESS
        elif row.status == WITHDRAWN and row.package is None:
            row.package = package
            _withdraw(session, registry, row.letter, row)


def collect(registry, dbsession=None) -> dict:
    """Ask the platform how far each started package is; store what was signed since."""
    try:
        platform = implementation(registry, Kind.SIGNING)
    except NotConfigured:
        return {}
    # First the packages a signatory went to sign since they were last asked about, then the
    # others, longest unasked first: every package is asked in turn, however many wait.
    fresh = case((SigningPackage.requested.is_not(None) & (
        SigningPackage.polled.is_(None) | (SigningPackage.requested > SigningPackage.polled)),
        0), else_=1)
    with _session(registry, dbsession) as session:
        rows = session.execute(
            select(SigningPackage.id, SigningPackage.package, SigningPackage.document,
                   SigningPackage.collected).where(SigningPackage.status == IN_PROGRESS)
            .order_by(fresh, SigningPackage.polled.asc().nulls_first(), SigningPackage.id)
            .limit(COLLECT_BATCH)).all()
    roots = load_roots(registry.settings)
    stored, asked = 0, []
    try:
        for row in rows:
            progress = platform.progress(row.package)
            asked.append(row.id)
            if progress["declined"]:
                _record(registry, row.id, None, progress, roots, dbsession)
            elif len(progress["signed"]) > row.collected:
                data = platform.download(row.package, row.document)
                stored += _record(registry, row.id, data, progress, roots, dbsession)
    except SourceUnavailable as exc:
        log.warning("signing platform unavailable: %s", exc)
        return {"signing_collected": stored, "signing_unavailable": 1}
    finally:
        if asked:
            with _session(registry, dbsession) as session:
                session.execute(update(SigningPackage).where(SigningPackage.id.in_(asked))
                                .values(polled=utcnow())
                                .execution_options(synchronize_session=False))
    return {"signing_collected": stored}


def _record(registry, package_id: int, data: bytes | None, progress: dict, roots,
            dbsession=None) -> int:
    with _session(registry, dbsession) as session:
        package = session.get(SigningPackage, package_id)
        letter = package.letter
        if package.status != IN_PROGRESS or letter.status != TO_SIGN:
            return 0
        if data is None:  # declined on the platform itself
            for signatory in letter.signatories:
                if signatory.position in progress["declined"]:
                    signatory.status, signatory.reason = REFUSED, "declined on the platform"
            move(session, letter, DECLINED, signatory=progress["declined"][0])
            package.status = WITHDRAWN
            return 0
        version = _store(registry, session, letter, data)
        reports = validate(data, roots)
        functions = {field_name(s.position): s.function for s in letter.signatories}
        for report in reports:
            # A real eID certificate names the person, not their function: Loket knows it.
            values = {**report.__dict__,
                      "function": report.function or functions.get(report.field_name, "")}
            session.add(Signature(document_version_id=version.id, **values))
        signed_at = {r.field_name: r.signed_at for r in reports}
        for signatory in letter.signatories:
            if signatory.position in progress["signed"] and signatory.status == WAITING:
                signatory.status = SIGNED
                signatory.signed = signed_at.get(field_name(signatory.position)) \
                    or utcnow()
                record_event(session, letter.dossier, "signing.signed", signatory.user_id,
                             letter=letter.id, position=signatory.position,
                             sha256=version.sha256)
        package.collected = len(progress["signed"])
        if all(s.status == SIGNED for s in letter.signatories):
            package.status = COMPLETED
            move(session, letter, READY, sha256=version.sha256)
        return 1


def _store(registry, session, letter, data: bytes) -> DocumentVersion:
    document = letter.document
    sha256 = registry["loket.blobstore"].put(data)
    current = document.current
    version = DocumentVersion(version=current.version + 1, filename=current.filename,
                              media_type="application/pdf", size=len(data), sha256=sha256)
    document.versions.append(version)
    session.flush()
    return version
