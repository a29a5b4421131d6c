"""Sections of the dossier-type definition that belong to a feature.

The catalogue validates the core of a definition (texts, team, workflow, login level, form,
documents, admissibility rules); each feature that reads a part of it owns that part::

    config.add_definition_section("checks", validate_checks, default=lambda workflow: [],
                                  optional_keys=("checks_mode", "magda_purpose"))

``validate(check, value, context)`` reports problems through ``check``, the catalogue's
:class:`~loket.catalogue.validation.Validator` (its building blocks: ``mapping``, ``items``,
``texts``, ``code``, ``state`` …); ``context`` holds the whole definition and what the core
found (the form's fields, the documents, the codes already used). ``default(workflow)`` is the
section's value in a brand-new type. A key claimed by two features is a configuration conflict.
"""

from dataclasses import dataclass, field

from pyramid.threadlocal import get_current_registry

SECTIONS_KEY = "loket.catalogue.sections"


@dataclass(frozen=True)
class Section:
    key: str
    validate: object
    default: object = None
    required: bool = True
    optional_keys: tuple[str, ...] = ()  # further top-level keys the section reads
    order: int = 100


@dataclass
class SectionContext:
    definition: dict
    fields: dict  # name → (where, field, parent) of every form field
    documents: dict  # code → document type
    codes: set = field(default_factory=set)  # rule and check codes, unique together
    workflow: object = None


def add_definition_section(config, key: str, validate, *, default=None, required=True,
                           optional_keys=(), order=100):
    section = Section(key, config.maybe_dotted(validate), default, required,
                      tuple(optional_keys), order)

    def register():
        config.registry.setdefault(SECTIONS_KEY, {})[key] = section

    item = config.introspectable("loket definition sections", key, key,
                                 "loket definition section")
    item["validate"] = section.validate
    config.action(("loket.definition_section", key), register, introspectables=(item,))
    for extra in optional_keys:  # one owner for every top-level key
        config.action(("loket.definition_section", extra), None)


def sections(registry=None) -> list[Section]:
    registry = registry if registry is not None else get_current_registry()
    found = getattr(registry, "get", lambda key, default: default)(SECTIONS_KEY, {})
    return sorted(found.values(), key=lambda s: (s.order, s.key))
