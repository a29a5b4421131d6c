"""Domain events: each feature says what happened to a dossier, once, here.

    happened(request, dossier, "admissibility.decided", decision="admissible")

writes a :class:`~loket.dossiers.models.DossierEvent` (what the timeline and, later, lead-time
analytics and webhooks read) and the audit row of the same change (the legal record), in the
caller's transaction.
"""

from sqlalchemy import select

from loket import audit
from loket.dossiers.models import DossierEvent


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
