"""The handlers' worklist "returned mail": dossiers of their teams with a letter that came
back or was refused, until it is sent again or closed."""

from sqlalchemy import and_, exists, false

from loket.dossiers.models import Dossier
from loket.i18n import _
from loket.sending.models import FAILED, RETURNED, Dispatch

TITLE = _("Returned mail")
FLAG_TITLE = _("mail returned")


def mail_returned():
    return exists().where(Dispatch.dossier_id == Dossier.id,
                          Dispatch.status.in_((RETURNED, FAILED)),
                          Dispatch.resolved.is_(False))


def returned_mail(viewer):
    if not viewer.team_ids:
        return false()
    return and_(Dossier.team_id.in_(viewer.team_ids), mail_returned())
