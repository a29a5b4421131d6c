"""Validation of a dossier type definition (its shape: :mod:`loket.catalogue.definition`).

One pass over the whole definition that collects every problem with its location instead of
stopping at the first, so an administrator can fix a file in one go.
"""

from datetime import date
from decimal import Decimal

from loket.catalogue.definition import (
    ACR_URNS,
    ADMISSIBILITY_RULES,
    AMOUNT_DIRECTIONS,
    AMOUNT_RULES,
    CODE_PATTERN,
    DECISION_BODIES,
    FIELD_COMMON_KEYS,
    FIELD_EXTRA_KEYS,
    FIELD_TYPES,
    LANGUAGES,
    MAX_SIZE_MB,
    MEDIA_TYPES,
    MEMBER_ATTRIBUTES,
    NAME_PATTERN,
    OPTIONAL_TOP_LEVEL,
    PLACEHOLDER,
    PREFILL_ATTRIBUTES,
    PREFILL_SOURCES,
    RESERVED_NAMES,
    RESULT_PLACEHOLDERS,
    RETENTION_ACTIONS,
    RETENTION_OUTCOMES,
    TEAM_PATTERN,
    TEMPLATE_PLACEHOLDERS,
    TOP_LEVEL_KEYS,
    DefinitionError,
    Problem,
    parse_relative_date,
    to_decimal,
)
from loket.catalogue.sections import SectionContext, sections
from loket.workflow.definition import workflows as shipped_workflows


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _join(where: str, key) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else str(key)


