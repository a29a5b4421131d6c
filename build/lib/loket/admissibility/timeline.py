"""Admissibility decisions in the dossier's timeline: whether the handler confirmed or
overrode the automatic screening (from the audit trail, which records exactly that)."""

from sqlalchemy import select

from loket.admissibility.services import AUDIT_ACTION
from loket.audit.models import AuditEvent
from loket.dossiers.panels import TimelineEntry
from loket.i18n import _
from loket.identity.models import User

DECISION_LABELS = {"admissible": _("admissible"), "not_admissible": _("not admissible"),
                   "completion": _("completion requested")}
SCREENING_LABELS = {"pass": _("admissible"), "fail": _("not admissible"),
                    "unknown": _("not everything checked")}


def entries(request, dossier) -> list[TimelineEntry]:
    translate = request.localizer.translate
    rows = request.dbsession.execute(
        select(AuditEvent, User.given_name, User.family_name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.object_type == "dossier", AuditEvent.object_id == dossier.reference,
               AuditEvent.action == AUDIT_ACTION)
        .order_by(AuditEvent.id))
    found = []
    for event, given_name, family_name in rows:
        details = event.details or {}
        confirms = details.get("confirms_screening")
        if confirms is True:
            title = _("Admissibility decided: the automatic screening was confirmed")
        elif confirms is False:
            title = _("Admissibility decided: the automatic screening was overridden")
        else:
            title = _("Admissibility decided")
        detail = translate(_("Screening: ${screening}. Decision: ${decision}.", mapping={
            "screening": translate(SCREENING_LABELS.get(details.get("screening"),
                                                        _("none"))),
            "decision": translate(DECISION_LABELS.get(details.get("decision"),
                                                      details.get("decision", ""))),
        }))
        found.append(TimelineEntry(
            occurred=event.occurred, kind="admissibility", title=translate(title),
            detail=detail, actor=f"{given_name or ''} {family_name or ''}".strip()))
    return found
