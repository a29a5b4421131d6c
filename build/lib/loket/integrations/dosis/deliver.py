"""The outbox deliverer of ``dosis.push`` messages; needs no database."""

import logging

from loket.integrations.dosis.client import (
    DosisClient,
    DosisRefused,
    DosisUnavailable,
    upload_id,
)
from loket.outbox import PermanentFailure, TemporaryFailure

log = logging.getLogger(__name__)

CLIENT_KEY = "loket.dosis.client"


def client_of(registry) -> DosisClient:
    """The client the plug-in's setup made (it keeps the access token between deliveries)."""
    return registry[CLIENT_KEY]


def deliver(message, context) -> None:
    """Push one status. The UploadId is the message's idempotency key, so a redelivery after a
    crash is the same upload for DOSIS."""
    payload = {**message.payload, "UploadId": upload_id(message.idempotency_key)}
    number = payload["Identificatie"]["DossierNummer"]
    try:
        client_of(context.registry).push(payload, http=getattr(context, "http", None))
    except DosisRefused as refused:
        log.warning("DOSIS refused the status of dossier %s (HTTP %s)", number, refused.status)
        raise PermanentFailure(f"DOSIS refused the status (HTTP {refused.status}): "
                               f"{refused}") from None
    except DosisUnavailable as down:
        log.info("DOSIS unavailable for dossier %s: %s", number, down)
        raise TemporaryFailure(str(down), retry_after=down.retry_after) from None
    log.info("DOSIS accepted the status of dossier %s (upload %s)", number, payload["UploadId"])
