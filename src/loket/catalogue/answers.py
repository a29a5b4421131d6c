"""A dossier's answers as people read them, labelled by the dossier's own type version.

Dates dd/mm/yyyy, amounts € 1.234,56, choices and yes/no by their label, IBAN in groups of
four, national register numbers 85.07.30-033.28, repeats as tables; a value the person register
filled in is marked as such. A stored value that is not what the field's type expects (older
data) is shown as it is, never an error.
"""

from dataclasses import dataclass, field
from datetime import date

from loket.catalogue.definition import text, to_decimal
from loket.i18n import _, format_amount, format_date, format_number

NOT_FILLED_IN = "—"


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
    other = [Row(key.replace("_", " ").capitalize(), plain(value))
             for key, value in data.items() if key not in known]
    if other:
        sections.append(Section(translate(_("Other data")), other))
    return sections


def form_fields(definition: dict) -> list[dict]:
    """The top-level fields of a form definition, in the form's order."""
    return [spec for step in (definition.get("form") or {}).get("steps") or []
            for spec in step.get("fields") or []]


def field_labels(dossier, locale: str) -> list[tuple[str, str]]:
    """``(name, label)`` of each answer the dossier holds, in the form's order; an answer the
    form does not (or no longer) know is named by its key."""
    data = dossier.data or {}
    specs = [s for s in form_fields(dossier.type_version.definition or {}) if s.get("name") in data]
    named = [(s["name"], text(s.get("label"), locale) or s["name"]) for s in specs]
    known = {name for name, _label in named}
    return named + [(key, key.replace("_", " ").capitalize()) for key in data if key not in known]


def answer_rows(request, dossier, names) -> list[Row]:
    """The answers ``names`` as people read them (labelled, formatted), in the form's order."""
    locale, translate = request.locale_name, request.localizer.translate
    data, wanted = dossier.data or {}, set(names)
    specs = {s.get("name"): s for s in form_fields(dossier.type_version.definition or {})}
    prefilled = set((dossier.prefill or {}).get("fields") or ())
    return [_row(specs.get(name) or {"name": name.replace("_", " ").capitalize()}, data[name],
                 name in prefilled, locale, translate)
            for name, _label in field_labels(dossier, locale)
            if name in wanted and name in data]


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
            return format_date(date.fromisoformat(str(value)), locale)
        if kind == "amount":
            return format_amount(to_decimal(value), locale)
        if kind == "number":
            return format_number(to_decimal(value), locale)
    except ValueError:
        return plain(value)
    if kind == "choice":
        labels = {c.get("value"): text(c.get("label"), locale) for c in spec.get("choices") or []}
        return labels.get(value) or plain(value)
    if kind == "yesno" and isinstance(value, bool):
        return translate(_("Yes") if value else _("No"))
    if kind == "address" and isinstance(value, dict):
        return format_address(value)
    if kind == "national_number" and isinstance(value, str) and len(value) == 11:
        return f"{value[:2]}.{value[2:4]}.{value[4:6]}-{value[6:9]}.{value[9:]}"
    if kind == "iban" and isinstance(value, str):
        compact = value.replace(" ", "").upper()
        return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))
    return plain(value)


def format_address(address: dict) -> str:
    street = " ".join(filter(None, [address.get("street"), address.get("number")]))
    if address.get("box"):
        street += f" bus {address['box']}"
    town = " ".join(filter(None, [address.get("postcode"), address.get("municipality")]))
    return ", ".join(filter(None, [street, town]))


def plain(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {plain(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(plain(v) for v in value)
    return str(value)
