"""Decisions on dossiers by the college, the council, the vast bureau, the raad voor
maatschappelijk welzijn or a delegated official.

- deciding bodies, their members and meeting calendars, meetings and agenda items
  (:mod:`.models`, :mod:`.services`);
- the draft decision from the dossier type's template (:mod:`.drafting`), proposed to the
  next open meeting at ``/dossiers/<ref>/beslissing`` (the step with purpose
  ``decision.agenda``), or decided there by a delegated official;
- ``/zittingen``: the meetings, closing an agenda, recording a whole meeting's outcomes;
- the minutes software's decision callback (:mod:`.callbacks`);
- the functional administrator's editor of a type version's decision template, with a
  preview on a real dossier (:mod:`.editor`);
- ``/besluitenlijsten/<meeting>``: the public list of decisions as HTML+RDFa
  (:mod:`.publication`, :mod:`.lblod`).
"""

from loket.decisions import drafting
from loket.decisions.callbacks import PURPOSES
from loket.i18n import _
from loket.security import Permission, Role

FEATURE_PURPOSES = (*PURPOSES.values(), "decision.agenda", "decision.withdraw",
                    "decision.approve_delegated", "decision.refuse_delegated")


def includeme(config):
    from loket.decisions import views
    from loket.decisions.models import AgendaItem, Decision

    config.add_workflow_feature("decisions", marks=("ready_for_decision", "on_agenda", "decided"),
                                purposes=FEATURE_PURPOSES)
    config.add_callback_kind("besluit", Permission.CALLBACK_BESLUIT)
    config.add_definition_section(drafting.KEY, drafting.validate, required=False,
                                  default=lambda workflow: drafting.DEFAULT)
    config.add_root_child("zittingen", "loket.decisions.resources.MeetingsContainer")
    config.add_root_child("besluitenlijsten", "loket.decisions.resources.DecisionLists")
    config.add_dossier_child("beslissing", "loket.decisions.resources.DossierDecision")
    config.add_dossier_panel("decisions", views.PANEL_TEMPLATE, views.panel, order=60,
                             audience="staff")
    config.add_dossier_rows("decisions", Decision.dossier_id)
    config.add_dossier_rows("agenda_items", AgendaItem.dossier_id)
    for purpose in views.STEP_PURPOSES:
        config.add_step_handler(purpose, views.step_through_the_decision_page)
    config.add_start_page("zittingen", _("Meetings"), Permission.MEETINGS, order=20,
                          roles=(Role.SECRETARIAT, Role.SIGNATORY))
    config.add_openapi_fragment("loket.decisions")
    config.scan(".api")
    config.scan(".callbacks")
    config.scan(".publication")
    config.scan(".editor")
    config.scan(".views")
