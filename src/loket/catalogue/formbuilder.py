"""The citizen's application form, built at run time from a version's form definition.

No Python per dossier type: each field of ``definition["form"]`` becomes a Colander node with
a Deform widget. Labels and help come from the definition in the request's language (not
from the .po catalogue). A prefilled field that is ``readonly_when_prefilled`` is shown
read-only and never read from the request: :func:`merge_prefill` puts the prefill value back,
whatever was posted.
"""

import functools
import itertools
from datetime import date
from decimal import Decimal
from pathlib import Path

import colander
import deform

from loket.catalogue.definition import iter_fields, parse_relative_date, text, to_decimal
from loket.catalogue.validators import (
    LocaleDecimal,
    iban_preparer,
    iban_validator,
    national_number_preparer,
    national_number_validator,
    phone_preparer,
    phone_validator,
    postcode_validator,
)
from loket.i18n import _
from loket.web.forms import CSRFSchema, RendererFactory

# Our versions of a few Deform templates: no inline event handlers or styles (the CSP forbids
# them), visible text on the sequence buttons, a native date input without pickadate.
TEMPLATES = Path(__file__).parent / "deform_templates"
AUTOCOMPLETE = {"given_name": "given-name", "family_name": "family-name", "birth_date": "bday"}
CHOICES_AS_RADIO = 6  # more choices than this become a drop-down list


class ApplicationSchema(CSRFSchema):
    """The citizen's form, or one step of it; the fields are added at run time."""


def locale_of(request) -> str:
    locale = getattr(request, "locale_name", None) or "nl"
    return locale if locale in ("nl", "en") else "nl"


def steps(definition: dict) -> list[dict]:
    return list((definition.get("form") or {}).get("steps") or [])


def build_step_schema(definition: dict, index: int, request, prefill: dict | None = None,
                      today: date | None = None) -> ApplicationSchema:
    """The bound schema of step ``index`` (0-based); IndexError when there is no such step."""
    step = steps(definition)[index]
    return _schema(step.get("fields") or [], request, prefill, today)


def build_schema(definition: dict, request, prefill: dict | None = None,
                 today: date | None = None) -> ApplicationSchema:
    """The bound schema of the whole form: every step's fields, in order, at the top level
    (field names are unique across the form, so the answers are one flat mapping)."""
    fields = [f for step in steps(definition) for f in step.get("fields") or []]
    return _schema(fields, request, prefill, today)


def _schema(fields, request, prefill, today) -> ApplicationSchema:
    schema = ApplicationSchema()
    locale = locale_of(request)
    for field in fields:
        schema.add(field_node(field, locale, prefill or {}, today or date.today()))
    return schema.bind(request=request)


@functools.cache
def _renderer_for(default_renderer):
    return RendererFactory([str(TEMPLATES), *default_renderer.loader.search_path],
                           translator=default_renderer.translate)


def renderer():
    """Deform's renderer with our template overrides in front (same translator)."""
    return _renderer_for(deform.Form.default_renderer)


def build_form(schema, *, formid="aanvraag", buttons=(), action="", request=None) -> deform.Form:
    """A Deform form with our renderer. With ``request``, all forms of one page number their
    fields from one counter, so no two elements on the page share an id."""
    counter = None
    if request is not None:
        counter = request.environ.setdefault("loket.deform_counter", itertools.count())
    return deform.Form(schema, formid=formid, buttons=buttons, action=action,
                       renderer=renderer(), css_class="form", counter=counter)


# ---------------------------------------------------------------------------------------------
# Fields


def field_node(field: dict, locale: str, prefill: dict, today: date) -> colander.SchemaNode:
    kind = field["type"]
    node = _BUILDERS[kind](field, locale, today)
    node.name = field["name"]
    node.title = text(field.get("label"), locale)
    node.description = text(field.get("help"), locale) or None
    readonly = bool(field.get("readonly_when_prefilled")) and field["name"] in prefill
    if readonly:
        # Shown, never read back, whatever arrives (a read-only address or household still
        # posts its empty markers): merge_prefill supplies the value.
        node.widget.readonly = True
        node.missing = colander.drop
        node.deserialize = _dropped
        for child in node.children:
            _make_readonly(child)
    elif not field.get("required"):
        node.missing = [] if kind == "repeat" else None
    if kind == "repeat" and attribute_of(field) == "household" and not readonly and prefill:
        # The register answered and knows nobody else at the address: say so, rather than
        # promise its members above an empty list.
        node.description = _("According to the national register nobody else lives at your "
                             "address. Does someone live with you all the same? Add them here.")
    attribute = (field.get("prefill") or {}).get("attribute")
    if attribute in AUTOCOMPLETE and not readonly:
        node.widget.attributes = {**(getattr(node.widget, "attributes", None) or {}),
                                  "autocomplete": AUTOCOMPLETE[attribute]}
    return node


