"""Traversal for dossiers: ``/dossiers/<reference>/<child>``, and who may do what there."""

from sqlalchemy import select

from loket.dossiers.models import Dossier


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


def _advice(dossier):
    from loket.advice.resources import DossierAdvice

    return DossierAdvice(dossier)


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
    "adviezen": lambda d: _advice(d),
    "besluiten": lambda d: _LaterChild("besluiten", d),
    "betalingen": lambda d: _LaterChild("betalingen", d),
}
