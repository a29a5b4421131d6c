"""What the application pages show: the steps to move between, and the summary of answers.

Answers are formatted as on the staff's dossier page (dates dd/mm/yyyy, amounts € 1.234,56,
IBAN in groups of four, choices by their label, yes/no); a repeat lists one line per item.
"""

from loket.applications import services
from loket.catalogue.answers import NOT_FILLED_IN, format_value
from loket.catalogue.definition import text
from loket.catalogue.formbuilder import locale_of, steps
from loket.i18n import _


def step_links(request, dossier, current) -> list[dict]:
    """The form's steps, then Documents (when the type has any) and Check: ``current`` is a
    step's index, ``"bijlagen"`` or ``"controleren"``."""
    locale = locale_of(request)
    translate = request.localizer.translate
    links = [{"title": text(step.get("title"), locale), "current": current == index,
              "href": request.resource_path(dossier, "aanvraag", query={"stap": index + 1})}
             for index, step in enumerate(steps(dossier.type_version.definition))]
    if services.document_types(dossier):
        links.append({"title": translate(_("Documents")), "current": current == "bijlagen",
                      "href": request.resource_path(dossier, "bijlagen")})
    links.append({"title": translate(_("Check and submit")), "current": current == "controleren",
                  "href": request.resource_path(dossier, "controleren")})
    return links


def summary_sections(request, dossier) -> list[dict]:
    """One section per step with every field's label and formatted answer, and its link."""
    locale = locale_of(request)
    translate = request.localizer.translate
    data = dossier.data or {}
    prefilled = set((dossier.prefill or {}).get("fields") or ())
    sections = []
    for index, step in enumerate(steps(dossier.type_version.definition)):
        rows = [_row(field, data.get(field["name"]), field["name"] in prefilled, locale,
                     translate) for field in step.get("fields") or []]
        sections.append({"title": text(step.get("title"), locale), "rows": rows,
                         "href": request.resource_path(dossier, "aanvraag",
                                                       query={"stap": index + 1})})
    return sections


def _row(field, value, prefilled, locale, translate) -> dict:
    row = {"label": text(field.get("label"), locale), "prefilled": prefilled, "items": None}
    if field.get("type") == "repeat" and isinstance(value, list) and value:
        subs = field.get("fields") or []
        row["items"] = [", ".join(format_value(sub, item.get(sub["name"]), locale, translate)
                                  for sub in subs) for item in value if isinstance(item, dict)]
        row["value"] = ""
    elif field.get("type") == "repeat":
        row["value"] = NOT_FILLED_IN
    else:
        row["value"] = format_value(field, value, locale, translate)
    return row