def attribute_of(field: dict) -> str | None:
    return (field.get("prefill") or {}).get("attribute")


def _dropped(cstruct=colander.null):
    return colander.drop


def _make_readonly(node):
    node.widget.readonly = True
    for child in node.children:
        _make_readonly(child)


def _text_node(field, locale, today, default_max=200, **attributes):
    return colander.SchemaNode(
        colander.String(),
        validator=colander.Length(max=field.get("max_length") or default_max),
        widget=deform.widget.TextInputWidget(attributes=attributes or {}),
    )


def _textarea(field, locale, today):
    return colander.SchemaNode(
        colander.String(), validator=colander.Length(max=field.get("max_length") or 4000),
        widget=deform.widget.TextAreaWidget(rows=5))


def _email(field, locale, today):
    return colander.SchemaNode(
        colander.String(),
        validator=colander.All(colander.Email(),
                               colander.Length(max=field.get("max_length") or 320)),
        widget=deform.widget.TextInputWidget(attributes={"type": "email",
                                                         "autocomplete": "email"}))


def _phone(field, locale, today):
    return colander.SchemaNode(
        colander.String(), preparer=phone_preparer,
        validator=colander.All(colander.Length(max=field.get("max_length") or 30),
                               phone_validator),
        widget=deform.widget.TextInputWidget(attributes={"type": "tel", "autocomplete": "tel"}))


def _bounds(field, convert):
    low = convert(field["min"]) if "min" in field else None
    high = convert(field["max"]) if "max" in field else None
    return low, high


def _number(field, locale, today, quant=None, floor=None):
    low, high = _bounds(field, to_decimal)
    if floor is not None:
        low = max(low, floor) if low is not None else floor
    node = colander.SchemaNode(
        LocaleDecimal(quant=quant),
        widget=deform.widget.TextInputWidget(attributes={"inputmode": "decimal"}))
    if low is not None or high is not None:
        node.validator = colander.Range(min=low, max=high)
    return node


def _amount(field, locale, today):
    return _number(field, locale, today, quant="0.01", floor=Decimal(0))


def _date(field, locale, today):
    low, high = _bounds(field, lambda v: parse_relative_date(v, today=today))
    node = colander.SchemaNode(colander.Date(), widget=deform.widget.DateInputWidget())
    if low is not None or high is not None:
        node.validator = colander.Range(min=low, max=high)
    return node


def _choice(field, locale, today):
    values = [(c["value"], text(c["label"], locale)) for c in field["choices"]]
    if len(values) <= CHOICES_AS_RADIO:
        widget = deform.widget.RadioChoiceWidget(values=values)
    else:
        widget = deform.widget.SelectWidget(values=[("", _("Choose…")), *values])
    return colander.SchemaNode(colander.String(), validator=colander.OneOf(
        [value for value, _label in values]), widget=widget)


def _yesno(field, locale, today):
    return colander.SchemaNode(
        colander.Boolean(false_choices=("false",), true_choices=("true",)),
        widget=deform.widget.RadioChoiceWidget(values=[("true", _("Yes")), ("false", _("No"))],
                                               inline=True))


def _iban(field, locale, today):
    return colander.SchemaNode(
        colander.String(), preparer=iban_preparer, validator=iban_validator,
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "off",
                                                         "spellcheck": "false"}))


def _national_number(field, locale, today):
    # The applicant's own number never comes from a form (it is the login token's): this is
    # someone else's, a partner's or a child's.
    return colander.SchemaNode(
        colander.String(), preparer=national_number_preparer,
        validator=national_number_validator,
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "off",
                                                         "inputmode": "numeric",
                                                         "spellcheck": "false"}))


ADDRESS_PARTS = ("street", "number", "box", "postcode", "municipality")


