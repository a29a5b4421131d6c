"""Workflow guards of payment orders."""

from sqlalchemy import select
from sqlalchemy.orm import object_session

from loket.i18n import _
from loket.payments.models import PAID, PaymentOrder


def payment_order_paid(dossier):
    """The premium is paid only once its payment order is (reported) paid."""
    paid = object_session(dossier).scalar(select(PaymentOrder.id).where(
        PaymentOrder.dossier_id == dossier.id, PaymentOrder.status == PAID).limit(1))
    return None if paid is not None else _("The payment order has not been paid yet.")
