"""Admissibility: the handler confirms or overrides the automatic screening of a submitted
dossier — admissible, not admissible (with a reason) or a request for completion — on the
dossier page and through the API. See :mod:`loket.admissibility.services`."""


def includeme(config):
    from loket.admissibility import timeline, views

    config.add_dossier_panel("admissibility", "loket:admissibility/templates/panel.jinja2",
                             views.panel, order=5, audience="staff")
    config.add_timeline_source("admissibility", timeline.entries)
    # A refusal needs a reason from the type's list: only through the admissibility form.
    config.add_step_handler("onontvankelijk_verklaren", step_use_the_admissibility_form)
    config.scan(".views")
    config.scan(".api")


def step_use_the_admissibility_form(request, dossier, comment, version):
    from loket.i18n import _
    from loket.workflow.engine import TransitionRefused

    raise TransitionRefused(_("Use the admissibility form on the dossier page: it asks for "
                              "the reason."))
