"""Sending letters: one press of "Verzenden" (or a bulk sending) puts each letter in the
outbox; the deliverer (:mod:`.delivery`) hands it to the delivery plug-in; the tracking job
(:mod:`.tracking`) follows it to delivered, read or returned.

Nothing is sent twice: only a letter in ``ready`` can be sent, and sending moves it to
``sending`` in the same transaction (the letter's version counter makes two presses at once
one success and one conflict). The outbox message's idempotency key goes along to the service.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from loket.dossiers.models import Dossier
from loket.i18n import _
from loket.letters import models as letters
from loket.letters.services import move
from loket.outbox import enqueue
from loket.sending import channel as channels
from loket.sending.models import CHANNELS, EBOX, FAILED, OVERRIDE, PAPER, RETURNED, Dispatch
from loket.sending.outgoing import Address
from loket.web.forms import text_is_clean

OUTBOX_KIND = "sending.dispatch"
MAX_REASON = 1000


class SendRefused(Exception):
    """Nothing was sent; ``message`` (a translation string) tells the handler why."""

    def __init__(self, message, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Override:
    """The handler's own choice, with the reason (kept on the dispatch, audited)."""

    channel: str
    reason: str
    address: Address | None = None
    registered: bool | None = None


def check_address(address: Address | None):
    if address is None:
        return
    if not (address.street.strip() and address.postcode.strip()
            and address.municipality.strip()):
        raise SendRefused(_("An address needs a street, a postcode and a municipality."))
    if not (address.postcode.isascii() and address.postcode.isdigit()
            and len(address.postcode) == 4):
        raise SendRefused(_("A Belgian postcode has four digits."))
    for part in (address.street, address.house_number, address.box, address.municipality):
        if len(part) > 100 or not text_is_clean(part):
            raise SendRefused(_("The address contains characters that cannot be printed."))


