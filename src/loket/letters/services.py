"""Making a letter and moving it on: the one place a letter's status changes."""

from loket.dossiers.events import record_event
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


def move(dbsession, letter: Letter, status: str, *, actor_id: int | None = None,
         **details) -> None:
    """Move the letter on and record it on the dossier (``letter.<status>``)."""
    if status not in FLOW[letter.status]:
        raise NotAllowed(f"{letter.status} -> {status}")
    letter.status = status
    record_event(dbsession, letter.dossier, f"letter.{status}", actor_id, letter=letter.id,
                 letter_kind=letter.kind, **details)