class Validator:
    """Walks a definition once and collects every problem."""

    def __init__(self, workflows, sections=()):
        self.workflows = workflows
        self.sections = list(sections)
        self.problems: list[Problem] = []
        self.workflow = None

    def add(self, where, message):
        self.problems.append(Problem(where, message))

    # -- building blocks ------------------------------------------------------------------

    def mapping(self, value, where, allowed, required=()) -> dict | None:
        if not isinstance(value, dict):
            self.add(where, "must be a mapping")
            return None
        for key in value:
            if not isinstance(key, str):
                self.add(where, f"key {key!r} must be text")
            elif key not in allowed:
                self.add(_join(where, key), f"unknown key {key!r}")
        for key in required:
            if key not in value:
                self.add(_join(where, key), "is missing")
        return value

    def items(self, parent, key, where, allow_empty=True) -> list:
        value = parent.get(key)
        if key not in parent:
            return []
        if not isinstance(value, list):
            self.add(_join(where, key), "must be a list")
            return []
        if not value and not allow_empty:
            self.add(_join(where, key), "needs at least one entry")
        return value

    def texts(self, parent, key, where, languages=LANGUAGES, required=True):
        if key not in parent:
            return
        value = parent[key]
        here = _join(where, key)
        if value is None and not required:
            return
        if not isinstance(value, dict):
            self.add(here, f"needs a text in {' and '.join(languages)}")
            return
        for language in value:
            if language not in LANGUAGES:
                self.add(_join(here, language), f"unknown language {language!r}")
        for language in languages:
            if not isinstance(value.get(language), str) or not value[language].strip():
                self.add(_join(here, language), "is missing or empty")

    def placeholders(self, parent, key, where, known):
        value = parent.get(key)
        if not isinstance(value, dict):
            return
        for language, content in value.items():
            if not isinstance(content, str):
                continue
            for name in PLACEHOLDER.findall(content):
                if name not in known:
                    self.add(_join(_join(where, key), language),
                             f"unknown placeholder ${{{name}}}")

    def boolean(self, parent, key, where, required=False):
        if key not in parent:
            if required:
                self.add(_join(where, key), "is missing")
            return
        if not isinstance(parent[key], bool):
            self.add(_join(where, key), "must be true or false")

    def integer(self, parent, key, where, minimum=None, maximum=None, required=True):
        if key not in parent:
            if required:
                self.add(_join(where, key), "is missing")
            return None
        value = parent[key]
        if not _is_int(value):
            self.add(_join(where, key), "must be a whole number")
            return None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            bounds = f"between {minimum} and {maximum}" if maximum is not None else \
                f"at least {minimum}"
            self.add(_join(where, key), f"must be {bounds}")
            return None
        return value

    def decimal(self, parent, key, where, minimum=Decimal(0), maximum=None, positive=False,
                required=True):
        if key not in parent:
            if required:
                self.add(_join(where, key), "is missing")
            return None
        try:
            value = to_decimal(parent[key])
        except ValueError:
            self.add(_join(where, key), f"{parent[key]!r} is not an amount")
            return None
        if positive and value <= 0:
            self.add(_join(where, key), "must be more than 0")
            return None
        if minimum is not None and value < minimum:
            self.add(_join(where, key), f"must be at least {minimum}")
            return None
        if maximum is not None and value > maximum:
            self.add(_join(where, key), f"must be at most {maximum}")
            return None
        return value

    def choice(self, parent, key, where, options, what="value", required=True):
        if key not in parent:
            if required:
                self.add(_join(where, key), "is missing")
            return None
        value = parent[key]
        if value not in options:
            self.add(_join(where, key), f"unknown {what} {value!r}; one of: {', '.join(options)}")
            return None
        return value

    def code(self, parent, key, where, seen: set, what="code"):
        value = parent.get(key)
        if key not in parent:
            self.add(_join(where, key), "is missing")
        elif not isinstance(value, str) or not CODE_PATTERN.match(value):
            self.add(_join(where, key), f"{value!r} is not a valid {what} (lower case letters, "
                                        "digits, - and _)")
        elif value in seen:
            self.add(_join(where, key), f"duplicate {what} {value!r}")
        else:
            seen.add(value)
        return value

    # -- the whole definition -------------------------------------------------------------

    def run(self, definition) -> list[Problem]:
        required = [k for k in TOP_LEVEL_KEYS if k not in OPTIONAL_TOP_LEVEL]
        required += [s.key for s in self.sections if s.required]
        allowed = (*TOP_LEVEL_KEYS, *(k for s in self.sections for k in (s.key, *s.optional_keys)))
        if self.mapping(definition, "", allowed, required) is None:
            return self.problems
        d = definition
        for key in ("title", "summary", "who_can_apply", "what_to_bring"):
            self.texts(d, key, "")
        if "team" in d and (not isinstance(d["team"], str) or not TEAM_PATTERN.match(d["team"])):
            self.add("team", f"{d['team']!r} is not a team code")
        if "workflow" in d:
            if d["workflow"] in self.workflows:
                self.workflow = self.workflows[d["workflow"]]
            else:
                self.add("workflow", f"unknown workflow {d['workflow']!r}; one of: "
                                     f"{', '.join(sorted(self.workflows))}")
        self.authentication(d.get("authentication"), "authentication")
        fields = self.form(d.get("form"), "form")
        documents = self.documents(d)
        codes: set = set()
        self.admissibility(d, fields, documents, codes)
        self.decision(d.get("decision"), "decision", fields)
        self.amount(d.get("amount"), "amount", fields)
        self.retention(d)
        context = SectionContext(d, fields, documents, codes, self.workflow)
        for section in self.sections:
            if section.key in d:
                section.validate(self, d[section.key], context)
        return self.problems

    def authentication(self, value, where):
        if value is None:
            return
        if self.mapping(value, where, ("minimum_acr",), ("minimum_acr",)) is None:
            return
        accepted = value.get("minimum_acr")
        if "minimum_acr" not in value:
            return
        if not isinstance(accepted, list) or not accepted:
            self.add(f"{where}.minimum_acr", "needs at least one acr URN")
            return
        for i, urn in enumerate(accepted):
            if urn not in ACR_URNS:
                self.add(f"{where}.minimum_acr[{i}]", f"unknown acr {urn!r}")

    # -- the form ----------------------------------------------------------------------------

    def form(self, value, where) -> dict[str, tuple[str, dict, dict | None]]:
        """Checks the form; returns every well-named field: name → (location, field, parent)."""
        names: dict[str, tuple[str, dict, dict | None]] = {}
        if value is None or self.mapping(value, where, ("steps",), ("steps",)) is None:
            return names
        steps = self.items(value, "steps", where, allow_empty=False)
        for s, step in enumerate(steps):
            here = f"{where}.steps[{s}]"
            if self.mapping(step, here, ("title", "fields"), ("title", "fields")) is None:
                continue
            self.texts(step, "title", here)
            for f, field in enumerate(self.items(step, "fields", here, allow_empty=False)):
                self.field(field, f"{here}.fields[{f}]", names, parent=None)
        return names

    def field(self, field, where, names, parent):
        if not isinstance(field, dict):
            self.add(where, "must be a mapping")
            return
        kind = field.get("type")
        if "type" not in field:
            self.add(f"{where}.type", "is missing")
        elif kind not in FIELD_TYPES:
            self.add(f"{where}.type", f"unknown field type {kind!r}")
        allowed = FIELD_COMMON_KEYS + FIELD_EXTRA_KEYS.get(kind, ())
        for key in field:
            if key not in allowed:
                if kind in FIELD_TYPES and any(key in extra for extra in FIELD_EXTRA_KEYS.values()):
                    self.add(f"{where}.{key}", f"does not apply to a {kind} field")
                else:
                    self.add(f"{where}.{key}", f"unknown key {key!r}")
        name = field.get("name")
        if "name" not in field:
            self.add(f"{where}.name", "is missing")
        elif not isinstance(name, str) or not NAME_PATTERN.match(name):
            self.add(f"{where}.name", f"{name!r} is not a valid field name (a lower case letter, "
                                      "then letters, digits or _)")
        elif name in RESERVED_NAMES:
            self.add(f"{where}.name", f"{name!r} is reserved")
        elif name in names:
            self.add(f"{where}.name", f"duplicate field name {name!r} (also at {names[name][0]})")
        else:
            names[name] = (where, field, parent)
        if "label" not in field:
            self.add(f"{where}.label", "is missing")
        self.texts(field, "label", where)
        self.texts(field, "help", where)
        self.boolean(field, "required", where)
        self.boolean(field, "readonly_when_prefilled", where)
        if kind in ("number", "amount"):
            low = self.decimal(field, "min", where, minimum=None, required=False)
            high = self.decimal(field, "max", where, minimum=None, required=False)
            if kind == "amount" and low is not None and low < 0:
                self.add(f"{where}.min", "an amount cannot be negative")
            if low is not None and high is not None and low > high:
                self.add(where, f"min {low} is greater than max {high}")
        elif kind == "date":
            low = self.date_bound(field, "min", where)
            high = self.date_bound(field, "max", where)
            if low is not None and high is not None and low > high:
                self.add(where, f"min {field['min']} is after max {field['max']}")
        if "max_length" in field:
            self.integer(field, "max_length", where, minimum=1, maximum=10000)
        if kind == "choice":
            self.choices(field, where)
        if kind == "repeat":
            self.repeat(field, where, names, parent)
        self.prefill(field, where, kind, parent)

    def date_bound(self, field, key, where):
        if key not in field:
            return None
        try:
            return parse_relative_date(field[key], today=date(2000, 1, 1))
        except ValueError:
            self.add(f"{where}.{key}", f"{field[key]!r} is not a date (YYYY-MM-DD, today, "
                                       "today+N or today-N)")
            return None

    def choices(self, field, where):
        if "choices" not in field:
            self.add(f"{where}.choices", "is missing")
            return
        choices = self.items(field, "choices", where, allow_empty=False)
        seen = set()
        for c, choice in enumerate(choices):
            here = f"{where}.choices[{c}]"
            if self.mapping(choice, here, ("value", "label"), ("value", "label")) is None:
                continue
            value = choice.get("value")
            if "value" in choice and (not isinstance(value, str) or not value.strip()):
                self.add(f"{here}.value", "must be a non-empty text")
            elif value in seen:
                self.add(f"{here}.value", f"duplicate choice {value!r}")
            else:
                seen.add(value)
            self.texts(choice, "label", here)

    def repeat(self, field, where, names, parent):
        if parent is not None:
            self.add(where, "a repeat cannot contain another repeat")
            return
        if "fields" not in field:
            self.add(f"{where}.fields", "is missing")
        for n, sub in enumerate(self.items(field, "fields", where, allow_empty=False)):
            self.field(sub, f"{where}.fields[{n}]", names, parent=field)
        low = self.integer(field, "min_items", where, minimum=0, maximum=100, required=False)
        high = self.integer(field, "max_items", where, minimum=1, maximum=100, required=False)
        if low is not None and high is not None and low > high:
            self.add(where, f"min_items {low} is greater than max_items {high}")

    def prefill(self, field, where, kind, parent):
        value = field.get("prefill")
        if value is None:
            if field.get("readonly_when_prefilled"):
                self.add(f"{where}.readonly_when_prefilled", "the field has no prefill")
            return
        here = f"{where}.prefill"
        if self.mapping(value, here, ("source", "attribute"), ("source", "attribute")) is None:
            return
        self.choice(value, "source", here, PREFILL_SOURCES, what="source")
        in_household = parent is not None and (parent.get("prefill") or {}).get(
            "attribute") == "household"
        if parent is not None and not in_household:
            self.add(here, "only the fields of a repeat prefilled with household can be "
                           "prefilled")
            return
        attributes = MEMBER_ATTRIBUTES if in_household else PREFILL_ATTRIBUTES
        attribute = self.choice(value, "attribute", here, tuple(attributes), what="attribute")
        if attribute is not None and kind in FIELD_TYPES and attributes[attribute] != kind:
            self.add(f"{here}.attribute", f"{attribute} fills a {attributes[attribute]} field, "
                                          f"not a {kind} field")

    # -- documents and rules -----------------------------------------------------------------

    def documents(self, d) -> dict[str, dict]:
        found = {}
        seen: set = set()
        for i, doc in enumerate(self.items(d, "documents", "")):
            here = f"documents[{i}]"
            if self.mapping(doc, here, ("code", "title", "help", "required", "media_types",
                                        "max_size_mb"),
                            ("code", "title", "required", "media_types", "max_size_mb")) is None:
                continue
            code = self.code(doc, "code", here, seen)
            self.texts(doc, "title", here)
            self.texts(doc, "help", here)
            self.boolean(doc, "required", here)
            media = self.items(doc, "media_types", here, allow_empty=False)
            for m, media_type in enumerate(media):
                if media_type not in MEDIA_TYPES:
                    self.add(f"{here}.media_types[{m}]", f"unknown media type {media_type!r}; "
                                                         f"one of: {', '.join(MEDIA_TYPES)}")
            if len(set(map(str, media))) != len(media):
                self.add(f"{here}.media_types", "lists a media type twice")
            self.decimal(doc, "max_size_mb", here, positive=True, maximum=Decimal(MAX_SIZE_MB))
            if isinstance(code, str):
                found[code] = doc
        return found

    def result_texts(self, entry, where, rule_type, keys):
        if "text" not in entry:
            return
        here = f"{where}.text"
        if self.mapping(entry["text"], here, keys, keys) is None:
            return
        known = RESULT_PLACEHOLDERS.get(rule_type, ())
        for key in keys:
            self.texts(entry["text"], key, here)
            self.placeholders(entry["text"], key, here, known)

    def date_field(self, rule, where, fields, required=True):
        if "field" in rule or required:
            self.field_of_type(rule, "field", where, fields, ("date",))

    def admissibility(self, d, fields, documents, codes):
        ages = {}
        for i, entry in enumerate(self.items(d, "admissibility", "")):
            here = f"admissibility[{i}]"
            if self.mapping(entry, here, ("code", "rule", "text"), ("code", "rule", "text")) \
                    is None:
                continue
            self.code(entry, "code", here, codes)
            rule = entry.get("rule")
            rule_type = None
            if "rule" in entry and self.mapping(rule, f"{here}.rule", ("type", "years", "field",
                                                                       "days"), ("type",)):
                rule_type = self.rule(rule, f"{here}.rule", fields, documents, ages)
            self.result_texts(entry, here, rule_type, ("pass", "fail"))
        low, high = ages.get("age_at_least"), ages.get("age_at_most")
        if low and high and low[0] == high[0] and low[1] > high[1]:
            self.add(high[2], f"nobody can be at least {low[1]} and at most {high[1]} years old")

    def rule(self, rule, where, fields, documents, ages):
        rule_type = self.choice(rule, "type", where, ADMISSIBILITY_RULES, what="rule type")
        allowed = {"domicile_in_municipality": (), "required_documents_present": (),
                   "age_at_least": ("years", "field"), "age_at_most": ("years", "field"),
                   "within_days_of": ("field", "days")}.get(rule_type)
        if allowed is None:
            return rule_type
        for key in rule:
            if key != "type" and key not in allowed:
                self.add(f"{where}.{key}", f"does not apply to {rule_type}")
        if rule_type in ("age_at_least", "age_at_most"):
            years = self.integer(rule, "years", where, minimum=0, maximum=130)
            self.date_field(rule, where, fields, required=False)
            if years is not None:
                ages[rule_type] = (rule.get("field"), years, f"{where}.years")
        elif rule_type == "within_days_of":
            self.date_field(rule, where, fields)
            self.integer(rule, "days", where, minimum=1, maximum=3650)
        elif rule_type == "required_documents_present" and not any(
                doc.get("required") is True for doc in documents.values()):
            self.add(where, "no document is required, so this rule can never fail")
        return rule_type

    def state(self, value, where):
        if self.workflow is not None and value not in self.workflow.states:
            self.add(where, f"{value!r} is not a state of workflow {self.workflow.name!r}")
            return False
        return True

    def decision(self, value, where, fields):
        keys = ("body", "decision_template", "letter_template", "signature_required",
                "refusal_reasons")
        if value is None or self.mapping(value, where, keys, keys[:4]) is None:
            return
        self.choice(value, "body", where, DECISION_BODIES, what="decision body")
        known = set(TEMPLATE_PLACEHOLDERS) | {n for n, (_w, _f, p) in fields.items() if p is None}
        self.texts(value, "decision_template", where, languages=("nl",))
        self.placeholders(value, "decision_template", where, known)
        self.texts(value, "letter_template", where)
        self.placeholders(value, "letter_template", where, known)
        self.boolean(value, "signature_required", where)
        seen: set = set()
        for i, reason in enumerate(self.items(value, "refusal_reasons", where)):
            here = f"{where}.refusal_reasons[{i}]"
            if self.mapping(reason, here, ("code", "text"), ("code", "text")) is None:
                continue
            self.code(reason, "code", here, seen)
            self.texts(reason, "text", here)

    def amount(self, value, where, fields):
        if value is None or self.mapping(value, where, ("direction", "rule"),
                                         ("direction", "rule")) is None:
            return
        direction = self.choice(value, "direction", where, AMOUNT_DIRECTIONS, what="direction")
        rule = value.get("rule")
        if "rule" not in value:
            return
        here = f"{where}.rule"
        keys = {"fixed": ("amount",), "per_person": ("amount", "field", "ceiling"),
                "percentage": ("percentage", "field", "ceiling"),
                "per_unit": ("amount", "fields", "minimum", "ceiling"), "none": ()}
        rule_type = rule.get("type") if isinstance(rule, dict) else None
        allowed = keys.get(rule_type, tuple({k for ks in keys.values() for k in ks}))
        if self.mapping(rule, here, ("type", *allowed), ("type",)) is None:
            return
        rule_type = self.choice(rule, "type", here, AMOUNT_RULES, what="amount rule")
        if direction == "none" and rule_type not in (None, "none"):
            self.add(here, "nobody pays: the rule must be none")
        if direction in ("loket_pays", "citizen_pays") and rule_type == "none":
            self.add(here, "someone pays: choose a rule other than none")
        if rule_type in ("fixed", "per_person", "per_unit"):
            self.decimal(rule, "amount", here, positive=True)
        if rule_type in ("per_person", "percentage", "per_unit"):
            self.decimal(rule, "ceiling", here, required=False)
        if rule_type == "per_person":
            self.field_of_type(rule, "field", here, fields, ("repeat",))
        elif rule_type == "percentage":
            self.decimal(rule, "percentage", here, positive=True, maximum=Decimal(100))
            self.field_of_type(rule, "field", here, fields, ("amount",))
        elif rule_type == "per_unit":
            minimum = self.decimal(rule, "minimum", here, required=False)
            ceiling = self.decimal(rule, "ceiling", here, required=False)
            if minimum is not None and ceiling is not None and minimum > ceiling:
                self.add(here, f"minimum {minimum} is greater than ceiling {ceiling}")
            for i, name in enumerate(self.items(rule, "fields", here, allow_empty=False)):
                self.named_field(name, f"{here}.fields[{i}]", fields, ("number",))
            if "fields" not in rule:
                self.add(f"{here}.fields", "is missing")

    def field_of_type(self, parent, key, where, fields, kinds):
        """``parent[key]`` names a top-level field of one of ``kinds``."""
        here = _join(where, key)
        if key not in parent:
            self.add(here, "is missing")
            return
        self.named_field(parent[key], here, fields, kinds)

    def named_field(self, name, here, fields, kinds):
        found = fields.get(name) if isinstance(name, str) else None
        if found is None:
            self.add(here, f"no field named {name!r} in the form")
        elif found[2] is not None:
            self.add(here, f"{name!r} is inside a repeat; use a field of the form itself")
        elif found[1].get("type") not in kinds:
            self.add(here, f"{name!r} is a {found[1].get('type')} field, not "
                           f"{' or '.join(kinds)}")

    def retention(self, d):
        seen = set()
        for i, entry in enumerate(self.items(d, "retention", "")):
            here = f"retention[{i}]"
            keys = ("outcome", "years", "then")
            if self.mapping(entry, here, keys, keys) is None:
                continue
            outcome = self.choice(entry, "outcome", here, RETENTION_OUTCOMES, what="outcome")
            if outcome in seen:
                self.add(f"{here}.outcome", f"duplicate outcome {outcome!r}")
            seen.add(outcome)
            self.integer(entry, "years", here, minimum=1, maximum=100)
            self.choice(entry, "then", here, RETENTION_ACTIONS, what="action")
        if isinstance(d.get("retention"), list):
            for outcome in RETENTION_OUTCOMES:
                if outcome not in seen:
                    self.add("retention", f"no retention period for outcome {outcome!r}")


def validate_definition(definition, workflows: dict | None = None,
                        registry=None) -> list[Problem]:
    """Every problem of ``definition``; empty when it is valid. The features' sections are
    those of ``registry``'s application (by default the current one)."""
    if workflows is None:
        workflows = shipped_workflows()
    return Validator(workflows, sections(registry)).run(definition)


def check_definition(definition, workflows: dict | None = None, registry=None) -> None:
    """Raise :class:`DefinitionError` with every problem unless ``definition`` is valid."""
    problems = validate_definition(definition, workflows, registry)
    if problems:
        raise DefinitionError(problems)
