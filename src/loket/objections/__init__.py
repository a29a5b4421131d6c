"""Objections (bezwaar) against decisions, as dossiers of their own.

The applicant lodges one online on the dossier whose decision they contest
(``/dossiers/<ref>/bezwaar``), with reasons and documents; a handler of the dossier's team
registers a paper one at the counter. The objection is a dossier of type ``bezwaar`` (workflow
``bezwaar``: received → admissible or not → handled → decided by the competent body through
the decisions package), linked both ways and shown on both dossiers; the team's worklist
"Objections" lists them. One after the term (the type's ``objection.days``) is marked late.
"""


def includeme(config):
    from loket.objections import views

    config.add_dossier_child("bezwaar", "loket.objections.resources.DossierObjection")
    config.add_dossier_panel("objections", "loket:objections/templates/panel.jinja2",
                             views.panel, order=70, audience="staff")
    config.add_dossier_panel("objections_citizen", "loket:objections/templates/panel.jinja2",
                             views.citizen_panel, order=30, audience="citizen")
    config.add_worklist("bezwaren", views.WORKLIST_TITLE, views.team_objections, order=27)
    config.add_openapi_fragment("loket.objections")
    config.scan(".views")
    config.scan(".api")
