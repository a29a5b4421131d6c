"""Following sent letters: the worker asks the delivery service where each one is.

A worker job (``sending.track``, every ``loket.sending.poll_interval`` seconds) asks about
the dispatches still moving, oldest check first, and records what changed: track and trace,
the barcode, delivered/read/returned with their times, the deposit proof of registered mail
(stored as a document of the dossier). A delivered letter moves to ``delivered``; a returned
one to ``returned`` (a task on the handler's worklist). When a decision letter is delivered
the dossier takes its ``decision.send`` step as the system — only then does the citizen hear
the outcome.
"""

import logging
from datetime import timedelta

from sqlalchemy import or_, select

from loket.db import utcnow
from loket.documents.models import Document, DocumentVersion
from loket.dossiers.events import record_event
from loket.letters import models as letters
from loket.letters.services import move
from loket.plugins.kinds import SourceError
from loket.sending import channel as channels
from loket.sending import outgoing
from loket.sending.delivery import own_transaction
from loket.sending.models import (
    ACCEPTED,
    DELIVERED,
    EBOX,
    PAPER,
    READ,
    RETURNED,
    TRACKED,
    Dispatch,
)
from loket.workflow.engine import (
    Actor,
    TransitionConflict,
    TransitionRefused,
    perform,
    workflow_of,
)

log = logging.getLogger(__name__)

JOB_NAME = "sending.track"
DEFAULT_INTERVAL = 60.0
BATCH = 200
# Letters are followed this long after they left; an eBox letter never read stays delivered.
TRACK_DAYS = 60
DECISION_KINDS = frozenset({"decision.granted", "decision.refused"})
DECISION_SEND = "decision.send"


def due(registry, limit: int = BATCH) -> list[tuple[int, str, str]]:
    """``(dispatch id, message id, channel)`` still moving, least recently asked first."""
    manager, session_of = own_transaction(registry)
    with manager:
        dbsession = session_of()
        rows = dbsession.execute(
            select(Dispatch.id, Dispatch.message_id, Dispatch.channel)
            .where(Dispatch.status.in_(TRACKED), Dispatch.message_id.is_not(None),
                   Dispatch.sent >= utcnow() - timedelta(days=TRACK_DAYS),
                   # paper is done once delivered; an eBox letter once read
                   or_(Dispatch.status == ACCEPTED, Dispatch.channel == EBOX))
            .order_by(Dispatch.last_checked.is_not(None), Dispatch.last_checked, Dispatch.id)
            .limit(limit)).all()
    return [tuple(row) for row in rows]


def track(registry) -> dict:
    """The worker job: ask about each moving dispatch, record the answers."""
    delivery = channels.delivery_of(registry)
    if delivery is None:
        return {}
    asked = changed = unavailable = 0
    for dispatch_id, message_id, channel in due(registry):
        asked += 1
        try:
            report = delivery.status(message_id, channel)
            proof = None
            if report.proof_available and _wants_proof(registry, dispatch_id):
                proof = delivery.attestation(message_id)
        except SourceError as error:
            unavailable += 1
            log.info("delivery status of dispatch %s not available: %s", dispatch_id,
                     type(error).__name__)
            continue
        try:
            changed += apply(registry, dispatch_id, report, proof)
        except TransitionConflict:
            log.info("dossier of dispatch %s changed meanwhile; next round", dispatch_id)
    return {"tracked": asked, "changed": changed, "unavailable": unavailable}


def _wants_proof(registry, dispatch_id) -> bool:
    manager, session_of = own_transaction(registry)
    with manager:
        dispatch = session_of().get(Dispatch, dispatch_id)
        return bool(dispatch and dispatch.registered and dispatch.proof_document_id is None)


def _when(report, status):
    return next((e.at for e in report.events if e.status == status), None) or utcnow()


def apply(registry, dispatch_id: int, report: outgoing.DeliveryReport,
          proof: bytes | None = None) -> bool:
    """Record one report; True when the dispatch's status changed."""
    manager, session_of = own_transaction(registry)
    with manager:
        dbsession = session_of()
        dispatch = dbsession.get(Dispatch, dispatch_id)
        if dispatch is None:
            return False
        dispatch.last_checked = utcnow()
        dispatch.history = [{"status": e.status, "at": e.at.isoformat(), "detail": e.detail}
                            for e in report.events]
        dispatch.barcode = report.barcode or dispatch.barcode
        if proof and dispatch.proof_document_id is None:
            dispatch.proof = _store_proof(registry, dbsession, dispatch, proof)
        before = dispatch.status
        if report.status in (outgoing.DELIVERED, outgoing.READ) and dispatch.delivered is None:
            dispatch.delivered = _when(report, outgoing.DELIVERED)
            dispatch.status = DELIVERED
            _delivered(registry, dbsession, dispatch)
        if report.status == outgoing.READ and dispatch.read is None:
            dispatch.read, dispatch.status = _when(report, outgoing.READ), READ
            record_event(dbsession, dispatch.dossier, "sending.read", None,
                         dispatch=dispatch.id, letter=dispatch.letter_id)
        if report.status == outgoing.RETURNED and dispatch.returned is None \
                and dispatch.channel == PAPER:
            dispatch.returned, dispatch.status = _when(report, outgoing.RETURNED), RETURNED
            dispatch.return_reason = report.return_reason[:64]
            if dispatch.letter.status == letters.SENDING:
                move(dbsession, dispatch.letter, letters.RETURNED, dispatch=dispatch.id,
                     return_reason=dispatch.return_reason)
        return dispatch.status != before


def _delivered(registry, dbsession, dispatch) -> None:
    letter = dispatch.letter
    if letter.status == letters.SENDING:
        move(dbsession, letter, letters.DELIVERED, dispatch=dispatch.id,
             channel=dispatch.channel)
    if letter.kind in DECISION_KINDS:
        _decision_sent(registry, dbsession, dispatch.dossier)


def _decision_sent(registry, dbsession, dossier) -> None:
    """The decision reached the citizen: the dossier's ``decision.send`` step, as the system."""
    step = workflow_of(dossier).transition_for(DECISION_SEND)
    if step is None:
        return
    try:
        perform(registry, dbsession, dossier, step.name, Actor.system(), dossier.version)
    except TransitionConflict:
        raise  # the dossier changed meanwhile: the whole report is recorded on the next round
    except TransitionRefused as refused:
        log.info("decision letter of %s delivered; %s not possible: %s", dossier.reference,
                 step.name, refused)


def _store_proof(registry, dbsession, dispatch, data: bytes) -> Document:
    """The deposit proof (afgiftebewijs) as a document of the dossier."""
    if not data.startswith(b"%PDF-"):
        raise SourceError("the deposit proof is not a PDF")
    sha256 = registry["loket.blobstore"].put(data)
    number = 1 + max(dbsession.scalars(select(Document.number).where(
        Document.dossier_id == dispatch.dossier_id)), default=0)
    document = Document(dossier_id=dispatch.dossier_id, number=number,
                        title=f"Afgiftebewijs {dispatch.barcode or dispatch.title}"[:300],
                        document_type="afgiftebewijs", direction="in")
    document.versions.append(DocumentVersion(
        version=1, filename=f"afgiftebewijs-{dispatch.id}.pdf", media_type="application/pdf",
        size=len(data), sha256=sha256))
    dbsession.add(document)
    dbsession.flush()
    return document
