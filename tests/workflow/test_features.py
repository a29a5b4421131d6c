"""Features attach to workflows by marks and purposes: all of them, or the feature is off."""

import pytest
from pyramid.exceptions import ConfigurationError

from loket.workflow.definition import parse_workflow
from loket.workflow.features import APPLIES_KEY, REQUIRED_KEY, applies, check_features


def _workflow(name, marks=(), purposes=()):
    return parse_workflow({
        "name": name, "title": {"nl": name, "en": name}, "initial": "a",
        "states": {
            "a": {"title": {"nl": "A", "en": "A"}, "phase": "Samenstelling",
                  "marks": list(marks)},
            "b": {"title": {"nl": "B", "en": "B"}, "phase": "Afgerond", "final": True},
        },
        "transitions": {"go": {"title": {"nl": "Go", "en": "Go"}, "from": "a", "to": "b",
                               "roles": ["handler"], **({"purpose": purposes[0]}
                                                        if purposes else {})}},
    })


def test_shipped_workflows_carry_the_features_they_use(app):
    on = app.registry[APPLIES_KEY]
    # The permit has no admissibility step; an objection's admissibility is decided.
    assert on["admissibility"] == {"sociale-premie", "bezwaar"}
    assert on["completion"] == {"sociale-premie", "vergunning"}
    assert on["applications"] == {"sociale-premie", "vergunning"}  # an objection is lodged
    assert on["checks"] == {"sociale-premie", "bezwaar"}
    assert on["decisions"] == {"sociale-premie", "vergunning", "bezwaar"}


def test_a_feature_is_on_with_all_its_marks_and_off_with_none():
    registry = {REQUIRED_KEY: {"demo": (frozenset({"submitted"}), frozenset({"demo.go"}))}}
    full = _workflow("full", marks=["submitted"], purposes=["demo.go"])
    bare = _workflow("bare")
    result = check_features(registry, {"full": full, "bare": bare})
    assert result == {"demo": {"full"}}
    assert applies({APPLIES_KEY: result}, "demo", full)
    assert not applies({APPLIES_KEY: result}, "demo", bare)


def test_a_workflow_with_part_of_a_feature_is_refused_at_start_up():
    registry = {REQUIRED_KEY: {"demo": (frozenset({"submitted"}), frozenset({"demo.go"}))}}
    half = _workflow("half", marks=["submitted"])
    with pytest.raises(ConfigurationError, match="'half' uses demo but lacks demo.go"):
        check_features(registry, {"half": half})


def test_a_purpose_given_to_two_steps_is_refused():
    from loket.workflow.definition import WorkflowError

    data = {
        "name": "twice", "title": {"nl": "x", "en": "x"}, "initial": "a",
        "states": {"a": {"title": {"nl": "A", "en": "A"}, "phase": "Samenstelling"},
                   "b": {"title": {"nl": "B", "en": "B"}, "phase": "Afgerond"}},
        "transitions": {
            "one": {"title": {"nl": "1", "en": "1"}, "from": "a", "to": "b",
                    "roles": ["handler"], "purpose": "demo.go"},
            "two": {"title": {"nl": "2", "en": "2"}, "from": "b", "to": "a",
                    "roles": ["handler"], "purpose": "demo.go"}}}
    with pytest.raises(WorkflowError, match="purpose 'demo.go' is given to several steps"):
        parse_workflow(data)
