"""Advice from other services: internal teams (their own worklist) and external services
(through an ``advice`` plug-in's API, or by e-mail with a one-time link).

``/dossiers/<ref>/adviezen/<n>`` is a request; its ACL lets the requested team's advisers see
it and answer, and nothing else of the dossier. ``/adviezen`` is the advisers' worklist,
``/advies/<token>`` the public page behind an e-mail link. The workflow guard
``all_advice_received`` holds once every request is answered or waived.
"""

from loket.advice.conditions import all_advice_received
from loket.advice.models import AdviceRequest
from loket.advice.panel import TEMPLATE, compute, timeline
from loket.advice.reminders import INTERVAL_SECONDS, remind
from loket.i18n import _
from loket.security import Permission, Role


def includeme(config):
    from loket.advice import worklist

    config.add_worklist("advies", worklist.TITLE, worklist.waiting_for_advice, order=25)
    config.add_worklist_flag("advice_waiting", worklist.FLAG_TITLE, worklist.advice_open)
    config.add_workflow_condition("all_advice_received", all_advice_received)
    config.add_openapi_fragment("loket.advice")
    config.add_dossier_panel("advice", TEMPLATE, compute, order=40, audience="staff")
    config.add_timeline_source("advice", timeline)
    config.add_dossier_rows("advice", AdviceRequest.dossier_id)
    config.add_worker_job("advice_reminders", INTERVAL_SECONDS, remind)
    config.add_dossier_child("adviezen", "loket.advice.resources.DossierAdvice")
    config.add_start_page("adviezen", _("Advice requests"), Permission.WORK, order=30,
                          roles=(Role.ADVISER,))
    config.scan(".views")
    config.scan(".api")
