"""Workflow guards of claims."""

from sqlalchemy import select
from sqlalchemy.orm import object_session

from loket.claims.models import PAID, Claim
from loket.i18n import _


def claim_paid(dossier):
    """A fee is paid only once its claim is: read from the bank's statements or booked by
    finance, never by a bare step."""
    paid = object_session(dossier).scalar(select(Claim.id).where(
        Claim.dossier_id == dossier.id, Claim.status == PAID).limit(1))
    return None if paid is not None else _("The fee has not been paid yet.")
