"""The workflow engine: workflows as data, one transition service, history and deadlines."""

from pyramid.exceptions import ConfigurationError

from loket.workflow.conditions import BUILT_IN, add_workflow_condition, conditions
from loket.workflow.definition import WorkflowError, workflows
from loket.workflow.engine import add_local_role
from loket.workflow.presentation import state_title
from loket.workflow.steps import add_step_handler


def includeme(config):
    # Fail at start-up, not at the first dossier, when a workflow file is wrong.
    try:
        loaded = workflows()
    except WorkflowError as error:
        raise ConfigurationError("Invalid workflow: " + "; ".join(error.problems)) from error
    config.get_jinja2_environment().globals["state_title"] = state_title
    config.add_directive("add_step_handler", add_step_handler)
    config.add_directive("add_workflow_condition", add_workflow_condition)
    config.add_directive("add_local_role", add_local_role)
    for name, condition in BUILT_IN.items():
        config.add_workflow_condition(name, condition)

    def check_conditions():
        # After every package registered its conditions (order=1: the actions of order 0 ran).
        known = conditions(config.registry)
        unknown = {c for w in loaded.values() for c in w.conditions_used} - set(known)
        if unknown:
            raise ConfigurationError(
                f"Workflows use unknown conditions: {', '.join(sorted(unknown))}")

    config.action(None, check_conditions, order=1)
