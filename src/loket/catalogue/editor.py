"""The editor of a concept version: ``<version>/@@bewerken?deel=<section>``.

Each section is a Deform form on part of the definition: texts; decision and letters; amounts
and thresholds; deadlines, documents and form fields as lists whose items are added, edited,
moved and removed one at a time (no JavaScript needed); and the whole definition as YAML for
everything else. Every save goes through :func:`services.update_concept`, which refuses an
invalid definition with every problem listed, so a concept stays publishable and nothing
changes on invalid input. A published version is read-only.
"""

import copy
import re
from decimal import Decimal

import deform
import yaml
from pyramid.httpexceptions import HTTPFound, HTTPNotFound
from pyramid.view import view_config

from loket.catalogue import forms, services
from loket.catalogue.definition import DefinitionError, Problem, text
from loket.catalogue.formbuilder import locale_of
from loket.catalogue.models import CONCEPT, DossierTypeVersion
from loket.catalogue.presentation import FIELD_TYPE_LABELS
from loket.catalogue.transfer import dump_yaml
from loket.catalogue.views import read_only
from loket.i18n import _
from loket.security import Permission
from loket.web import flash
from loket.web.forms import render_failure, render_form
from loket.workflow.definition import workflows

SECTIONS = {
    "teksten": _("Texts"),
    "beslissing": _("Decision and letters"),
    "bedragen": _("Amounts and thresholds"),
    "termijnen": _("Deadlines"),
    "documenten": _("Documents"),
    "formulier": _("Form fields"),
    "geavanceerd": _("Everything (YAML)"),
}
# Lists the editor changes item by item, and the section each belongs to.
LIST_PATH = re.compile(r"^(documents|deadlines|form\.steps(\.\d+\.fields(\.\d+\.fields)?)?)$")
LIST_SECTION = {"documents": "documenten", "deadlines": "termijnen", "steps": "formulier",
                "fields": "formulier"}
SAVE = (deform.Button("opslaan", _("Save")),)


def _url(request, version, **query):
    return request.resource_path(version, "bewerken", query=query)


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value)


# ---------------------------------------------------------------------------------------------
# Sections on a part of the mapping


def _texts_appstruct(d):
    return {k: dict(d.get(k) or {}) for k in ("title", "summary", "who_can_apply",
                                               "what_to_bring")}


def _texts_apply(d, a):
    for key in ("title", "summary", "who_can_apply", "what_to_bring"):
        d[key] = {"nl": a[key]["nl"], "en": a[key]["en"]}
    return d


def _decision_appstruct(d):
    decision = d.get("decision") or {}
    letter = decision.get("letter_template") or {}
    return {"body": decision.get("body", "college"),
            "signature_required": bool(decision.get("signature_required")),
            "decision_template": (decision.get("decision_template") or {}).get("nl", ""),
            "letter_nl": letter.get("nl", ""), "letter_en": letter.get("en", "")}


def _decision_apply(d, a):
    decision = dict(d.get("decision") or {})
    decision.update({"body": a["body"], "decision_template": {"nl": a["decision_template"]},
                     "letter_template": {"nl": a["letter_nl"], "en": a["letter_en"]},
                     "signature_required": a["signature_required"]})
    decision.setdefault("refusal_reasons", [])
    d["decision"] = decision
    return d


def _amount_value(value):
    """A euro amount or percentage as stored: whole numbers as numbers, others as text."""
    return int(value) if value == value.to_integral_value() else str(value)


def _amounts_appstruct(d):
    rule = (d.get("amount") or {}).get("rule") or {}
    a = {"direction": (d.get("amount") or {}).get("direction", "none"),
         "rule": rule.get("type", "none"), "field": rule.get("field", ""),
         "fields": set(rule.get("fields") or ())}
    for key in ("amount", "percentage", "ceiling", "minimum"):
        if key in rule:
            a[key] = str(rule[key])
    for check in d.get("checks") or []:
        if check.get("type") == "income_below":
            a[f"check_{check['code']}"] = {
                k: check[k] for k in ("threshold", "increase_per_dependant",
                                      "reference_year_offset") if k in check}
    for entry in d.get("admissibility") or []:
        rule_ = entry.get("rule") or {}
        if "years" in rule_:
            a[f"rule_{entry['code']}"] = rule_["years"]
        elif "days" in rule_:
            a[f"rule_{entry['code']}"] = rule_["days"]
    return a


