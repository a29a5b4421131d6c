"""Domain events: each feature says what happened to a dossier, once, here.

    happened(request, dossier, "admissibility.decided", decision="admissible")

writes a :class:`~loket.dossiers.models.DossierEvent` (what the timeline and, later, lead-time
analytics and webhooks read) and the audit row of the same change (the legal record), in the
caller's transaction.
"""

from typing import NamedTuple

from sqlalchemy import bindparam, select

from loket import audit
from loket.dossiers.models import DossierEvent
from loket.dossiers.panels import has_rows, once
from loket.identity.models import User


def record_event(dbsession, dossier, kind: str, actor_id: int | None = None,
                 **details) -> DossierEvent:
    event = DossierEvent(dossier_id=dossier.id, kind=kind, actor_id=actor_id, details=details)
    dbsession.add(event)
    audit.write(dbsession, kind, "dossier", dossier.reference, actor_id, **details)
    return event


def happened(request, dossier, kind: str, **details) -> DossierEvent:
    """:func:`record_event` by the request's user."""
    user = getattr(request, "user", None)
    return record_event(request.dbsession, dossier, kind, user.id if user else None, **details)


def events_of(dbsession, dossier, *kinds: str) -> list[DossierEvent]:
    """The dossier's events of these kinds, oldest first (one indexed query)."""
    return list(dbsession.scalars(
        select(DossierEvent).where(DossierEvent.dossier_id == dossier.id,
                                   DossierEvent.kind.in_(kinds))
        .order_by(DossierEvent.id)))


class Event(NamedTuple):
    """An event as the timeline shows it: its actor by name ("" for the system)."""

    kind: str
    occurred: object
    actor_id: int | None
    actor: str
    details: dict


_EVENTS = (select(DossierEvent.kind, DossierEvent.occurred, DossierEvent.actor_id,
                  User.given_name, User.family_name, DossierEvent.details)
           .outerjoin(User, User.id == DossierEvent.actor_id)
           .where(DossierEvent.dossier_id == bindparam("dossier"))
           .order_by(DossierEvent.id))  # built once: every staff dossier page reads them


def dossier_events(request, dossier) -> list[Event]:
    """All the dossier's events, oldest first, read once per request: every timeline source
    picks its own kinds from these (one query for all of them)."""
    if not has_rows(request, dossier, "events"):
        return []

    def read():
        return [Event(kind, occurred, actor_id, f"{given or ''} {family or ''}".strip(),
                      details or {})
                for kind, occurred, actor_id, given, family, details
                in request.dbsession.execute(_EVENTS, {"dossier": dossier.id})]

    return once(request, "dossier_events", dossier, read)
