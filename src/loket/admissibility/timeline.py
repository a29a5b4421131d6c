"""Admissibility decisions in the dossier's timeline: whether the handler confirmed or
overrode the automatic screening (the decision's dossier events)."""

from loket.admissibility.services import AUDIT_ACTION
from loket.dossiers.events import dossier_events
from loket.dossiers.panels import TimelineEntry
from loket.i18n import _

DECISION_LABELS = {"admissible": _("admissible"), "not_admissible": _("not admissible"),
                   "completion": _("completion requested")}
SCREENING_LABELS = {"pass": _("admissible"), "fail": _("not admissible"),
                    "unknown": _("not everything checked")}


def entries(request, dossier) -> list[TimelineEntry]:
    translate = request.localizer.translate
    found = []
    for event in dossier_events(request, dossier):
        if event.kind != AUDIT_ACTION:
            continue
        details = event.details
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
            detail=detail, actor=event.actor))
    return found
