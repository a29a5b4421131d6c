"""Payment orders in the dossier's timeline (staff), from the dossier's events."""

from loket.dossiers.events import dossier_events
from loket.dossiers.panels import TimelineEntry
from loket.i18n import _

TITLES = {
    "payment.staged": _("Payment staged"),
    "payment.approved": _("Payment approved and handed to the accounting package"),
    "payment.paid": _("Payment paid out"),
    "payment.rejected": _("Payment rejected by the bank"),
    "payment.cancelled": _("Payment order sent back to the handler"),
}


def payment_entries(request, dossier) -> list[TimelineEntry]:
    if not (request.user and request.user.is_staff) or dossier.outcome != "approved":
        return []  # only a granted premium has payment orders
    translate = request.localizer.translate
    return [TimelineEntry(occurred=e.occurred, kind="payment", title=translate(TITLES[e.kind]),
                          detail=e.details.get("amount", ""), actor=e.actor or "Loket")
            for e in dossier_events(request, dossier) if e.kind in TITLES]
