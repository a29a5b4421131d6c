"""``/vorderingen`` (finance: claims, statements, payments; the root ACL grants ``pay``) and
``/dossiers/<ref>/retributie`` (the dossier's fee: the dossier's ACL)."""

from pyramid.authorization import DENY_ALL, Allow

from loket.claims.models import Claim, IncomingPayment
from loket.security import Permission, Role, role_principal
from loket.web.inputs import parse_id

FINANCE_ACL = [(Allow, role_principal(Role.FINANCE), (Permission.PAY, Permission.VIEW)),
               DENY_ALL]


class ClaimsContainer:
    """``/vorderingen``: the lists; ``/vorderingen/<id>`` a claim,
    ``/vorderingen/betalingen/<id>`` an incoming payment."""

    __name__ = "vorderingen"

    def __init__(self, parent, request):
        self.__parent__ = parent
        self.request = request

    def __getitem__(self, name):
        if name == "betalingen":
            return PaymentsContainer(self)
        return _lookup(self, Claim, name)


class PaymentsContainer:
    __name__ = "betalingen"

    def __init__(self, parent):
        self.__parent__ = parent
        self.request = parent.request

    def __getitem__(self, name):
        return _lookup(self, IncomingPayment, name)


def _lookup(container, model, name):
    number = parse_id(name)
    found = container.request.dbsession.get(model, number) if number else None
    if found is None:
        raise KeyError(name)
    found.__parent__ = container
    found.__acl__ = FINANCE_ACL
    return found


class DossierClaim:
    """``/dossiers/<ref>/retributie``: inherits the dossier's ACL; ``qr-<id>.png`` is the EPC QR
    code of one of its claims (a view name)."""

    __name__ = "retributie"

    def __init__(self, dossier):
        self.__parent__ = dossier
        self.dossier = dossier

    def __getitem__(self, name):
        raise KeyError(name)