def check_limits(registry, letter):
    """The letter's PDF fits the service (it is checked again before it goes out)."""
    document = letter.document
    if document is None or not document.versions:
        raise SendRefused(_("This letter has no PDF yet."), 409)
    delivery = channels.delivery_of(registry)
    if delivery is None:
        raise SendRefused(_("No delivery service is configured (loket.integrations.delivery)."),
                          409)
    if document.current.size > delivery.max_bytes:
        raise SendRefused(_("The letter is larger than the delivery service accepts (at most "
                            "${mb} MB).", mapping={"mb": delivery.max_bytes // (1024 * 1024)}))
    if document.current.media_type != "application/pdf":
        raise SendRefused(_("Only PDF letters can be sent."))


def _refuse_unless_ready(letter, expected_version):
    """Ready, or returned (sent again, e.g. to another address)."""
    if letter.status in (letters.SENDING, letters.DELIVERED):
        raise SendRefused(_("This letter was already sent; it is not sent twice."), 409)
    if letter.status not in (letters.READY, letters.RETURNED):
        raise SendRefused(_("This letter is not ready to be sent."), 409)
    if expected_version is not None and expected_version != letter.version:
        raise SendRefused(_("This letter changed meanwhile. Look at it again and send it."),
                          409)


def _apply_override(choice: channels.Choice, override: Override | None) -> channels.Choice:
    if override is None:
        return choice
    if override.channel not in CHANNELS:
        raise SendRefused(_("Choose eBox or paper."))
    reason = (override.reason or "").strip()
    if not reason:
        raise SendRefused(_("Give the reason for choosing another channel or address."))
    if len(reason) > MAX_REASON or not text_is_clean(reason, multiline=True):
        raise SendRefused(_("The reason is too long or contains characters that cannot be "
                            "stored."))
    if override.channel == EBOX and not choice.consent:
        raise SendRefused(_("The eBox can only be used with the recipient's consent."))
    check_address(override.address)
    registered = choice.registered if override.registered is None else override.registered
    return channels.Choice(override.channel, registered if override.channel == PAPER else False,
                           OVERRIDE, address=override.address or choice.address,
                           consent=choice.consent)


def queue(registry, dbsession, letter, choice: channels.Choice, *, actor_id=None,
          override_reason: str = "", batch: str | None = None) -> Dispatch:
    """Record the dispatch, move the letter to ``sending`` and put it in the outbox."""
    return queue_many(dbsession, [(letter, choice)], actor_id=actor_id,
                      override_reason=override_reason, batch=batch)[0]


def queue_many(dbsession, chosen, *, actor_id=None, override_reason: str = "",
               batch: str | None = None) -> list[Dispatch]:
    """:func:`queue` for many ``(letter, choice)`` at once, in two flushes (a bulk sending of
    hundreds of letters is one request)."""
    if not chosen:
        return []
    ids = [letter.id for letter, _choice in chosen]
    attempts = dict(dbsession.execute(
        select(Dispatch.letter_id, func.max(Dispatch.attempt))
        .where(Dispatch.letter_id.in_(ids)).group_by(Dispatch.letter_id)).all())
    # Returned or refused before: sent again now, so no longer a task.
    for earlier in dbsession.scalars(select(Dispatch).where(
            Dispatch.letter_id.in_(ids), Dispatch.status.in_((RETURNED, FAILED)),
            Dispatch.resolved.is_(False))):
        earlier.resolved = True
    dispatches = []
    for letter, choice in chosen:
        recipient = letter.dossier.applicant
        dispatches.append(Dispatch(
            letter=letter, letter_id=letter.id, attempt=attempts.get(letter.id, 0) + 1,
            dossier_id=letter.dossier_id, letter_kind=letter.kind, title=letter.title,
            recipient_id=recipient.id if recipient else None,
            recipient_name=_name(recipient), channel=choice.channel,
            registered=choice.registered if choice.channel == PAPER else False,
            reason=choice.reason, override_reason=override_reason,
            address=choice.address.as_json() if choice.address else None,
            batch=batch, actor_id=actor_id))
    dbsession.add_all(dispatches)
    dbsession.flush()  # the dispatches' ids, for the outbox and the events
    messages = []
    for dispatch in dispatches:
        letter = dispatch.letter
        if letter.status == letters.RETURNED:
            move(dbsession, letter, letters.READY, actor_id=actor_id, dispatch=dispatch.id)
        messages.append(enqueue(dbsession, OUTBOX_KIND, {"dispatch": dispatch.id},
                                dossier_id=letter.dossier_id))
        move(dbsession, letter, letters.SENDING, actor_id=actor_id, dispatch=dispatch.id,
             channel=dispatch.channel, registered=dispatch.registered, reason=dispatch.reason)
    try:
        dbsession.flush()
    except StaleDataError:
        raise SendRefused(_("This letter changed meanwhile. Look at it again and send it."),
                          409) from None
    for dispatch, message in zip(dispatches, messages, strict=True):
        dispatch.outbox_id = message.id
    return dispatches


def lock(dbsession, letter_ids) -> list:
    """The letters, read afresh and locked until commit (PostgreSQL: a second press waits for
    the first and then sees the letter sent)."""
    ids = sorted({i for i in letter_ids if isinstance(i, int) and not isinstance(i, bool)})
    if not ids:
        return []
    return list(dbsession.scalars(
        select(letters.Letter).where(letters.Letter.id.in_(ids)).order_by(letters.Letter.id)
        .with_for_update(of=letters.Letter)
        .options(selectinload(letters.Letter.dossier).selectinload(Dossier.applicant),
                 selectinload(letters.Letter.document))
        .execution_options(populate_existing=True)))


def _name(user) -> str:
    if user is None:
        return ""
    return f"{user.given_name} {user.family_name}".strip()


def send(registry, dbsession, letter, *, actor=None, expected_version=None,
         override: Override | None = None) -> Dispatch:
    """"Verzenden" on one letter: the channel as proposed, or the handler's with a reason."""
    letter = lock(dbsession, [letter.id])[0]
    _refuse_unless_ready(letter, expected_version)
    check_limits(registry, letter)
    choice = _apply_override(channels.choose(registry, dbsession, letter, actor=actor),
                             override)
    if choice.channel is None:
        raise SendRefused(choice.problems[0] if choice.problems else
                          _("No channel can be chosen for this letter."), 409)
    return queue(registry, dbsession, letter, choice, actor_id=getattr(actor, "id", None),
                 override_reason=override.reason.strip() if override else "")


@dataclass
class BulkResult:
    batch: str
    sent: list  # dispatches
    refused: list  # (letter, message)


def send_many(registry, dbsession, letter_ids, *, actor=None) -> BulkResult:
    """Bulk "Verzenden": every ready letter among ``letter_ids``, each by its proposed channel
    (one consent lookup for all); the others are named with the reason, none is sent twice."""
    found = lock(dbsession, letter_ids)
    batch = uuid.uuid4().hex
    result = BulkResult(batch, [], [])
    ready = []
    for letter in found:
        try:
            _refuse_unless_ready(letter, None)
            check_limits(registry, letter)
        except SendRefused as refused:
            result.refused.append((letter, refused.message))
            continue
        ready.append(letter)
    consents, problems = channels.consents(registry, dbsession, ready, actor=actor)
    chosen = []
    for letter in ready:
        choice = channels.proposal(registry, letter, consents, problems)
        if choice.channel is None:
            result.refused.append((letter, choice.problems[0] if choice.problems else
                                   _("No channel can be chosen for this letter.")))
            continue
        chosen.append((letter, choice))
    result.sent = queue_many(dbsession, chosen, actor_id=getattr(actor, "id", None),
                             batch=batch)
    return result


def resolve(dbsession, dispatch: Dispatch, *, actor_id=None) -> None:
    """Returned or failed mail dealt with without sending again (e.g. delivered by hand)."""
    if dispatch.status not in (RETURNED, FAILED) or dispatch.resolved:
        raise SendRefused(_("Only returned or refused mail can be closed."), 409)
    dispatch.resolved = True
    letter = dispatch.letter
    if letter.status in (letters.RETURNED, letters.READY):
        move(dbsession, letter, letters.CANCELLED, actor_id=actor_id, dispatch=dispatch.id)


def resend(registry, dbsession, dispatch: Dispatch, *, actor=None,
           override: Override | None = None) -> Dispatch:
    """Returned or refused mail sent again (another address, another channel): a new
    dispatch of the same letter; the old one is resolved."""
    if dispatch.status not in (RETURNED, FAILED) or dispatch.resolved:
        raise SendRefused(_("Only returned or refused mail can be sent again."), 409)
    return send(registry, dbsession, dispatch.letter, actor=actor, override=override)
