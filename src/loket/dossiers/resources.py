"""Traversal for dossiers: ``/dossiers/<reference>/<child>``; packages add the children."""

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload, object_session

from loket.dossiers.models import CHILDREN_KEY, Dossier
from loket.web.inputs import parse_id

# Built once: every dossier URL looks its dossier up with it; with its handler, whom both
# dossier pages name (a statement of its own otherwise).
_BY_REFERENCE = (select(Dossier).where(Dossier.reference == bindparam("reference"))
                 .options(joinedload(Dossier.handler)))


class DossierContainer:
    """``/dossiers``: looks a dossier up by its reference."""

    __name__ = "dossiers"
    # Anonymous callers get the login for a missing dossier too: no probing of references.
    ask_login_when_absent = True

    def __init__(self, parent, request):
        self.__parent__ = parent
        self.request = request

    def __getitem__(self, reference):
        # Not a reference (longer than the column, NUL or control characters, which
        # PostgreSQL refuses in a query): not found, without asking the database.
        if len(reference) > 16 or not reference.isprintable():
            raise KeyError(reference)
        dossier = self.request.dbsession.execute(
            _BY_REFERENCE, {"reference": reference}).scalar_one_or_none()
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
        number = parse_id(name)  # bounded: 25 digits would overflow the column in SQL
        if number is None:
            raise KeyError(name)
        child = object_session(self.dossier).scalar(select(self.model).where(
            self.model.dossier_id == self.dossier.id, self.model.number == number))
        if child is None:
            raise KeyError(name)
        return self.adopt(child)

    def adopt(self, child):
        child.__parent__ = self
        return child


class TraversalChild:
    """A model that traversal hands out (``__parent__`` set by its container) and that a query
    may load too: then its parent is its dossier's container of that name (``CONTAINER``),
    so its URL is always right."""

    CONTAINER = ""  # the dossier child it lives in: "documenten", "adviezen"

    @property
    def __parent__(self):
        parent = self.__dict__.get("_traversal_parent")
        return parent if parent is not None else self.dossier[self.CONTAINER]

    @__parent__.setter
    def __parent__(self, parent):
        self.__dict__["_traversal_parent"] = parent

    @property
    def __name__(self) -> str:
        return str(self.number)


def add_dossier_child(config, name: str, factory):
    """``/dossiers/<ref>/<name>`` is ``factory(dossier)`` (documents, advice requests …)."""
    factory = config.maybe_dotted(factory)

    def register():
        config.registry.setdefault(CHILDREN_KEY, {})[name] = factory

    item = config.introspectable("loket dossier children", name, name, "loket dossier child")
    item["factory"] = factory
    config.action(("loket.dossier_child", name), register, introspectables=(item,))
