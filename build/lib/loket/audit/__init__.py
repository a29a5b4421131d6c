"""Who did what, and when: every state change leaves an :class:`AuditEvent`."""

from loket.audit.models import AuditEvent


def record(request, action: str, object_type: str, object_id, **details) -> AuditEvent:
    """Add an audit event to the request's transaction (it commits or aborts with the change)."""
    user = getattr(request, "user", None)
    event = AuditEvent(
        actor_id=user.id if user is not None else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        details=details,
    )
    request.dbsession.add(event)
    return event
