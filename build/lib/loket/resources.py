"""The root of the traversal tree and the top-level containers.

::

    /                                   Root
    /dossiers/2026-000123               Dossier
    /dossiers/2026-000123/documenten/4  Document
    /dossiers/2026-000123/adviezen/2    (advice requests)
    /catalogus/<code>                   (dossier types)
    /zittingen/<date>-college           (meetings)
    /handtekenmap, /verzendregister, /betalingen, /beheer

The same tree is served as JSON under ``/api/v1/`` (see :mod:`loket.api`).
"""

from loket.catalogue.resources import CatalogueContainer
from loket.dossiers.resources import DossierContainer
from loket.security import ROOT_ACL


class LaterContainer:
    """A top-level container whose content a later phase of the blueprints fills."""

    def __init__(self, name, parent, request):
        self.__name__ = name
        self.__parent__ = parent
        self.request = request

    def __getitem__(self, key):
        raise KeyError(key)


class Administration:
    """``/beheer``: the functional administrator's pages (the municipality's identity …)."""

    __name__ = "beheer"

    def __init__(self, parent, request):
        self.__parent__ = parent
        self.request = request

    def __getitem__(self, key):
        raise KeyError(key)


# Top-level names, in the order of the blueprints. The ones built on LaterContainer are
# placeholders in the tree's design: meetings, signing folder, register of outgoing mail and
# payments.
LATER = ("zittingen", "handtekenmap", "verzendregister", "betalingen")


class Root:
    __name__ = ""
    __parent__ = None
    __acl__ = ROOT_ACL

    def __init__(self, request):
        self.request = request

    def __getitem__(self, name):
        if name == "dossiers":
            return DossierContainer(self, self.request)
        if name == "catalogus":
            return CatalogueContainer(self, self.request)
        if name == "beheer":
            return Administration(self, self.request)
        if name in LATER:
            return LaterContainer(name, self, self.request)
        raise KeyError(name)


def root_factory(request):
    return Root(request)
