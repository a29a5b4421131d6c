"""Admissibility: the handler confirms or overrides the automatic screening of a submitted
dossier — admissible, not admissible (with a reason) or a request for completion — on the
dossier page and through the API. See :mod:`loket.admissibility.services`."""


def includeme(config):
    from loket.admissibility import timeline, views

    config.add_dossier_panel("admissibility", "loket:admissibility/templates/panel.jinja2",
                             views.panel, order=5, audience="staff")
    config.add_timeline_source("admissibility", timeline.entries)
    config.scan(".views")
    config.scan(".api")
