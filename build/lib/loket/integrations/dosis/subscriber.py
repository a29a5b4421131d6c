"""Every workflow transition that changes what DOSIS shows enqueues one push."""

import logging

from loket.db import utcnow
from loket.integrations.dosis.payload import (
    build_payload,
    dosis_status,
    municipality_of,
)
from loket.outbox import enqueue
from loket.workflow.engine import workflow_of

log = logging.getLogger(__name__)

KIND = "dosis.push"


def ordering_key(dossier) -> str:
    # One dossier's statuses reach DOSIS in the order they happened.
    return f"dossier:{dossier.id}"


def push_status(event, options: dict):
    """AfterTransition subscriber (within the transition's transaction)."""
    dossier = event.dossier
    workflow = workflow_of(dossier)
    after = dosis_status(dossier, workflow, dossier.state)
    if after is None or after == dosis_status(dossier, workflow, event.from_state):
        return None
    if not dossier.applicant.rrn:
        # Without a national register number nobody can be shown the dossier.
        log.info("dossier %s: applicant has no national register number, no DOSIS push",
                 dossier.reference)
        return None
    settings = event.registry.settings
    payload = build_payload(
        dossier=dossier, workflow=workflow, status=after, bron=options["bron"],
        public_url=settings["loket.public_url"],
        municipality=municipality_of(event.dbsession, settings),
        changed=event.history.occurred or utcnow(),
    )
    return enqueue(event.dbsession, KIND, payload, ordering_key=ordering_key(dossier),
                   dossier_id=dossier.id)
