"""Completion (vervollediging): the handler asks for missing information or documents, the
citizen answers on the dossier page or through the API. See :mod:`loket.completion.services`."""


def includeme(config):
    from loket.completion.views import citizen_panel, staff_panel

    config.add_dossier_panel("completion", "loket:completion/templates/citizen_panel.jinja2",
                             citizen_panel, order=10, audience="citizen")
    config.add_dossier_panel("completion-staff",
                             "loket:completion/templates/staff_panel.jinja2", staff_panel,
                             order=40, audience="staff")
    config.scan(".views")
    config.scan(".api")
