"""The workflow guard ``all_advice_received``: every request answered or waived."""

from sqlalchemy.orm import object_session

from loket.advice.services import open_count
from loket.i18n import _
from loket.workflow.conditions import register_condition


@register_condition("all_advice_received")
def all_advice_received(dossier):
    waiting = open_count(object_session(dossier), dossier.id)
    if waiting:
        return _("Advice is still awaited (${count} open request(s)): wait for the answer or "
                 "waive it with a reason.", mapping={"count": waiting})
    return None