def _amounts_apply(d, a):
    kind = a["rule"]
    rule = {"type": kind}
    wanted = {"fixed": ("amount",), "per_person": ("amount", "field", "ceiling"),
              "percentage": ("percentage", "field", "ceiling"),
              "per_unit": ("amount", "fields", "minimum", "ceiling"), "none": ()}[kind]
    for key in wanted:
        value = a.get(key)
        if key == "field":
            rule[key] = value
        elif key == "fields":
            chosen = set(value or ())
            old = ((d.get("amount") or {}).get("rule") or {}).get("fields") or []
            rule[key] = [n for n in old if n in chosen] + sorted(chosen - set(old))
        elif value is not None:
            rule[key] = _amount_value(value)
        elif key in ("amount", "percentage"):
            rule[key] = None  # reported as a problem: the rule needs it
    d["amount"] = {"direction": a["direction"], "rule": rule}
    for check in d.get("checks") or []:
        values = a.get(f"check_{check.get('code')}")
        if values is None:
            continue
        check["threshold"] = _amount_value(values["threshold"])
        if values.get("increase_per_dependant") is not None:
            check["increase_per_dependant"] = _amount_value(values["increase_per_dependant"])
        else:
            check.pop("increase_per_dependant", None)
        if "reference_year_offset" in values:
            check["reference_year_offset"] = values["reference_year_offset"]
    for entry in d.get("admissibility") or []:
        value = a.get(f"rule_{entry.get('code')}")
        rule_ = entry.get("rule") or {}
        if value is not None:
            rule_["years" if "years" in rule_ else "days"] = value
    return d


def _yaml_apply(d, a):
    try:
        data = yaml.safe_load(a["yaml"])
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise DefinitionError([Problem(where, "not valid YAML: " + str(
            getattr(error, "problem", None) or error))]) from error
    if not isinstance(data, dict):
        raise DefinitionError([Problem("", "the definition must be a mapping")])
    return data


MAPPING_SECTIONS = {
    "teksten": (lambda d, locale: forms.TextsSchema(), _texts_appstruct, _texts_apply),
    "beslissing": (lambda d, locale: forms.DecisionSchema(), _decision_appstruct,
                   _decision_apply),
    "bedragen": (forms.amounts_schema, _amounts_appstruct, _amounts_apply),
    "geavanceerd": (lambda d, locale: forms.YamlSchema(),
                    lambda d: {"yaml": dump_yaml(d)}, _yaml_apply),
}


def _mapping_section(version, request, section, page):
    schema_of, to_appstruct, apply = MAPPING_SECTIONS[section]
    definition = version.definition
    form = forms.admin_form(schema_of(definition, locale_of(request)), request,
                            f"deel-{section}", SAVE)
    if request.method == "GET":
        return {**page, "form": render_form(request, form, appstruct=to_appstruct(definition))}
    try:
        appstruct = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        request.response.status = 400
        return {**page, "form": render_failure(request, failure)}
    try:
        services.update_concept(request, version, apply(copy.deepcopy(definition), appstruct))
    except DefinitionError as error:
        request.response.status = 400
        return {**page, "form": render_form(request, form, appstruct=appstruct),
                "problems": error.problems}
    flash(request, _("The changes are saved."))
    return HTTPFound(location=_url(request, version, deel=section))


# ---------------------------------------------------------------------------------------------
# Lists: documents, deadlines, steps, fields


def resolve(definition: dict, path: str) -> list:
    """The list at ``path`` (e.g. ``form.steps.0.fields``); KeyError when there is none."""
    if not LIST_PATH.match(path):
        raise KeyError(path)
    node = definition
    for part in path.split("."):
        try:
            node = node[int(part)] if part.isascii() and part.isdigit() else node[part]
        except (KeyError, IndexError, TypeError) as exc:
            raise KeyError(path) from exc
    if not isinstance(node, list):
        raise KeyError(path)
    return node


