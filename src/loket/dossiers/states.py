"""Human names of dossier states (the workflow engine will own the states themselves)."""

from loket.i18n import _

STATE_LABELS = {
    "concept": _("Draft"),
    "ingediend": _("Submitted"),
    "vervollediging_gevraagd": _("Completion requested"),
    "ontvankelijk": _("Admissible"),
    "onontvankelijk": _("Not admissible"),
    "in_behandeling": _("In progress"),
    "klaar_voor_beslissing": _("Ready for decision"),
    "geagendeerd": _("On the agenda"),
    "goedgekeurd": _("Approved"),
    "geweigerd": _("Refused"),
    "klaar_voor_betaling": _("Ready for payment"),
    "betaald": _("Paid"),
    "afgesloten": _("Closed"),
    "stopgezet": _("Withdrawn"),
}


def state_label(state: str):
    return STATE_LABELS.get(state, state)
