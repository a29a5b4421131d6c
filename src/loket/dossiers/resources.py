"""Traversal for dossiers: ``/dossiers/<reference>/<child>``, and who may do what there."""

from pyramid.authorization import DENY_ALL, Allow
from sqlalchemy import select

from loket.dossiers.models import Dossier
from loket.security import Permission, Role, role_principal, team_principal, user_principal

# States in which the applicant may still add documents (the workflow issue refines this per
# state and per dossier type).
APPLICANT_MAY_ADD = frozenset({"concept", "ingediend", "vervollediging_gevraagd"})


def dossier_acl(dossier: Dossier):
    applicant = user_principal(dossier.applicant_id)
    acl = [(Allow, applicant, Permission.VIEW)]
    if dossier.state in APPLICANT_MAY_ADD:
        acl.append((Allow, applicant, Permission.ADD_DOCUMENT))
    acl += [
        (Allow, team_principal(dossier.team.code),
         (Permission.VIEW, Permission.EDIT, Permission.ADD_DOCUMENT)),
        (Allow, role_principal(Role.SECRETARIAT), Permission.VIEW),
        (Allow, role_principal(Role.SIGNATORY), Permission.VIEW),
        DENY_ALL,
    ]
    return acl


class DossierContainer:
    """``/dossiers``: looks a dossier up by its reference."""

    __name__ = "dossiers"

    def __init__(self, parent, request):
        self.__parent__ = parent
        self.request = request

    def __getitem__(self, reference):
        dossier = self.request.dbsession.execute(
            select(Dossier).where(Dossier.reference == reference)
        ).scalar_one_or_none()
        if dossier is None:
            raise KeyError(reference)
        dossier.__parent__ = self
        return dossier


def _documents(dossier):
    from loket.documents.resources import DossierDocuments

    return DossierDocuments(dossier)


class _LaterChild:
    """A child container whose content a later phase fills (advice, decisions, payments)."""

    def __init__(self, name, dossier):
        self.__name__ = name
        self.__parent__ = dossier

    def __getitem__(self, key):
        raise KeyError(key)


# The children of a dossier. ``adviezen``, ``besluiten`` and ``betalingen`` are part of the
# tree's design; their content arrives with the advice, decision and payment features.
DOSSIER_CHILDREN = {
    "documenten": _documents,
    "adviezen": lambda d: _LaterChild("adviezen", d),
    "besluiten": lambda d: _LaterChild("besluiten", d),
    "betalingen": lambda d: _LaterChild("betalingen", d),
}
