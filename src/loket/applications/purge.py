"""The worker job that purges drafts nobody touched for ``loket.applications.draft_days`` days.

A draft never submitted holds personal data without a purpose once abandoned. Its documents,
history and the like go with it (the foreign keys cascade); the MAGDA log keeps its rows (they
name the reference, a legal record). Each purge leaves an audit event with the reference only.
"""

from datetime import timedelta

import transaction
from sqlalchemy import delete, select

from loket import audit
from loket.db import get_tm_session, utcnow
from loket.dossiers.drafts import draft_days, draft_states
from loket.dossiers.models import Dossier

INTERVAL_SECONDS = 3600.0
BATCH = 200


def purge_drafts(dbsession, now, days: int) -> list[str]:
    """Delete the drafts unchanged since ``now - days``; their references."""
    cutoff = now - timedelta(days=days)
    rows = dbsession.execute(
        select(Dossier.id, Dossier.reference)
        .where(Dossier.state.in_(draft_states()), Dossier.submitted.is_(None),
               Dossier.modified < cutoff)
        .order_by(Dossier.id).limit(BATCH)).all()
    if not rows:
        return []
    dbsession.execute(delete(Dossier).where(Dossier.id.in_([r.id for r in rows]),
                                            Dossier.state.in_(draft_states()))
                      .execution_options(synchronize_session=False))
    for row in rows:
        audit.write(dbsession, "application.draft_purged", "dossier", row.reference, days=days)
    dbsession.flush()
    return [r.reference for r in rows]


def job(registry) -> dict:
    with transaction.manager:
        dbsession = get_tm_session(registry["dbsession_factory"], transaction.manager)
        purged = purge_drafts(dbsession, utcnow(), draft_days(registry.settings))
    return {"purged_drafts": len(purged)}
