"""The worker job that purges drafts nobody touched for ``loket.applications.draft_days`` days.

A draft never submitted holds personal data without a purpose once abandoned. Its documents,
history and the like go with it (the foreign keys cascade); the MAGDA log keeps its rows (they
name the reference, a legal record). Each purge leaves an audit event with the reference only.
"""

from datetime import timedelta

import transaction
from sqlalchemy import delete, select

from loket.applications.services import DRAFT, draft_days
from loket.audit.models import AuditEvent
from loket.db import get_tm_session, utcnow
from loket.dossiers.models import Dossier

INTERVAL_SECONDS = 3600.0
BATCH = 200


def purge_drafts(dbsession, now, days: int) -> list[str]:
    """Delete the drafts unchanged since ``now - days``; their references."""
    cutoff = now - timedelta(days=days)
    rows = dbsession.execute(
        select(Dossier.id, Dossier.reference)
        .where(Dossier.state == DRAFT, Dossier.submitted.is_(None), Dossier.modified < cutoff)
        .order_by(Dossier.id).limit(BATCH)).all()
    if not rows:
        return []
    dbsession.execute(delete(Dossier).where(Dossier.id.in_([r.id for r in rows]),
                                            Dossier.state == DRAFT)
                      .execution_options(synchronize_session=False))
    for row in rows:
        dbsession.add(AuditEvent(actor_id=None, action="application.draft_purged",
                                 object_type="dossier", object_id=row.reference,
                                 details={"days": days}))
    dbsession.flush()
    return [r.reference for r in rows]


def job(registry) -> dict:
    with transaction.manager:
        dbsession = get_tm_session(registry["dbsession_factory"], transaction.manager)
        purged = purge_drafts(dbsession, utcnow(), draft_days(registry.settings))
    return {"purged_drafts": len(purged)}
