"""Traversal for dossiers: ``/dossiers/<reference>/<child>``, and who may do what there."""

from sqlalchemy import select
from sqlalchemy.orm import object_session

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


class NumberedChildren:
    """A dossier's numbered children (``documenten/4``, ``adviezen/2``), looked up by number;
    permissions come from the dossier unless a child has its own ACL. ``model`` is a mapped
    class with ``dossier_id`` and ``number``."""

    __name__ = ""
    model = None

    def __init__(self, dossier):
        self.__parent__ = dossier
        self.dossier = dossier

    def __getitem__(self, name):
        if not name.isdigit():
            raise KeyError(name)
        child = object_session(self.dossier).scalar(select(self.model).where(
            self.model.dossier_id == self.dossier.id, self.model.number == int(name)))
        if child is None:
            raise KeyError(name)
        return self.adopt(child)

    def adopt(self, child):
        child.__parent__ = self
        return child


class TraversalChild:
    """A model that traversal hands out (``__parent__`` set by its container) and that a query
    may load too: then its parent is a fresh container (``_container()``), so its URL is
    always right."""

    @property
    def __parent__(self):
        parent = self.__dict__.get("_traversal_parent")
        return parent if parent is not None else self._container()

    @__parent__.setter
    def __parent__(self, parent):
        self.__dict__["_traversal_parent"] = parent

    @property
    def __name__(self) -> str:
        return str(self.number)


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
