"""Payment orders in the dossier's timeline (staff), from the dossier's events."""

from sqlalchemy import select

from loket.dossiers.events import events_of
from loket.dossiers.panels import TimelineEntry
from loket.i18n import _
from loket.identity.models import User

TITLES = {
    "payment.staged": _("Payment staged"),
    "payment.approved": _("Payment approved and handed to the accounting package"),
    "payment.paid": _("Payment paid out"),
    "payment.rejected": _("Payment rejected by the bank"),
    "payment.cancelled": _("Payment order sent back to the handler"),
}


def payment_entries(request, dossier) -> list[TimelineEntry]:
    if not (request.user and request.user.is_staff) or dossier.outcome != "approved":
        return []  # only a granted premium has payment orders: no query otherwise
    events = events_of(request.dbsession, dossier, *TITLES)
    if not events:
        return []
    names = {u.id: u.name for u in request.dbsession.scalars(select(User).where(
        User.id.in_({e.actor_id for e in events if e.actor_id})))}
    translate = request.localizer.translate
    return [TimelineEntry(occurred=e.occurred, kind="payment", title=translate(TITLES[e.kind]),
                          detail=e.details.get("amount", ""),
                          actor=names.get(e.actor_id, "Loket")) for e in events]
