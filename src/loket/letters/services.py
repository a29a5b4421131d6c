"""Making a letter and moving it on: the one place a letter's status changes."""

from loket.dossiers.events import record_event
from loket.i18n import _
from loket.letters.models import FLOW, TO_RENDER, Letter


class NotAllowed(Exception):
    """A move the letter's life does not have (from ``delivered`` back to ``ready`` …)."""


def create_letter(dbsession, dossier, kind: str, *, title: str = "", actor_id: int | None = None,
                  **details) -> Letter:
    """A new letter waiting to be rendered (the worker renders it)."""
    letter = Letter(dossier_id=dossier.id, dossier=dossier, kind=kind, title=title,
                    details=details, status=TO_RENDER, created_by_id=actor_id)
    dbsession.add(letter)
    dbsession.flush()
    record_event(dbsession, dossier, "letter.created", actor_id, letter=letter.id,
                 letter_kind=kind)
    return letter


def create_letters(dbsession, wanted) -> list[Letter]:
    """Many letters at once — ``(dossier, kind, actor_id, details)`` each — in one flush (a
    meeting's decision letters): the statements do not grow with their number."""
    letters = [Letter(dossier_id=dossier.id, dossier=dossier, kind=kind, title="",
                      details=details, status=TO_RENDER, created_by_id=actor_id)
               for dossier, kind, actor_id, details in wanted]
    if not letters:
        return []
    dbsession.add_all(letters)
    dbsession.flush()
    for letter in letters:
        record_event(dbsession, letter.dossier, "letter.created", letter.created_by_id,
                     letter=letter.id, letter_kind=letter.kind)
    return letters


def move(dbsession, letter: Letter, status: str, *, actor_id: int | None = None,
         **details) -> None:
    """Move the letter on and record it on the dossier (``letter.<status>``)."""
    if status not in FLOW[letter.status]:
        raise NotAllowed(f"{letter.status} -> {status}")
    letter.status = status
    record_event(dbsession, letter.dossier, f"letter.{status}", actor_id, letter=letter.id,
                 letter_kind=letter.kind, **details)


class OverrideRefused(Exception):
    """``message``: a translation string; nothing changed."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


MAX_REASON = 1000


def override(request, letter: Letter, needs_signature: bool, reason: str) -> None:
    """The handler decides against the screening, with a reason (audited). A letter not yet
    rendered keeps the override for its rendering; a rendered one moves at once: to ``ready``
    (its signatories dropped) or to ``to_sign`` (signatories found as the rule says)."""
    from loket.letters.models import READY, SIGNED, TO_SIGN
    from loket.letters.screening import ScreeningFailed, screen, signatory_rows

    reason = (reason or "").strip()
    if not reason:
        raise OverrideRefused(_("Give the reason for the override."))
    if len(reason) > MAX_REASON:
        raise OverrideRefused(_("The reason is too long: at most ${max} characters.",
                                mapping={"max": MAX_REASON}))
    if letter.status not in (TO_RENDER, TO_SIGN, READY):
        raise OverrideRefused(_("This letter is already on its way: it cannot change now."))
    if letter.status != TO_RENDER and bool(letter.needs_signature) == needs_signature:
        raise OverrideRefused(_("The letter already is as you ask."))
    if any(s.status == SIGNED for s in letter.signatories):
        raise OverrideRefused(_("Someone already signed this letter: it cannot change now."))
    user = request.user
    details = dict(letter.details or {})
    details["override"] = {"needs_signature": needs_signature}
    letter.details = details
    record_event(request.dbsession, letter.dossier, "letter.screening_overridden",
                 user.id if user else None, letter=letter.id, letter_kind=letter.kind,
                 needs_signature=needs_signature, reason=reason)
    if letter.status == TO_RENDER:
        return
    try:
        outcome = screen(request.dbsession, letter)
    except ScreeningFailed as failed:
        raise OverrideRefused(failed.message) from failed
    letter.needs_signature = outcome.needs_signature
    letter.screening_reason = reason
    letter.signatories = signatory_rows(outcome)
    move(request.dbsession, letter, TO_SIGN if needs_signature else READY,
         actor_id=user.id if user else None, overridden=True)
