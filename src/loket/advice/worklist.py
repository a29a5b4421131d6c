"""The handlers' worklist "waiting for advice" and the row flag of an open advice request."""

from sqlalchemy import and_, exists, false, select

from loket.advice.models import OPEN_STATUSES, AdviceRequest
from loket.dossiers.models import Dossier
from loket.i18n import _

TITLE = _("Waiting for advice")
FLAG_TITLE = _("advice waiting")


def advice_open():
    return exists().where(AdviceRequest.dossier_id == Dossier.id,
                          AdviceRequest.status.in_(OPEN_STATUSES))


# The dossiers with an open request, from the open requests (few, by their index), not from
# each of the team's open dossiers (tens of thousands at a million).
_WITH_OPEN_REQUEST = (select(AdviceRequest.dossier_id)
                      .where(AdviceRequest.status.in_(OPEN_STATUSES)))


def waiting_for_advice(viewer):
    if not viewer.team_ids:
        return false()
    return and_(Dossier.team_id.in_(viewer.team_ids), Dossier.id.in_(_WITH_OPEN_REQUEST))
