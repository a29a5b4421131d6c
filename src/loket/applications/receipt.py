"""What the receipt of a submitted application holds: what the citizen sent, as they can keep
it. The receipt itself is a letter (kind ``receipt``), rendered by the worker
(:mod:`loket.letters`); this module gives it the application's part.

The answers are those of the summary page, per step and formatted alike
(:func:`loket.applications.presentation.summary_sections`: dates dd/mm/yyyy, amounts
``€ 1.234,56``, choices and yes/no by their label, repeats one line per item).
"""

from loket.applications.presentation import summary_sections
from loket.catalogue.definition import text
from loket.catalogue.formbuilder import locale_of
from loket.i18n import format_datetime


def receipt_values(request, dossier) -> dict:
    """The receipt's data in the request's language."""
    locale = locale_of(request)
    definition = dossier.type_version.definition
    documents = sorted((d for d in dossier.documents if d.direction == "in"),
                       key=lambda d: d.number)
    return {
        "type_title": text(definition.get("title"), locale) or dossier.title,
        "submitted": format_datetime(dossier.submitted, locale) or None,
        "applicant": dossier.applicant.name,
        "sections": summary_sections(request, dossier),
        "documents": [{"title": d.title, "filename": d.current.filename,
                       "sha256": d.current.sha256[:12]} for d in documents],
    }
