"""Who did what, and when: every state change leaves an :class:`AuditEvent`."""

from loket.audit import chain  # noqa: F401 (chains every audit and MAGDA log row at flush)
from loket.audit.models import AuditEvent


def write(dbsession, action: str, object_type: str, object_id, actor_id: int | None = None,
          *, occurred=None, **details) -> AuditEvent:
    """The one way into the audit trail: a row in ``dbsession``'s transaction (it commits or
    aborts with the change it records). Details are identifiers, never personal data.
    ``occurred``: when it happened, for a row written later than that (default: now)."""
    event = AuditEvent(actor_id=actor_id, action=action, object_type=object_type,
                       object_id=str(object_id), details=details)
    if occurred is not None:
        event.occurred = occurred
    dbsession.add(event)
    return event


def record(request, action: str, object_type: str, object_id, **details) -> AuditEvent:
    """:func:`write` for the request's user."""
    user = getattr(request, "user", None)
    return write(request.dbsession, action, object_type, object_id,
                 user.id if user is not None else None, **details)
