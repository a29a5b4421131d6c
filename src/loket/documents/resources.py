"""Traversal for ``/dossiers/<reference>/documenten/<number>``."""

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import joinedload, object_session
from sqlalchemy.orm.attributes import set_committed_value

from loket.documents.models import Document
from loket.dossiers.resources import NumberedChildren
from loket.security import Permission

# A dossier's documents with their versions in one query (built once: every dossier page).
_DOCUMENTS = (select(Document).where(Document.dossier_id == bindparam("dossier"))
              .order_by(Document.number).options(joinedload(Document.versions)))


class DossierDocuments(NumberedChildren):
    """The documents of one dossier; permissions come from the dossier (no ACL of its own)."""

    __name__ = "documenten"
    model = Document

    def all(self):
        # The dossier's own relationship: loaded once per request, and the workflow's guard
        # conditions (which read dossier.documents) reuse it instead of querying again.
        # Loaded here with the versions in one query, not two (the relationship's own way).
        dossier = self.dossier
        if "documents" in inspect(dossier).unloaded:
            set_committed_value(dossier, "documents", object_session(dossier).scalars(
                _DOCUMENTS, {"dossier": dossier.id}).unique().all())
        return [self.adopt(document) for document in dossier.documents]

    def shown_to(self, request):
        """The documents ``request``'s user may see (withheld letters are not the applicant's
        until released)."""
        documents = self.all()
        if not any(d.withheld for d in documents):
            return documents
        return [d for d in documents if request.has_permission(Permission.VIEW, d)]
