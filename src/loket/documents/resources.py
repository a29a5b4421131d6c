"""Traversal for ``/dossiers/<reference>/documenten/<number>``."""

from loket.documents.models import Document
from loket.dossiers.resources import NumberedChildren
from loket.security import Permission


class DossierDocuments(NumberedChildren):
    """The documents of one dossier; permissions come from the dossier (no ACL of its own)."""

    __name__ = "documenten"
    model = Document

    def all(self):
        # The dossier's own relationship: loaded once per request, and the workflow's guard
        # conditions (which read dossier.documents) reuse it instead of querying again.
        return [self.adopt(document) for document in self.dossier.documents]

    def shown_to(self, request):
        """The documents ``request``'s user may see (withheld letters are not the applicant's
        until released)."""
        documents = self.all()
        if not any(d.withheld for d in documents):
            return documents
        return [d for d in documents if request.has_permission(Permission.VIEW, d)]
