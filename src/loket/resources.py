"""The root of the traversal tree; packages add its children.

::

    /                                   Root
    /dossiers/2026-000123               Dossier            (loket.dossiers)
    /dossiers/2026-000123/documenten/4  Document           (loket.documents, a dossier child)
    /catalogus/<code>                   dossier types      (loket.catalogue)
    /beheer                             administration     (here: every package adds pages)

A package adds a top-level container with ``config.add_root_child(name, factory)``, where
``factory(parent, request)`` returns the container; two packages claiming one name is a
configuration conflict. The same tree is served as JSON under ``/api/v1/``.
"""

from loket.security import ROOT_ACL

CHILDREN_KEY = "loket.root_children"


class Administration:
    """``/beheer``: the functional administrator's pages (the municipality's identity …)."""

    __name__ = "beheer"

    def __init__(self, parent, request):
        self.__parent__ = parent
        self.request = request

    def __getitem__(self, key):
        raise KeyError(key)


class Root:
    __name__ = ""
    __parent__ = None
    __acl__ = ROOT_ACL

    def __init__(self, request):
        self.request = request

    def __getitem__(self, name):
        factory = self.request.registry.get(CHILDREN_KEY, {}).get(name)
        if factory is None:
            raise KeyError(name)
        return factory(self, self.request)


def root_factory(request):
    return Root(request)


def add_root_child(config, name: str, factory):
    """``/<name>`` is ``factory(root, request)``."""
    factory = config.maybe_dotted(factory)

    def register():
        config.registry.setdefault(CHILDREN_KEY, {})[name] = factory

    item = config.introspectable("loket root children", name, f"/{name}", "loket root child")
    item["factory"] = factory
    config.action(("loket.root_child", name), register, introspectables=(item,))


def includeme(config):
    config.add_directive("add_root_child", add_root_child)
    config.add_root_child("beheer", Administration)
