"""The worker job that reminds services of advice due soon or overdue, once per request."""

import transaction

from loket.advice.services import remind_due
from loket.db import get_tm_session, utcnow

INTERVAL_SECONDS = 3600.0


def remind(registry) -> dict:
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        dbsession = get_tm_session(registry["dbsession_factory"], manager)
        return {"advice_reminders": remind_due(registry, dbsession, utcnow())}
