"""Workflow files: the shipped ones are valid, broken ones are refused with every problem."""

from datetime import UTC, date, datetime, timedelta

import pytest

from loket.workflow.conditions import conditions
from loket.workflow.deadlines import compute_deadline
from loket.workflow.definition import WorkflowError, load_workflows, parse_workflow


def test_shipped_workflows_load_and_use_known_conditions(app):
    workflows = load_workflows()
    known = set(conditions(app.registry))
    assert {"sociale-premie", "vergunning"} <= set(workflows)
    for workflow in workflows.values():
        assert workflow.conditions_used <= known


def test_social_premium_follows_blueprint_1():
    workflow = load_workflows()["sociale-premie"]
    path = ["concept", "ingediend", "ontvankelijk", "in_behandeling", "klaar_voor_beslissing",
            "geagendeerd", "goedgekeurd", "beslissing_verzonden", "klaar_voor_betaling",
            "betaald", "afgesloten"]
    for here, there in zip(path, path[1:], strict=False):
        assert any(t.target == there for t in workflow.transitions_from(here)), (here, there)
    assert workflow.states["vervollediging_gevraagd"].suspends_deadlines
    withdraw = workflow.transitions["stopzetten"]
    assert withdraw.roles == {"applicant"} and "goedgekeurd" not in withdraw.sources


def test_broken_workflow_lists_every_problem():
    with pytest.raises(WorkflowError) as error:
        parse_workflow({
            "name": "kapot", "initial": "begin",
            "states": {
                "begin": {"title": {"nl": "Begin", "en": "Start"}, "phase": "Samenstelling",
                          "permissions": {"burgemeester": ["view"], "applicant": ["vliegen"]}},
                "wees": {"title": {"nl": "Wees"}, "phase": "Nergens"},
            },
            "transitions": {"weg": {"from": "begin", "to": "nergens", "roles": ["koning"]}},
        })
    problems = "\n".join(error.value.problems)
    for expected in ["unknown role 'burgemeester'", "unknown permission(s) vliegen",
                     "states.wees.title: needs a Dutch (nl) and an English (en) text",
                     "states.wees.phase", "transitions.weg.to: 'nergens' is not a state",
                     "unknown role 'koning'", "states.wees: cannot be reached",
                     "transitions.weg.title"]:
        assert expected in problems


def _t(day):
    return datetime(2026, 3, 1, 9, tzinfo=UTC) + timedelta(days=day)


DECISION = {"code": "beslissing", "days": 60, "start_state": "ontvankelijk",
            "stop_states": ["goedgekeurd", "geweigerd"]}


def test_deadline_runs_from_the_start_state():
    deadline = compute_deadline(DECISION, [(_t(0), "ingediend"), (_t(2), "ontvankelijk")],
                                set(), now=_t(10))
    assert deadline.due == date(2026, 3, 3) + timedelta(days=60)
    assert deadline.days_left(_t(10).date()) == 52


def test_suspension_moves_the_deadline():
    history = [(_t(0), "ontvankelijk"), (_t(5), "vervollediging_gevraagd"),
               (_t(12), "ingediend"), (_t(13), "ontvankelijk"), (_t(20), "goedgekeurd")]
    deadline = compute_deadline(DECISION, history, {"vervollediging_gevraagd"}, now=_t(30))
    assert deadline.suspended_days == 7
    assert deadline.due == _t(0).date() + timedelta(days=67)
    assert deadline.met is True


def test_running_suspension_counts_until_now():
    history = [(_t(0), "ontvankelijk"), (_t(5), "vervollediging_gevraagd")]
    deadline = compute_deadline(DECISION, history, {"vervollediging_gevraagd"}, now=_t(9))
    assert deadline.running_suspension and deadline.suspended_days == 4


def test_deadline_not_started():
    deadline = compute_deadline(DECISION, [(_t(0), "ingediend")], set(), now=_t(1))
    assert deadline.due is None and deadline.days_left(_t(1).date()) is None
