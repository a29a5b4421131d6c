"""The administrator's forms (Deform): a new type, publishing, import, and the editor's
sections. Every schema derives from CSRFSchema; each form is rendered with the catalogue's
Deform renderer (our templates for dates and repeating groups)."""

import colander
import deform

from loket.catalogue import definition as shape
from loket.catalogue.formbuilder import build_form
from loket.catalogue.presentation import (
    AMOUNT_RULE_LABELS,
    BODY_LABELS,
    DIRECTION_LABELS,
    FIELD_TYPE_LABELS,
    PREFILL_LABELS,
)
from loket.catalogue.transfer import MAX_BYTES
from loket.catalogue.validators import LocaleDecimal
from loket.i18n import _
from loket.web.forms import CSRFSchema, MemoryTmpStore


def admin_form(schema, request, formid, buttons, **bind) -> deform.Form:
    return build_form(schema.bind(request=request, **bind), formid=formid, buttons=buttons,
                      request=request)


def _text(name, title, max_length=200, area=False, required=True, description=None,
          validator=None):
    node = colander.SchemaNode(
        colander.String(), name=name, title=title, description=description,
        validator=validator or colander.Length(min=1 if required else 0, max=max_length),
        widget=deform.widget.TextAreaWidget(rows=4) if area else
        deform.widget.TextInputWidget())
    if not required:
        node.missing = ""
    return node


def _texts(name, title, area=False, required=True, max_length=2000):
    """A ``{nl, en}`` text as two inputs in one fieldset, named by its legend."""
    return colander.SchemaNode(
        colander.Mapping(),
        _text("nl", _("Dutch"), max_length, area, required),
        _text("en", _("English"), max_length, area, required),
        name=name, title=title,
        widget=deform.widget.MappingWidget(template="fieldset_mapping"))


def _choices(labels: dict):
    return [(value, label) for value, label in labels.items()]


# ---------------------------------------------------------------------------------------------
# A new type, a new concept, publishing, import, the YAML editor


@colander.deferred
def _workflow_widget(node, kw):
    return deform.widget.SelectWidget(values=[(n, n) for n in kw["workflows"]])


@colander.deferred
def _workflow_validator(node, kw):
    return colander.OneOf(list(kw["workflows"]))


@colander.deferred
def _team_widget(node, kw):
    return deform.widget.SelectWidget(values=list(kw["teams"]))


@colander.deferred
def _team_validator(node, kw):
    return colander.OneOf([code for code, _name in kw["teams"]])


class NewTypeSchema(CSRFSchema):
    code = colander.SchemaNode(
        colander.String(), title=_("Code"),
        description=_("Lower case letters, digits and hyphens, e.g. huurpremie. It is part of "
                      "the web address and cannot change later."),
        validator=colander.Regex(shape.TYPE_CODE.pattern, msg=_(
            "Use 2 to 64 lower case letters, digits and hyphens.")))
    title = _texts("title", _("Title"), max_length=200)
    workflow = colander.SchemaNode(colander.String(), title=_("Workflow"),
                                   widget=_workflow_widget, validator=_workflow_validator)
    team = colander.SchemaNode(colander.String(), title=_("Team that handles the dossiers"),
                               widget=_team_widget, validator=_team_validator)


class ConfirmSchema(CSRFSchema):
    """Only the CSRF token: a button that changes something."""


class PublishSchema(CSRFSchema):
    valid_from = colander.SchemaNode(
        colander.Date(), title=_("In force from"),
        description=_("The version in force until then stays in force until the day before."),
        widget=deform.widget.DateInputWidget())


def _one_source(node, value):
    if not value.get("file") and not (value.get("text") or "").strip():
        raise colander.Invalid(node, _("Choose a file or paste its content."))


class ImportSchema(CSRFSchema):
    file = colander.SchemaNode(
        deform.FileData(), title=_("Export file (YAML)"), missing=None,
        widget=deform.widget.FileUploadWidget(MemoryTmpStore(),
                                              accept=".yaml,.yml,application/yaml,text/yaml"))
    text = colander.SchemaNode(
        colander.String(), title=_("Or paste the content of the file"), missing="",
        validator=colander.Length(max=MAX_BYTES), widget=deform.widget.TextAreaWidget(rows=12))

    def validator(self, node, value):
        _one_source(node, value)


class YamlSchema(CSRFSchema):
    yaml = colander.SchemaNode(
        colander.String(), title=_("The whole definition (YAML)"),
        validator=colander.Length(max=MAX_BYTES),
        widget=deform.widget.TextAreaWidget(rows=40, attributes={"spellcheck": "false"}))


# ---------------------------------------------------------------------------------------------
# Editor sections on a mapping: texts, decision, amounts and thresholds


class TextsSchema(CSRFSchema):
    title = _texts("title", _("Title"), max_length=200)
    summary = _texts("summary", _("Summary"), area=True)
    who_can_apply = _texts("who_can_apply", _("Who can apply"), area=True)
    what_to_bring = _texts("what_to_bring", _("What to bring"), area=True)


