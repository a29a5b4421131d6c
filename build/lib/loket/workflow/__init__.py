"""The workflow engine: workflows as data, one transition service, history and deadlines."""

from pyramid.exceptions import ConfigurationError

from loket.workflow.conditions import CONDITIONS
from loket.workflow.definition import WorkflowError, workflows
from loket.workflow.presentation import state_title
from loket.workflow.steps import add_step_handler


def includeme(config):
    # Fail at start-up, not at the first dossier, when a workflow file is wrong.
    try:
        loaded = workflows()
    except WorkflowError as error:
        raise ConfigurationError("Invalid workflow: " + "; ".join(error.problems)) from error
    unknown = {c for w in loaded.values() for c in w.conditions_used} - set(CONDITIONS)
    if unknown:
        raise ConfigurationError(f"Workflows use unknown conditions: {', '.join(sorted(unknown))}")
    config.registry["loket.workflows"] = loaded
    config.get_jinja2_environment().globals["state_title"] = state_title
    config.add_directive("add_step_handler", add_step_handler)
    config.scan(".views")
    config.scan(".api")
