"""Dossiers: the content object, citizen and staff pages, lists."""

from loket.i18n import _
from loket.security import Permission


def includeme(config):
    config.include(".presentation")  # the |dossier_title and |document_title filters
    config.include(".panels")  # config.add_dossier_panel, config.add_timeline_source
    config.include(".timeline")  # the dossier's own entries: transitions, notes, messages
    config.add_start_page("mijn-dossiers", _("My dossiers"), Permission.OWN_DOSSIERS, order=10)
    config.scan(".views")
    config.scan(".withdraw")  # the citizen withdraws an application (stopzetten)
    config.scan(".consultations")  # who consulted the citizen's data (MAGDA log)
