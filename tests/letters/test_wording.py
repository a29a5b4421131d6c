"""The administrator's wording: a sandboxed Jinja2 text per kind, per type version. An unknown
variable is refused at publication and at the preview, naming kind, part, line and variable;
an unknown attribute at the preview on a real dossier; nothing escapes the sandbox."""

import pytest
import yaml

from loket.catalogue.validation import validate_definition
from loket.letters import wording
from tests.fixtures.staff import SHIPPED


def problems(app, letters=None, objection=None):
    base = yaml.safe_load(SHIPPED.read_text())["versions"][0]["definition"]
    if letters is not None:
        base = {**base, "letters": letters}
    if objection is not None:
        base = {**base, "objection": objection}
    return [str(p) for p in validate_definition(base, registry=app.registry)]


GOOD = {"subject": {"nl": "Beslissing {{ reference }}"},
        "body": {"nl": "Geachte {{ recipient.name }},\n\nZie hieronder.",
                 "en": "Dear {{ recipient.name }},"}}


def test_the_shipped_types_and_the_defaults_are_valid(app):
    assert problems(app) == []
    for kind, text in wording.DEFAULTS.items():
        assert wording.static_problems(kind, text) == [], kind
    assert problems(app, {"templates": {"decision.granted": GOOD},
                          "signatures": {"receipt": "body"}}, {"days": 14}) == []


def test_an_unknown_variable_is_refused_at_publication_with_its_line(app):
    bad = {"subject": {"nl": "Beslissing"},
           "body": {"nl": "Geachte,\n\nU krijgt {{ bedrag }} euro."}}
    found = problems(app, {"templates": {"decision.granted": bad}})
    assert found == ['letters.templates.decision.granted: decision.granted body (nl), line 3: '
                     'unknown variable "bedrag".']


@pytest.mark.parametrize("letters, expected", [
    ({"templates": {"receipt": {"subject": {"nl": "{% if %}"}, "body": {"nl": "x"}}}},
     "receipt subject (nl), line 1"),
    ({"templates": {"receipt": {"subject": {"nl": "x"}}}}, "body: is missing"),
    ({"signatures": {"receipt": "mayor"}}, "'mayor' is not one of none, decision, body"),
    ({"colour": "blue"}, "unknown key 'colour'"),
])
def test_broken_sections_are_refused(app, letters, expected):
    assert any(expected in p for p in problems(app, letters)), problems(app, letters)


@pytest.mark.parametrize("objection", [{"days": 0}, {"days": "30"}, {}, {"days": 400}])
def test_a_bad_objection_term_is_refused(app, objection):
    assert any(p.startswith("objection") for p in problems(app, objection=objection))


def test_an_unknown_attribute_is_an_error_at_render_naming_the_line():
    text = {"subject": {"nl": "x"}, "body": {"nl": "Regel een\n{{ decision.bedrag }}"}}
    values = {name: None for name in wording.VARIABLES} | {"decision": {"title": "t"}}
    with pytest.raises(wording.WordingError) as raised:
        wording.render("decision.granted", text, values)
    message = raised.value.message
    assert message.mapping["line"] == 2 and "bedrag" in message.mapping["error"]


def test_the_sandbox_refuses_unsafe_attributes():
    text = {"subject": {"nl": "{{ reference.__class__.__mro__[1].__subclasses__() }}"},
            "body": {"nl": "x"}}
    values = {name: "" for name in wording.VARIABLES}
    with pytest.raises(wording.WordingError):  # reaching Python's classes is refused
        wording.render("receipt", text, values)


def test_paragraphs_and_the_language():
    values = {name: "" for name in wording.VARIABLES} | {"reference": "2026-000001",
                                                         "recipient": {"name": "Jan"}}
    dutch = wording.render("receipt", GOOD, values, "nl")
    english = wording.render("receipt", GOOD, values, "en")
    assert dutch.paragraphs == ["Geachte Jan,", "Zie hieronder."]
    assert english.paragraphs == ["Dear Jan,"]
    assert english.subject == "Beslissing 2026-000001"  # no English subject: the Dutch one
