"""Traversal for ``/dossiers/<reference>/documenten/<number>``."""

from sqlalchemy import select
from sqlalchemy.orm import object_session

from loket.documents.models import Document


class DossierDocuments:
    """The documents of one dossier; permissions come from the dossier (no ACL of its own)."""

    __name__ = "documenten"

    def __init__(self, dossier):
        self.__parent__ = dossier
        self.dossier = dossier

    def __getitem__(self, name):
        if not name.isdigit():
            raise KeyError(name)
        document = object_session(self.dossier).execute(
            select(Document).where(
                Document.dossier_id == self.dossier.id, Document.number == int(name)
            )
        ).scalar_one_or_none()
        if document is None:
            raise KeyError(name)
        document.__parent__ = self
        return document

    def all(self):
        # The dossier's own relationship: loaded once per request, and the workflow's guard
        # conditions (which read dossier.documents) reuse it instead of querying again.
        documents = list(self.dossier.documents)
        for document in documents:
            document.__parent__ = self
        return documents
