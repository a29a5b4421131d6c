"""Traversal for ``/dossiers/<reference>/documenten/<number>``, and the dossier's documents as
a list shows them."""

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import bindparam, func, inspect, select
from sqlalchemy.orm import aliased, joinedload, object_session
from sqlalchemy.orm.attributes import set_committed_value

from loket.documents.models import Document, DocumentVersion
from loket.dossiers.resources import NumberedChildren
from loket.security import Permission

# A dossier's documents with their versions in one query (built once: every dossier page).
_DOCUMENTS = (select(Document).where(Document.dossier_id == bindparam("dossier"))
              .order_by(Document.number).options(joinedload(Document.versions)))


class Listed(NamedTuple):
    """A document in a list: its own columns and its current version's type and size."""

    number: int
    title: str
    document_type: str
    direction: str
    created: datetime
    created_by_id: int | None
    withheld: bool
    media_type: str
    size: int


_LATER = aliased(DocumentVersion)
# Each document with its current (highest) version, in one statement: no objects to build.
_LISTING = (
    select(Document.number, Document.title, Document.document_type, Document.direction,
           Document.created, Document.created_by_id, Document.withheld,
           DocumentVersion.media_type, DocumentVersion.size)
    .join(DocumentVersion, DocumentVersion.document_id == Document.id)
    .where(Document.dossier_id == bindparam("dossier"),
           DocumentVersion.version == select(func.max(_LATER.version))
           .where(_LATER.document_id == Document.id).scalar_subquery())
    .order_by(Document.number))


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

    def listing(self, request) -> list[Listed]:
        """What :meth:`shown_to` gives, as :class:`Listed` rows for a page's list: one
        statement, unless the request loaded the documents already (a guard condition)."""
        if "documents" in self.dossier.__dict__:
            listed = [Listed(d.number, d.title, d.document_type, d.direction, d.created,
                             d.created_by_id, d.withheld, d.current.media_type, d.current.size)
                      for d in self.dossier.documents]
        else:
            listed = [Listed(*row) for row in object_session(self.dossier).execute(
                _LISTING, {"dossier": self.dossier.id})]
        if not any(d.withheld for d in listed):
            return listed
        # A letter withheld until it is released: its permission decides, as in shown_to
        # (rare and short-lived, so the objects are loaded then).
        shown = {d.number for d in self.shown_to(request)}
        return [d for d in listed if d.number in shown]