def _address(field, locale, today):
    optional = not field.get("required")
    autocomplete = (field.get("prefill") or {}).get("attribute") == "address"

    def part(name, title, validator, required=True, autocomplete_name=None):
        attributes = {"autocomplete": autocomplete_name} if autocomplete and \
            autocomplete_name else {}
        node = colander.SchemaNode(colander.String(), name=name, title=title,
                                   validator=validator,
                                   widget=deform.widget.TextInputWidget(attributes=attributes))
        if optional or not required:
            node.missing = ""
        return node

    node = colander.SchemaNode(
        colander.Mapping(),
        part("street", _("Street"), colander.Length(max=200), autocomplete_name="address-line1"),
        part("number", _("House number"), colander.Length(max=10)),
        part("box", _("Box"), colander.Length(max=10), required=False),
        part("postcode", _("Postcode"), postcode_validator, autocomplete_name="postal-code"),
        part("municipality", _("Municipality"), colander.Length(max=100),
             autocomplete_name="address-level2"),
        widget=deform.widget.MappingWidget(),
    )
    if optional:
        node.preparer = _empty_address_is_none
        node.validator = _complete_address
    return node


def _empty_address_is_none(value):
    if isinstance(value, dict) and not any(value.get(p) for p in ADDRESS_PARTS):
        return colander.null
    return value


def _complete_address(node, value):
    if not isinstance(value, dict):
        return
    error = colander.Invalid(node)
    for part in ("street", "number", "postcode", "municipality"):
        if not value.get(part):
            error[part] = _("Complete the address, or leave it empty.")
    if error.children:
        raise error


def _repeat(field, locale, today):
    item = colander.SchemaNode(colander.Mapping(), name="item",
                               title=text(field.get("label"), locale),
                               widget=deform.widget.MappingWidget())
    prefilled = (field.get("prefill") or {}).get("attribute") == "household"
    for sub in field["fields"]:
        child = field_node({**sub, "readonly_when_prefilled": False}, locale, {}, today)
        if prefilled and (sub.get("prefill") or {}).get("attribute"):
            child.widget.attributes = {}  # a member's name is not the user's own
        item.add(child)
    low = field.get("min_items", 1 if field.get("required") else 0)
    high = field.get("max_items")
    return colander.SchemaNode(
        colander.Sequence(), item, validator=colander.Length(min=low or None, max=high),
        widget=deform.widget.SequenceWidget(min_len=low or None, max_len=high))


_BUILDERS = {
    "text": _text_node, "textarea": _textarea, "email": _email, "phone": _phone,
    "number": _number, "amount": _amount, "date": _date, "choice": _choice, "yesno": _yesno,
    "iban": _iban, "national_number": _national_number, "address": _address,
    "repeat": _repeat,
}


# ---------------------------------------------------------------------------------------------
# Prefill


def prefill_values(definition: dict, person: dict) -> dict:
    """What the person register knows, as form values: ``{field name: value}``.

    ``person`` has ``given_name``, ``family_name``, ``birth_date`` (a date), ``address``
    (street, number, box, postcode, municipality) and ``household`` (a list of members with
    given_name, family_name, birth_date); any may be missing. Unknown values are left out, so
    the citizen fills those fields in."""
    values = {}
    for _where, field, parent in iter_fields(definition):
        prefill = field.get("prefill") or {}
        if parent is not None or prefill.get("source") != "person_register":
            continue
        attribute = prefill.get("attribute")
        value = person.get(attribute)
        if attribute == "household" and value:
            value = [{sub["name"]: member.get((sub.get("prefill") or {}).get("attribute"))
                      for sub in field.get("fields") or []} for member in value]
        if value not in (None, "", [], {}):
            values[field["name"]] = value
    return values


def merge_prefill(definition: dict, data: dict, prefill: dict, step: int | None = None) -> dict:
    """``data`` with the prefill value of every read-only prefilled field (of ``step``, or of
    the whole form): a value posted for such a field is ignored, whatever it is."""
    names = None
    if step is not None:
        names = {f.get("name") for f in steps(definition)[step].get("fields") or []}
    merged = dict(data)
    for _where, field, parent in iter_fields(definition):
        name = field.get("name")
        if parent is not None or (names is not None and name not in names):
            continue
        if field.get("readonly_when_prefilled") and name in prefill:
            merged[name] = prefill[name]
    return merged


def jsonable(value):
    """Form values as JSON can store them: amounts as strings, dates in ISO 8601."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items() if k != "csrf_token"}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
