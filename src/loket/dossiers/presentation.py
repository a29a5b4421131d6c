"""A dossier's and a document's name in the reader's language: from the dossier type's own
``{nl, en}`` texts, the stored (Dutch) title only when the type does not know it."""

from loket.i18n import text
from loket.web import add_locale_filter


def _definition(dossier) -> dict:
    version = getattr(dossier, "type_version", None)
    return (version.definition or {}) if version is not None else {}


def dossier_title(dossier, locale: str) -> str:
    return text(_definition(dossier).get("title"), locale) or dossier.title


def document_title(document, locale: str, dossier=None) -> str:
    """A document of a type the definition names carries that type's title; a document
    someone named themselves keeps its name. ``dossier`` for a document that is a row."""
    for spec in _definition(dossier or document.dossier).get("documents") or ():
        if spec.get("code") == document.document_type and \
                text(spec.get("title"), "nl") == document.title:
            return text(spec.get("title"), locale) or document.title
    return document.title


def sent_by_applicant(dossier, document) -> bool:
    """What the citizen sent (or that came in on their behalf), as opposed to what the
    municipality added: a staff member's upload is never "sent by you"."""
    if document.direction == "out":
        return False
    return document.created_by_id is None or document.created_by_id == dossier.applicant_id


def includeme(config):
    add_locale_filter(config, "dossier_title", dossier_title)
    add_locale_filter(config, "document_title", document_title)
