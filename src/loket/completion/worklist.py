"""The worklists' row flag of a dossier whose applicant was asked to complete it."""

from sqlalchemy import exists

from loket.completion.models import CompletionRequest
from loket.dossiers.models import Dossier
from loket.i18n import _

FLAG_TITLE = _("completion requested")


def completion_open():
    return exists().where(CompletionRequest.dossier_id == Dossier.id,
                          CompletionRequest.answered.is_(None))
