"""The workflow engine: workflows as data, one transition service, history and deadlines."""

from pyramid.exceptions import ConfigurationError

from loket.workflow.conditions import BUILT_IN, add_workflow_condition, conditions
from loket.workflow.definition import WorkflowError, workflows
from loket.workflow.engine import add_local_role
from loket.workflow.features import APPLIES_KEY, add_workflow_feature, check_features
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
    config.add_directive("add_workflow_feature", add_workflow_feature)
    for name, condition in BUILT_IN.items():
        config.add_workflow_condition(name, condition)

    def check_conditions_and_features():
        # After every package registered its conditions and features (order=1: the actions of
        # order 0 ran first).
        config.registry[APPLIES_KEY] = check_features(config.registry, loaded)
        known = conditions(config.registry)
        unknown = {c for w in loaded.values() for c in w.conditions_used} - set(known)
        if unknown:
            raise ConfigurationError(
                f"Workflows use unknown conditions: {', '.join(sorted(unknown))}")

    config.action(None, check_conditions_and_features, order=1)