def kind_of(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def _texts_of(value) -> dict:
    value = value or {}
    return {"nl": value.get("nl", ""), "en": value.get("en", "")}


def _item_appstruct(kind, item):
    if kind == "documents":
        return {"code": item.get("code", ""), "title": _texts_of(item.get("title")),
                "help": _texts_of(item.get("help")), "required": bool(item.get("required")),
                "media_types": set(item.get("media_types") or ()),
                "max_size_mb": str(item.get("max_size_mb", 10))}
    if kind == "deadlines":
        return {"code": item.get("code", ""), "title": _texts_of(item.get("title")),
                "days": item.get("days", 30), "start_state": item.get("start_state", ""),
                "stop_states": set(item.get("stop_states") or ())}
    if kind == "steps":
        return {"title": _texts_of(item.get("title"))}
    choices = "\n".join(f"{c.get('value')} | {text(c.get('label'), 'nl')} | "
                        f"{text(c.get('label'), 'en')}" for c in item.get("choices") or [])
    return {"name": item.get("name", ""), "type": item.get("type", "text"),
            "label": _texts_of(item.get("label")), "help": _texts_of(item.get("help")),
            "required": bool(item.get("required")), "min": str(item.get("min", "")),
            "max": str(item.get("max", "")), "max_length": item.get("max_length"),
            "choices": choices, "min_items": item.get("min_items"),
            "max_items": item.get("max_items"),
            "prefill": (item.get("prefill") or {}).get("attribute", ""),
            "readonly_when_prefilled": bool(item.get("readonly_when_prefilled"))}


def _optional_texts(value):
    return {"nl": value["nl"], "en": value["en"]} if value["nl"] or value["en"] else None


def _bound(value: str, kind: str):
    """A min/max as typed: a number for number and amount fields, text for dates."""
    value = value.strip()
    if kind == "date":
        return value
    try:
        number = Decimal(value.replace(",", "."))
    except ArithmeticError:
        return value  # the definition's validation reports it
    return _amount_value(number)


def _item_from_appstruct(kind, a, old):
    if kind == "documents":
        item = {"code": a["code"], "title": a["title"]}
        if _optional_texts(a["help"]):
            item["help"] = _optional_texts(a["help"])
        media = sorted(a["media_types"], key=["application/pdf", "image/png",
                                              "image/jpeg"].index)
        item.update({"required": a["required"], "media_types": media,
                     "max_size_mb": _amount_value(a["max_size_mb"])})
        return item
    if kind == "deadlines":
        stops = [s for s in old.get("stop_states") or [] if s in a["stop_states"]]
        stops += sorted(set(a["stop_states"]) - set(stops))
        return {"code": a["code"], "title": a["title"], "days": a["days"],
                "start_state": a["start_state"], "stop_states": stops}
    if kind == "steps":
        return {"title": a["title"], "fields": old.get("fields") or []}
    return _field_from_appstruct(a, old)


def _field_from_appstruct(a, old):
    kind = a["type"]
    field = {"name": a["name"], "type": kind, "label": a["label"]}
    if _optional_texts(a["help"]):
        field["help"] = _optional_texts(a["help"])
    field["required"] = a["required"]
    if kind in ("number", "amount", "date"):
        for key in ("min", "max"):
            if a[key].strip():
                field[key] = _bound(a[key], kind)
    if kind in ("text", "textarea", "email", "phone") and a["max_length"]:
        field["max_length"] = a["max_length"]
    if kind == "choice":
        field["choices"] = forms.parse_choices(a["choices"])
    if kind == "repeat":
        for key in ("min_items", "max_items"):
            if a[key] is not None:
                field[key] = a[key]
        # A repeating group needs a field to start with; the administrator renames it.
        field["fields"] = old.get("fields") or [{
            "name": f"{a['name']}_naam", "type": "text",
            "label": {"nl": "Naam", "en": "Name"}, "required": True}]
    if a["prefill"]:
        field["prefill"] = {"source": "person_register", "attribute": a["prefill"]}
        field["readonly_when_prefilled"] = a["readonly_when_prefilled"]
    return field


def _item_schema(kind):
    return {"documents": forms.document_schema, "deadlines": forms.deadline_schema,
            "steps": forms.step_schema, "fields": forms.field_schema}[kind]()


def _states(definition):
    workflow = workflows().get(definition.get("workflow"))
    return list(workflow.states) if workflow else []


def _item_form(version, request, path, index, page):
    definition = version.definition
    items = resolve(definition, path)
    kind = kind_of(path)
    if index != "nieuw" and not (index.isascii() and index.isdigit()
                                  and int(index) < len(items)):
        raise HTTPNotFound()
    old = items[int(index)] if index != "nieuw" else {}
    form = forms.admin_form(_item_schema(kind), request, f"item-{_slug(path)}", SAVE,
                            states=_states(definition))
    page = {**page, "item_kind": kind, "new_item": index == "nieuw",
            "back": _url(request, version, deel=page["section"])}
    if request.method == "GET":
        appstruct = _item_appstruct(kind, old) if old else {}
        return {**page, "form": render_form(request, form, appstruct=appstruct)}
    try:
        appstruct = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        request.response.status = 400
        return {**page, "form": render_failure(request, failure)}
    changed = copy.deepcopy(definition)
    target = resolve(changed, path)
    item = _item_from_appstruct(kind, appstruct, old)
    if index == "nieuw":
        target.append(item)
    else:
        target[int(index)] = item
    try:
        services.update_concept(request, version, changed)
    except DefinitionError as error:
        request.response.status = 400
        return {**page, "form": render_form(request, form, appstruct=appstruct),
                "problems": error.problems}
    flash(request, _("The changes are saved."))
    return HTTPFound(location=_url(request, version, deel=page["section"]))


def _action_form(request, version, section, path, index, count, label):
    localizer = request.localizer

    def button(name, title, disabled=False):
        aria = localizer.translate(_("${action}: ${item}", mapping={
            "action": localizer.translate(title), "item": label}))
        return deform.Button(name, title, disabled=disabled,
                             css_class="button button--small button--secondary",
                             attributes={"aria-label": aria})

    form = forms.admin_form(forms.ItemActionSchema(), request,
                            f"acties-{_slug(path)}-{index}",
                            (button("omhoog", _("Up"), index == 0),
                             button("omlaag", _("Down"), index == count - 1),
                             button("verwijderen", _("Remove"))))
    form.action = _url(request, version, deel=section, lijst=path)
    return render_form(request, form, appstruct={"index": index})


def _item_action(version, request, path, section):
    definition = version.definition
    form = forms.admin_form(forms.ItemActionSchema(), request, "acties", ())
    try:
        index = form.validate(request.POST.items())["index"]
    except deform.ValidationFailure:
        index = -1
    changed = copy.deepcopy(definition)
    items = resolve(changed, path)
    if not 0 <= index < len(items):
        raise HTTPNotFound()
    if "verwijderen" in request.POST:
        del items[index]
    elif "omhoog" in request.POST and index > 0:
        items[index - 1], items[index] = items[index], items[index - 1]
    elif "omlaag" in request.POST and index < len(items) - 1:
        items[index + 1], items[index] = items[index], items[index + 1]
    try:
        services.update_concept(request, version, changed)
    except DefinitionError as error:
        return error.problems
    flash(request, _("The changes are saved."))
    return HTTPFound(location=_url(request, version, deel=section))


def _rows(request, version, section, path, items, locale):
    """The list at ``path`` for the template: label, details, links, action buttons."""
    kind = kind_of(path)
    rows = []
    for index, item in enumerate(items):
        if kind == "fields":
            label = text(item.get("label"), locale)
            details = request.localizer.translate(FIELD_TYPE_LABELS.get(item.get("type"), ""))
        elif kind == "steps":
            label, details = text(item.get("title"), locale), ""
        else:
            label, details = text(item.get("title"), locale), item.get("code", "")
        row = {"label": label, "details": details, "item": item, "index": index,
               "edit": _url(request, version, deel=section, lijst=path, item=index),
               "actions": _action_form(request, version, section, path, index, len(items),
                                       label)}
        if kind == "steps":
            fields_path = f"{path}.{index}.fields"
            row["children"] = _rows(request, version, section, fields_path,
                                    item.get("fields") or [], locale)
            row["children_path"] = fields_path
            row["add"] = _url(request, version, deel=section, lijst=fields_path, item="nieuw")
        elif kind == "fields" and item.get("type") == "repeat" and path.count("fields") == 1:
            sub_path = f"{path}.{index}.fields"
            row["children"] = _rows(request, version, section, sub_path,
                                    item.get("fields") or [], locale)
            row["children_path"] = sub_path
            row["add"] = _url(request, version, deel=section, lijst=sub_path, item="nieuw")
        rows.append(row)
    return rows


def _list_section(version, request, section, page):
    path = request.GET.get("lijst")
    if path is not None:
        try:
            resolve(version.definition, path)
        except KeyError as exc:
            raise HTTPNotFound() from exc
        if LIST_SECTION[kind_of(path)] != section:
            raise HTTPNotFound()
        item = request.GET.get("item")
        if item is not None:
            return _item_form(version, request, path, item, page)
        if request.method != "POST":
            return HTTPFound(location=_url(request, version, deel=section))
        result = _item_action(version, request, path, section)
        if isinstance(result, HTTPFound):
            return result
        request.response.status = 400
        page = {**page, "problems": result}
    elif request.method == "POST":
        raise HTTPNotFound()
    top = {"documenten": "documents", "termijnen": "deadlines",
           "formulier": "form.steps"}[section]
    locale = locale_of(request)
    items = resolve(version.definition, top)
    return {**page, "rows": _rows(request, version, section, top, items, locale),
            "add": _url(request, version, deel=section, lijst=top, item="nieuw"),
            "list_kind": kind_of(top)}


# ---------------------------------------------------------------------------------------------
# The view


@view_config(context=DossierTypeVersion, name="bewerken", permission=Permission.MANAGE_CATALOGUE,
             request_method=("GET", "POST"), renderer="loket:catalogue/templates/edit.jinja2")
def edit(context, request):
    if context.status != CONCEPT:
        return read_only(request, context)
    section = request.GET.get("deel")
    page = {"version": context, "dossier_type": context.dossier_type, "sections": SECTIONS,
            "section": section, "locale": locale_of(request)}
    if section is None:
        if request.method == "POST":
            raise HTTPNotFound()
        return page
    if section in MAPPING_SECTIONS:
        return _mapping_section(context, request, section, page)
    if section in LIST_SECTION.values():
        return _list_section(context, request, section, page)
    raise HTTPNotFound()
