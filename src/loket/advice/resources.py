"""Traversal for ``/dossiers/<ref>/adviezen/<number>`` and the documents shared with an adviser.

The container and the shared documents have no ACL of their own: the container inherits the
dossier's (handlers, secretariat …), an advice request adds the requested team's advisers, who
see the request and what it shares, and nothing else of the dossier (404 everywhere else).
"""

from pyramid.authorization import Allow
from sqlalchemy import bindparam, select
from sqlalchemy.orm import object_session

from loket.advice.models import INTERNAL, AdviceRequest
from loket.documents.models import Document
from loket.dossiers.resources import NumberedChildren
from loket.security import Permission, Role, team_role_principal


class DossierAdvice(NumberedChildren):
    """``/dossiers/<ref>/adviezen``: the dossier's advice requests."""

    __name__ = "adviezen"
    model = AdviceRequest

    _ALL = (select(AdviceRequest).where(AdviceRequest.dossier_id == bindparam("dossier"))
            .order_by(AdviceRequest.number))  # built once: every staff dossier page reads it

    def all(self) -> list[AdviceRequest]:
        requests = object_session(self.dossier).scalars(self._ALL, {"dossier": self.dossier.id})
        return [self.adopt(advice) for advice in requests]

    # What an advice request asks of its container (the model imports no traversal code).
    def acl_of(self, advice: AdviceRequest) -> list:
        return advice_acl(advice)

    def child_of(self, advice: AdviceRequest, name: str):
        if name == "documenten":
            return SharedDocuments(advice)
        raise KeyError(name)


def advice_acl(advice: AdviceRequest) -> list:
    """The advisers of the requested team see and answer this request; the rest inherits."""
    if advice.channel != INTERNAL or advice.team is None:
        return []
    return [(Allow, team_role_principal(Role.ADVISER, advice.team.code),
             (Permission.VIEW, Permission.ADVISE))]


def shared_documents(advice: AdviceRequest) -> list[Document]:
    """The dossier's documents this request shares, in the dossier's order."""
    numbers = set((advice.shared or {}).get("documents") or [])
    if not numbers:
        return []
    return list(object_session(advice).scalars(
        select(Document).where(Document.dossier_id == advice.dossier_id,
                               Document.number.in_(numbers)).order_by(Document.number)))


def shared_fields(advice: AdviceRequest) -> dict:
    """The application fields this request shares, with their values."""
    data = advice.dossier.data or {}
    return {name: data[name] for name in (advice.shared or {}).get("fields") or []
            if name in data}


class SharedDocument:
    """A document as an adviser reaches it: through the request that shares it."""

    def __init__(self, parent, document: Document):
        self.__parent__ = parent
        self.__name__ = str(document.number)
        self.document = document


class SharedDocuments:
    """``/dossiers/<ref>/adviezen/<n>/documenten/<number>``: only what the request shares."""

    __name__ = "documenten"

    def __init__(self, advice: AdviceRequest):
        self.__parent__ = advice
        self.advice = advice

    def __getitem__(self, name):
        for document in shared_documents(self.advice):
            if str(document.number) == name:
                return SharedDocument(self, document)
        raise KeyError(name)
