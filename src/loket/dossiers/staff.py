"""The staff's dossier page: the application, the screening and checks, documents, the full
timeline, deadlines and the steps the handler may take now.

The application's answers are shown with the labels of the dossier's own type version and
formatted for reading (dates dd/mm/yyyy, amounts € 1.234,56, choices by their label, repeats
as tables), each value the person register filled in marked as such.
"""

from dataclasses import dataclass, field
from datetime import date

from babel.numbers import format_decimal

from loket.catalogue.definition import text, to_decimal
from loket.dossiers.panels import panels_for, timeline_for
from loket.dossiers.timeline import share_history
from loket.i18n import _
from loket.security import Permission, Role, principals_for, team_role_principal
from loket.workflow.presentation import workflow_view

TEMPLATE = "loket:dossiers/templates/dossier_staff.jinja2"
BABEL_LOCALES = {"nl": "nl_BE", "en": "en_GB"}
NOT_FILLED_IN = "—"
# Documents a browser shows by itself (the preview view serves them inline).
PREVIEWABLE = {"application/pdf": "pdf", "image/png": "image", "image/jpeg": "image"}


@dataclass
class Row:
    label: str
    value: str = ""  # formatted; for a repeat, see ``table``
    prefilled: bool = False
    table: dict | None = None  # {"columns": [labels], "rows": [[values]]}


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)


class PanelVariables(dict):
    """A panel's variables as its template reads them: ``panel.items`` or ``panel.values`` is
    the panel's own key of that name, not the dict method Jinja2 would find first."""

    def __getattribute__(self, name):
        if not name.startswith("_") and dict.__contains__(self, name):
            return dict.__getitem__(self, name)
        return super().__getattribute__(name)


def staff_page(request, dossier) -> dict:
    panels = [{**item, "panel": PanelVariables(item["panel"])}
              for item in panels_for(request, dossier, "staff")]
    workflow = workflow_view(request, dossier)
    share_history(request, dossier, [item["entry"] for item in workflow["history"]])
    # A panel that takes a decision itself (admissibility) replaces the plain step forms of
    # the transitions it performs, so those steps are never taken without it.
    replaced = {name for item in panels for name in item["panel"].get("replaces_steps", ())}
    return {
        "dossier": dossier,
        "documents": dossier["documenten"].all(),
        "previewable": PREVIEWABLE,
        "may_add_document": request.has_permission(Permission.ADD_DOCUMENT, dossier),
        "workflow": workflow,
        "steps": [s for s in workflow["steps"] if s["transition"].name not in replaced],
        "panels": panels,
        "application": application_sections(request, dossier),
        "prefill_failed": (dossier.prefill or {}).get("status") == "failed",
        "may_take": may_take(request, dossier),
        "timeline": timeline_for(request, dossier),
    }


def may_take(request, dossier) -> bool:
    """A handler of the dossier's team who is not its handler yet may take it (the
    worklists' assignment, :mod:`loket.worklists.assignment`, checks it again)."""
    user = request.user
    return user.id != dossier.handler_id and \
        team_role_principal(Role.HANDLER, dossier.team.code) in principals_for(user)


# ---------------------------------------------------------------------------------------------
# The application's answers


def application_sections(request, dossier) -> list[Section]:
    """One section per form step, then the answers the form does not (or no longer) know."""
    locale = request.locale_name
    translate = request.localizer.translate
    definition = dossier.type_version.definition or {}
    data = dossier.data or {}
    prefilled = set((dossier.prefill or {}).get("fields") or ())
    sections, known = [], set()
    for step in (definition.get("form") or {}).get("steps") or []:
        section = Section(text(step.get("title"), locale))
        for spec in step.get("fields") or []:
            name = spec.get("name")
            known.add(name)
            if name in data:
                section.rows.append(_row(spec, data[name], name in prefilled, locale,
                                         translate))
        if section.rows:
            sections.append(section)
    other = [Row(key.replace("_", " ").capitalize(), _plain(value))
             for key, value in data.items() if key not in known]
    if other:
        sections.append(Section(translate(_("Other data")), other))
    return sections


def _row(spec: dict, value, prefilled: bool, locale: str, translate) -> Row:
    label = text(spec.get("label"), locale) or spec.get("name", "")
    if spec.get("type") == "repeat" and isinstance(value, list):
        subs = spec.get("fields") or []
        table = {
            "columns": [text(s.get("label"), locale) or s.get("name") for s in subs],
            "rows": [[format_value(s, item.get(s.get("name")) if isinstance(item, dict)
                                   else None, locale, translate) for s in subs]
                     for item in value],
        }
        return Row(label, prefilled=prefilled, table=table)
    return Row(label, format_value(spec, value, locale, translate), prefilled)


def format_value(spec: dict, value, locale: str, translate) -> str:
    """A stored answer as a person reads it; the raw value when it is not what the field's
    type expects (older data, demo data), never an error."""
    if value in (None, "", [], {}):
        return NOT_FILLED_IN
    kind = spec.get("type")
    try:
        if kind == "date":
            return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        if kind == "amount":
            return "€ " + format_decimal(to_decimal(value), format="#,##0.00",
                                         locale=BABEL_LOCALES.get(locale, "nl_BE"))
        if kind == "number":
            return format_decimal(to_decimal(value), locale=BABEL_LOCALES.get(locale, "nl_BE"))
    except ValueError:
        return _plain(value)
    if kind == "choice":
        labels = {c.get("value"): text(c.get("label"), locale) for c in spec.get("choices") or []}
        return labels.get(value) or _plain(value)
    if kind == "yesno" and isinstance(value, bool):
        return translate(_("Yes") if value else _("No"))
    if kind == "address" and isinstance(value, dict):
        return format_address(value)
    if kind == "national_number" and isinstance(value, str) and len(value) == 11:
        return f"{value[:2]}.{value[2:4]}.{value[4:6]}-{value[6:9]}.{value[9:]}"
    if kind == "iban" and isinstance(value, str):
        compact = value.replace(" ", "").upper()
        return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))
    return _plain(value)


def format_address(address: dict) -> str:
    street = " ".join(filter(None, [address.get("street"), address.get("number")]))
    if address.get("box"):
        street += f" bus {address['box']}"
    town = " ".join(filter(None, [address.get("postcode"), address.get("municipality")]))
    return ", ".join(filter(None, [street, town]))


def _plain(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(_plain(v) for v in value)
    return str(value)
