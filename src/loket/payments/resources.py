"""``/betalingen`` (finance's lists and actions; the root ACL grants ``pay`` to finance) and
``/dossiers/<ref>/betalingen`` (a dossier's orders; the dossier's ACL: the handler stages,
finance and the handler read)."""

from loket.dossiers.resources import NumberedChildren
from loket.payments.models import PaymentOrder


class PaymentsContainer:
    __name__ = "betalingen"

    def __init__(self, parent, request):
        self.__parent__ = parent
        self.request = request

    def __getitem__(self, name):
        raise KeyError(name)


class DossierPayments(NumberedChildren):
    __name__ = "betalingen"
    model = PaymentOrder
