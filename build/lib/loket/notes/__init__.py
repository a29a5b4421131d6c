"""Internal notes on a dossier (staff only, never the applicant) and mentions of colleagues.
See :mod:`loket.notes.services`."""


def includeme(config):
    from loket.dossiers.resources import DOSSIER_CHILDREN
    from loket.notes import views
    from loket.notes.resources import DossierNotes

    # /dossiers/<ref>/notities: the dossier tree's children are open to packages.
    DOSSIER_CHILDREN.setdefault("notities", DossierNotes)
    config.add_dossier_panel("notes", "loket:notes/templates/panel.jinja2", views.panel,
                             order=80, audience="staff")
    config.add_timeline_source("notes", views.timeline_entries)
    config.scan(".views")
    config.scan(".api")
