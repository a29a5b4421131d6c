"""Reliable delivery of external effects: the transactional outbox and its deliverers.

A change that must reach the outside world calls :func:`enqueue` inside the request's (or the
worker's) transaction: the row commits with the change or not at all. The worker
(``loket worker``, :mod:`loket.outbox.relay`) delivers each row at least once, calling the
deliverer registered for its ``kind``, outside any database transaction.

A deliverer is ``deliver(message, context) -> None``: ``message`` is a :class:`Message` (a
snapshot of the row: ``id``, ``kind``, ``payload``, ``idempotency_key`` …) and ``context`` a
:class:`DeliveryContext` (``settings``, ``registry``, ``http``: a ``requests.Session``,
``timeout``). Returning means delivered. It raises :class:`PermanentFailure` when retrying
cannot help (HTTP 4xx: the row goes to the dead letters at once) and anything else for a
temporary failure (retried with capped exponential backoff and full jitter, dead-lettered
after ``loket.outbox.max_attempts``). Nothing is ever dropped: dead messages wait for a person
at ``/beheer/berichten``. A deliverer must finish well within ``loket.outbox.claim_timeout``
(default 60 s), or another worker takes the message over.

Messages with the same ``ordering_key`` (e.g. ``dossier:42``) are delivered in the order they
were enqueued: one waits while an earlier one is not delivered, even a dead one, until a
person resends or discards it.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from loket.outbox.models import OutboxMessage

HTTP_POST = "http.post"


class PermanentFailure(Exception):
    """The receiver refused the message for good (e.g. HTTP 4xx); retrying cannot help.

    The message (``str(exc)``) is shown to staff: name the problem, never personal data."""


class TemporaryFailure(Exception):
    """The receiver is down, slow or answered 5xx; try again later (after at least
    ``retry_after`` seconds when the receiver said so, e.g. HTTP 429 Retry-After)."""

    def __init__(self, message: str = "", retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Message:
    """What a deliverer gets: the row as claimed, detached from any database session."""

    id: int
    kind: str
    payload: dict
    idempotency_key: str
    ordering_key: str | None
    dossier_id: int | None
    attempts: int  # attempts made before this one
    created: datetime


@dataclass(frozen=True)
class DeliveryContext:
    settings: dict
    registry: object
    http: object  # a requests.Session shared by the worker's deliveries (keep-alive)
    timeout: float  # seconds; loket.outbox.http_timeout
    worker: str  # who delivers: host:pid:nonce


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
    from loket.api.health import add_health_section
    from loket.outbox import http
    from loket.outbox.services import health_figures

    config.add_directive(
        "add_outbox_deliverer",
        lambda config, kind, deliver: register_deliverer(config.registry, kind, deliver),
    )
    register_deliverer(config.registry, HTTP_POST, http.deliver)
    add_health_section(config, "outbox", lambda request: health_figures(request.dbsession))
    config.scan(".views")
