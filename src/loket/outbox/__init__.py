"""Reliable delivery of external effects: the transactional outbox and its deliverers.

A change that must reach the outside world calls :func:`enqueue` inside the request's (or the
worker's) transaction: the row commits with the change or not at all. The worker
(``loket worker``) delivers each row at least once, calling the deliverer registered for its
``kind``. A deliverer is ``deliver(message, context) -> None``; it raises
:class:`PermanentFailure` when retrying cannot help (HTTP 4xx: the row goes to the dead letters
at once) and anything else for a temporary failure (retried with exponential backoff and
jitter, dead-lettered after the retry budget). It never drops a message.
"""

import uuid

from loket.outbox.models import OutboxMessage


class PermanentFailure(Exception):
    """The receiver refused the message for good (e.g. HTTP 4xx); retrying cannot help."""


class TemporaryFailure(Exception):
    """The receiver is down, slow or answered 5xx; try again later."""


def enqueue(dbsession, kind: str, payload: dict, *, ordering_key: str | None = None,
            dossier_id: int | None = None) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction."""
    message = OutboxMessage(kind=kind, payload=payload, ordering_key=ordering_key,
                            dossier_id=dossier_id, idempotency_key=uuid.uuid4().hex)
    dbsession.add(message)
    return message


def register_deliverer(registry, kind: str, deliver) -> None:
    """Make ``deliver(message, context)`` the deliverer of messages of ``kind``."""
    registry.setdefault("loket.outbox.deliverers", {})[kind] = deliver


def deliverers(registry) -> dict:
    return registry.get("loket.outbox.deliverers", {})


def includeme(config):
    config.add_directive(
        "add_outbox_deliverer",
        lambda config, kind, deliver: register_deliverer(config.registry, kind, deliver),
    )
