"""The outbox deliverer of dispatches: hand one letter to the delivery plug-in.

Runs in the worker, outside any request: reads what to send in one short transaction, calls
the service with no transaction open, records the answer in another. The service refusing
the letter for good (a 4xx: a bad address, a file over its limits) makes the dispatch
*failed* with the reason, puts the letter back to ``ready`` and dead-letters the message: the
handler sees it in the register and on their worklist, corrects and sends again. A service
that is down or slow is retried by the outbox (with the same idempotency key), never lost.
"""

import logging

import transaction

from loket.db import get_tm_session, utcnow
from loket.dossiers.events import record_event
from loket.letters import models as letters
from loket.letters.services import move
from loket.outbox import PermanentFailure, TemporaryFailure
from loket.plugins.kinds import InvalidInput, NoData, SourceError, SourceUnavailable
from loket.plugins.registry import Kind, implementations
from loket.sending import channel as channels
from loket.sending.models import ACCEPTED, FAILED, PAPER, QUEUED, Dispatch
from loket.sending.outgoing import Address, Attachment, Outgoing

log = logging.getLogger(__name__)


def own_transaction(registry):
    """A short transaction of our own (the worker has no request): (manager, session)."""
    manager = transaction.TransactionManager(explicit=True)
    return manager, lambda: get_tm_session(registry["dbsession_factory"], manager)


class Refused(Exception):
    """Cannot be sent as it stands (a person must correct something)."""


def _address(registry, dbsession, dispatch) -> Address:
    """The dispatch's address, or the register's main residence now (bulk sendings)."""
    found = Address.from_json(dispatch.address)
    if found is not None:
        return found
    registers = implementations(registry, Kind.PERSON_REGISTER)
    insz = dispatch.dossier.applicant.rrn if dispatch.dossier.applicant else None
    if not registers or not insz:
        raise Refused("no address: the recipient has no national register number or no "
                      "person register is configured")
    try:
        person = registers[0].geef_persoon(
            dbsession, insz, purpose=channels.purpose_of(registry.settings), actor=None,
            dossier_reference=dispatch.dossier.reference)
    except NoData:
        person = None
    except SourceUnavailable as down:
        raise TemporaryFailure(f"person register: {type(down).__name__}") from None
    except SourceError as error:
        raise Refused(f"person register: {type(error).__name__}") from None
    residence = person.address if person is not None else None
    if residence is None or not (residence.street and residence.postcode):
        raise Refused("no address: the person register has no main residence")
    found = Address(street=residence.street, house_number=residence.house_number or "",
                    box=residence.box or "", postcode=residence.postcode,
                    municipality=residence.municipality or "")
    dispatch.address = found.as_json()
    return found


def prepare(registry, dispatch_id: int) -> Outgoing | None:
    """What to send, or None when it is no longer to be sent (done before, or gone)."""
    manager, session_of = own_transaction(registry)
    refused = later = None
    with manager:
        dbsession = session_of()
        dispatch = dbsession.get(Dispatch, dispatch_id)
        if dispatch is None or dispatch.status != QUEUED:
            return None  # accepted already (a redelivery), failed, or the dossier is gone
        letter = dispatch.letter
        if letter.status != letters.SENDING:  # withdrawn (cancelled) before it left
            dispatch.status, dispatch.error = FAILED, "the letter was withdrawn before it left"
            dispatch.resolved = True  # nobody's task
            return None
        try:
            address = _address(registry, dbsession, dispatch) if dispatch.channel == PAPER \
                else None
            version = letter.document.current if letter.document else None
            if version is None:
                raise Refused("the letter has no PDF")
            data = registry["loket.blobstore"].get(version.sha256)
        except Refused as reason:
            refused = str(reason)
            _fail(dbsession, dispatch, refused)
        except TemporaryFailure as failure:
            later = failure  # raised once the MAGDA log rows are committed
        else:
            recipient = dispatch.dossier.applicant
            return Outgoing(
                reference=f"{dispatch.dossier.reference}/{letter.id}/{dispatch.attempt}",
                channel=dispatch.channel, insz=recipient.rrn if recipient else None,
                name=dispatch.recipient_name, subject=letter.title or dispatch.title,
                language="nl", attachments=(Attachment(version.filename, data),),
                registered=dispatch.registered, address=address)
    if later is not None:
        raise later
    raise PermanentFailure(f"dispatch {dispatch_id}: {refused}")


def _fail(dbsession, dispatch, reason: str) -> None:
    dispatch.status, dispatch.error = FAILED, reason[:500]
    if dispatch.letter.status == letters.SENDING:
        # The channel refused it for good: ready to be sent again after correction.
        move(dbsession, dispatch.letter, letters.READY, dispatch=dispatch.id, refused=True)
    record_event(dbsession, dispatch.dossier, "sending.failed", None, dispatch=dispatch.id,
                 letter=dispatch.letter_id)


def record_accepted(registry, dispatch_id: int, message_id: str) -> None:
    manager, session_of = own_transaction(registry)
    with manager:
        dbsession = session_of()
        dispatch = dbsession.get(Dispatch, dispatch_id)
        if dispatch is None or dispatch.status != QUEUED:
            return
        dispatch.status, dispatch.message_id, dispatch.sent = ACCEPTED, message_id, utcnow()
        record_event(dbsession, dispatch.dossier, "sending.accepted", None,
                     dispatch=dispatch.id, letter=dispatch.letter_id, channel=dispatch.channel)


def record_refused(registry, dispatch_id: int, reason: str) -> None:
    manager, session_of = own_transaction(registry)
    with manager:
        dbsession = session_of()
        dispatch = dbsession.get(Dispatch, dispatch_id)
        if dispatch is not None and dispatch.status == QUEUED:
            _fail(dbsession, dispatch, reason)


def deliver(message, context):
    registry = context.registry
    dispatch_id = message.payload.get("dispatch")
    if not isinstance(dispatch_id, int):
        raise PermanentFailure("sending.dispatch: the payload names no dispatch")
    outgoing = prepare(registry, dispatch_id)
    if outgoing is None:
        return
    delivery = channels.delivery_of(registry)
    if delivery is None:
        raise TemporaryFailure("no delivery plug-in is configured")
    try:
        message_id = delivery.publish(outgoing, idempotency_key=message.idempotency_key)
    except InvalidInput as refused:  # the service refused it for good
        record_refused(registry, dispatch_id, str(refused))
        raise PermanentFailure(f"dispatch {dispatch_id}: {refused}") from None
    except SourceError as down:
        raise TemporaryFailure(f"{type(down).__name__}: {down}",
                               retry_after=getattr(down, "retry_after", None)) from None
    record_accepted(registry, dispatch_id, message_id)