class DecisionSchema(CSRFSchema):
    body = colander.SchemaNode(
        colander.String(), title=_("Who decides"),
        validator=colander.OneOf(list(BODY_LABELS)),
        widget=deform.widget.SelectWidget(values=_choices(BODY_LABELS)))
    signature_required = colander.SchemaNode(
        colander.Boolean(), title=_("The letter needs a signature"), missing=False,
        widget=deform.widget.CheckboxWidget())
    decision_template = _text("decision_template", _("Decision (Dutch)"), 10000, area=True,
                              description=_(
        "Placeholders such as ${applicant_name}, ${amount}, ${reference} or a field name are "
        "filled in per dossier."))
    letter_nl = _text("letter_nl", _("Letter (Dutch)"), 10000, area=True)
    letter_en = _text("letter_en", _("Letter (English)"), 10000, area=True)


def _optional_decimal(name, title, description=None, required=False):
    node = colander.SchemaNode(LocaleDecimal(), name=name, title=title,
                               description=description, validator=colander.Range(min=0))
    if not required:
        node.missing = None
    return node


def amounts_schema(definition: dict, locale: str) -> CSRFSchema:
    """Amount rule, income thresholds and the numbers of the admissibility rules of this
    definition (the entries themselves are added or removed in the YAML editor)."""
    fields = shape.top_level_fields(definition)
    schema = CSRFSchema()
    schema.add(colander.SchemaNode(
        colander.String(), name="direction", title=_("Payment"),
        validator=colander.OneOf(list(DIRECTION_LABELS)),
        widget=deform.widget.SelectWidget(values=_choices(DIRECTION_LABELS))))
    schema.add(colander.SchemaNode(
        colander.String(), name="rule", title=_("Amount rule"),
        validator=colander.OneOf(list(AMOUNT_RULE_LABELS)),
        widget=deform.widget.SelectWidget(values=_choices(AMOUNT_RULE_LABELS))))
    schema.add(_optional_decimal("amount", _("Amount (euro)"), _(
        "Fixed amount, amount per person or amount per unit.")))
    schema.add(_optional_decimal("percentage", _("Percentage")))
    schema.add(_optional_decimal("ceiling", _("Ceiling (euro)"), _("Leave empty for no ceiling.")))
    schema.add(_optional_decimal("minimum", _("Minimum (euro)"), _("Only for an amount per unit.")))
    candidates = [("", "—")] + [(n, f"{shape.text(f.get('label'), locale)} ({n})")
                                for n, f in fields.items()
                                if f.get("type") in ("repeat", "amount")]
    schema.add(colander.SchemaNode(
        colander.String(), name="field", title=_("Field the amount depends on"), missing="",
        description=_("A repeating group for an amount per person, an amount field for a "
                      "percentage."),
        widget=deform.widget.SelectWidget(values=candidates),
        validator=colander.OneOf([c for c, _label in candidates])))
    numbers = [(n, f"{shape.text(f.get('label'), locale)} ({n})") for n, f in fields.items()
               if f.get("type") == "number"]
    if numbers:
        schema.add(colander.SchemaNode(
            colander.Set(), name="fields", title=_("Number fields multiplied (amount per unit)"),
            missing=(), widget=deform.widget.CheckboxChoiceWidget(values=numbers)))
    for check in definition.get("checks") or []:
        if check.get("type") != "income_below":
            continue
        group = colander.SchemaNode(colander.Mapping(), name=f"check_{check['code']}",
                                    title=_("Income check ${code}",
                                            mapping={"code": check["code"]}))
        group.add(_optional_decimal("threshold", _("Income limit (euro)"), required=True))
        group.add(_optional_decimal("increase_per_dependant",
                                    _("Increase per dependant (euro)")))
        if "reference_year_offset" in check:
            group.add(colander.SchemaNode(
                colander.Integer(), name="reference_year_offset",
                title=_("Income year, counted from the year of the application"),
                description=_("-2 means the income of two years before the application."),
                validator=colander.Range(min=-5, max=0)))
        schema.add(group)
    for rule in definition.get("admissibility") or []:
        kind = (rule.get("rule") or {}).get("type")
        if kind in ("age_at_least", "age_at_most"):
            schema.add(colander.SchemaNode(
                colander.Integer(), name=f"rule_{rule['code']}",
                title=_("Age in years (rule ${code})", mapping={"code": rule["code"]}),
                validator=colander.Range(min=0, max=130)))
        elif kind == "within_days_of":
            schema.add(colander.SchemaNode(
                colander.Integer(), name=f"rule_{rule['code']}",
                title=_("Days to apply in (rule ${code})", mapping={"code": rule["code"]}),
                validator=colander.Range(min=1, max=3650)))
    return schema


# ---------------------------------------------------------------------------------------------
# Items of a list: documents, deadlines, steps, form fields


def _code():
    return _text("code", _("Code"), 64, validator=colander.Regex(
        shape.CODE_PATTERN.pattern, msg=_("Lower case letters, digits, - and _ only.")))


