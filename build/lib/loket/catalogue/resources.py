"""Traversal for ``/catalogus/<code>/<number>``: the catalogue, its types and their versions."""

from pyramid.authorization import Allow, Everyone

from loket.catalogue.models import DossierType
from loket.catalogue.services import get_type
from loket.security import Permission, Role, role_principal


class CatalogueContainer:
    """``/catalogus``: looks a dossier type up by its code.

    Everyone may *view* the catalogue (what the public pages show is decided per view); the
    functional administrator manages it. Everything else falls through to the root ACL."""

    __name__ = "catalogus"
    __acl__ = [
        (Allow, Everyone, Permission.VIEW),
        (Allow, role_principal(Role.ADMIN), Permission.MANAGE_CATALOGUE),
    ]

    def __init__(self, parent, request):
        self.__parent__ = parent
        self.request = request

    def __getitem__(self, code: str) -> DossierType:
        dossier_type = get_type(self.request.dbsession, code)
        if dossier_type is None:
            raise KeyError(code)
        return self.adopt(dossier_type)

    def adopt(self, dossier_type: DossierType) -> DossierType:
        """Place a type found by a query in the tree, so its URL can be built."""
        dossier_type.__parent__ = self
        return dossier_type
