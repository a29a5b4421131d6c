"""The worker job that polls DOSIS's processing results.

DOSIS validates an upload at once but processes it later: a 200 only means "accepted", and an
upload can still be refused afterwards (an unknown product, an agent DOSIS cannot link). The
job reads ``GET /api/v1/dosis/resultaten/fouten?bron=`` (the failed uploads of our source),
confirms each one with ``GET /api/v1/dosis/resultaten?bron=&dossierNummer=`` (the upload may
have been resent and processed since), and turns the delivered outbox message of that upload
into a dead one carrying DOSIS's reason. It then shows on ``/beheer/berichten`` with resend and
discard, like a push refused at once. Safe to run twice: the update only moves delivered
messages.
"""

import contextlib
import logging
import uuid

from sqlalchemy import select, update

from loket.db import utcnow
from loket.integrations.dosis.client import DosisRefused, DosisUnavailable, upload_id
from loket.integrations.dosis.deliver import client_of
from loket.integrations.dosis.subscriber import KIND
from loket.outbox.models import DEAD, DELIVERED, OutboxMessage
from loket.plugins.status import redact

log = logging.getLogger(__name__)

JOB_NAME = "dosis.results"
MAX_FAILURES = 500  # per round; the rest waits for the next one


def idempotency_key_of(upload) -> str | None:
    """The outbox key an UploadId was made from (:func:`upload_id` of a hex key)."""
    try:
        return uuid.UUID(str(upload)).hex
    except ValueError:
        return None


def refusal_text(failure: dict) -> str:
    reasons = [str(f.get("Omschrijving")) for f in failure.get("Fouten") or ()
               if isinstance(f, dict) and f.get("Omschrijving")]
    head = str(failure.get("Fout") or "processing failed")
    return redact("DOSIS refused the upload while processing it: "
                  + "; ".join([head, *[r for r in reasons if r != head]]))


@contextlib.contextmanager
def _transaction(registry, dbsession):
    """A short transaction of its own; or the caller's session (tests)."""
    if dbsession is not None:
        yield dbsession
        return
    with registry["dbsession_factory"]() as session, session.begin():
        yield session


def _delivered_pushes(registry, dbsession, keys: list[str]) -> dict[str, int]:
    """idempotency key → message id, of the delivered pushes among ``keys``."""
    with _transaction(registry, dbsession) as session:
        rows = session.execute(
            select(OutboxMessage.idempotency_key, OutboxMessage.id)
            .where(OutboxMessage.kind == KIND, OutboxMessage.status == DELIVERED,
                   OutboxMessage.idempotency_key.in_(keys))).all()
    return dict(rows)


def _still_failed(client, bron: str, failure: dict, upload: str, http=None) -> bool:
    """The newest result DOSIS has for this upload is a failure."""
    number = (failure.get("Identificatie") or {}).get("DossierNummer")
    if not number:
        return True
    mine = [r for r in client.results(bron, str(number), http)
            if isinstance(r, dict) and r.get("UploadId") == upload]
    if not mine:
        return True
    newest = max(mine, key=lambda r: str(r.get("TijdstipVerwerking") or ""))
    return newest.get("Succes") is not True


def poll_results(registry, bron: str, http=None, dbsession=None) -> dict:
    """One round; what it did, by name, for the worker's log. No transaction is open while
    DOSIS is asked."""
    client = client_of(registry)
    try:
        failures = client.failures(bron, http)[:MAX_FAILURES]
    except (DosisRefused, DosisUnavailable) as exc:
        # Its message never holds what we sent; the next round tries again.
        log.warning("DOSIS result polling failed: %s", exc)
        return {"dosis_polls_failed": 1}
    by_key = {}
    for failure in failures:
        if isinstance(failure, dict) and (key := idempotency_key_of(failure.get("UploadId"))):
            by_key[key] = failure
    if not by_key:
        return {"dosis_refused_uploads": 0}
    marked = 0
    for key, message_id in _delivered_pushes(registry, dbsession, list(by_key)).items():
        failure = by_key[key]
        try:
            if not _still_failed(client, bron, failure, upload_id(key), http):
                continue
        except (DosisRefused, DosisUnavailable) as exc:
            log.warning("DOSIS results of one upload unreadable: %s", exc)
            continue
        with _transaction(registry, dbsession) as session:
            marked += session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.status == DELIVERED)
                .values(status=DEAD, last_error=refusal_text(failure), next_attempt=utcnow())
                .execution_options(synchronize_session=False)).rowcount
        log.warning("DOSIS refused upload %s (outbox message %s) while processing it",
                    upload_id(key), message_id)
    return {"dosis_refused_uploads": marked}