class ItemActionSchema(CSRFSchema):
    index = colander.SchemaNode(colander.Integer(), widget=deform.widget.HiddenWidget(),
                                validator=colander.Range(min=0))


def document_schema() -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(_code())
    schema.add(_texts("title", _("Title"), max_length=200))
    schema.add(_texts("help", _("Explanation for the citizen"), area=True, required=False))
    schema.add(colander.SchemaNode(colander.Boolean(), name="required", title=_("Required"),
                                   missing=False, widget=deform.widget.CheckboxWidget()))
    schema.add(colander.SchemaNode(
        colander.Set(), name="media_types", title=_("Accepted file types"),
        validator=colander.Length(min=1),
        widget=deform.widget.CheckboxChoiceWidget(values=[
            ("application/pdf", "PDF"), ("image/png", "PNG"), ("image/jpeg", "JPEG")])))
    schema.add(colander.SchemaNode(
        LocaleDecimal(), name="max_size_mb", title=_("Largest file size (MB)"),
        validator=colander.Range(min=1, max=shape.MAX_SIZE_MB)))
    return schema


@colander.deferred
def _states_widget(node, kw):
    return deform.widget.SelectWidget(values=[(s, s) for s in kw["states"]])


@colander.deferred
def _states_checkboxes(node, kw):
    return deform.widget.CheckboxChoiceWidget(values=[(s, s) for s in kw["states"]])


def deadline_schema() -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(_code())
    schema.add(_texts("title", _("Title"), max_length=200))
    schema.add(colander.SchemaNode(colander.Integer(), name="days", title=_("Days"),
                                   validator=colander.Range(min=1, max=3650)))
    schema.add(colander.SchemaNode(colander.String(), name="start_state",
                                   title=_("Starts when the dossier enters"),
                                   widget=_states_widget))
    schema.add(colander.SchemaNode(colander.Set(), name="stop_states",
                                   title=_("Is met when the dossier enters"),
                                   validator=colander.Length(min=1),
                                   widget=_states_checkboxes))
    return schema


def step_schema() -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(_texts("title", _("Title of the step"), max_length=200))
    return schema


def _parse_choices(node, value):
    choices = []
    for number, line in enumerate(value.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3 or not all(parts):
            raise colander.Invalid(node, _(
                "Line ${line}: write value | Dutch label | English label.",
                mapping={"line": number}))
        choices.append({"value": parts[0], "label": {"nl": parts[1], "en": parts[2]}})
    return choices


def _choices_validator(node, value):
    _parse_choices(node, value)


def field_schema() -> CSRFSchema:
    schema = CSRFSchema()
    schema.add(_text("name", _("Name"), 64, description=_(
        "Unique in the form: a lower case letter, then letters, digits or _. Templates use it "
        "as ${name}."), validator=colander.Regex(
            shape.NAME_PATTERN.pattern, msg=_("A lower case letter, then letters, digits or _."))))
    schema.add(colander.SchemaNode(
        colander.String(), name="type", title=_("Type"),
        validator=colander.OneOf(list(FIELD_TYPE_LABELS)),
        widget=deform.widget.SelectWidget(values=_choices(FIELD_TYPE_LABELS))))
    schema.add(_texts("label", _("Label"), max_length=300))
    schema.add(_texts("help", _("Help text"), area=True, required=False))
    schema.add(colander.SchemaNode(colander.Boolean(), name="required", title=_("Required"),
                                   missing=False, widget=deform.widget.CheckboxWidget()))
    schema.add(_text("min", _("Minimum"), 20, required=False, description=_(
        "Number and amount: a number. Date: YYYY-MM-DD, today, today+N or today-N (days).")))
    schema.add(_text("max", _("Maximum"), 20, required=False))
    schema.add(colander.SchemaNode(colander.Integer(), name="max_length",
                                   title=_("Maximum length (text)"), missing=None,
                                   validator=colander.Range(min=1, max=10000)))
    schema.add(_text("choices", _("Choices"), 10000, area=True, required=False,
                     description=_("One choice a line: value | Dutch label | English label."),
                     validator=_choices_validator))
    schema.add(colander.SchemaNode(colander.Integer(), name="min_items",
                                   title=_("Minimum number (repeating group)"), missing=None,
                                   validator=colander.Range(min=0, max=100)))
    schema.add(colander.SchemaNode(colander.Integer(), name="max_items",
                                   title=_("Maximum number (repeating group)"), missing=None,
                                   validator=colander.Range(min=1, max=100)))
    schema.add(colander.SchemaNode(
        colander.String(), name="prefill", title=_("Prefilled from the person register"),
        missing="", validator=colander.OneOf(["", *PREFILL_LABELS]),
        widget=deform.widget.SelectWidget(values=[("", _("Not prefilled")),
                                                  *_choices(PREFILL_LABELS)])))
    schema.add(colander.SchemaNode(
        colander.Boolean(), name="readonly_when_prefilled", missing=False,
        title=_("Read-only when prefilled"), widget=deform.widget.CheckboxWidget()))
    return schema


def parse_choices(value: str) -> list[dict]:
    return _parse_choices(None, value)
