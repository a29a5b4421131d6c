"""Features attach to workflows by marks and purposes, never by state or step names.

A feature declares what it needs of a workflow::

    config.add_workflow_feature("admissibility", marks=("submitted",),
                                purposes=("admissibility.accept", "admissibility.refuse"))

At start-up every workflow is checked: one that carries all of them uses the feature, one that
carries none does not (no panel, no step: :func:`applies` says so), and one that carries only
some is an error naming what is missing.
"""

from pyramid.exceptions import ConfigurationError

from loket.workflow.definition import workflows

REQUIRED_KEY = "loket.workflow.feature_requirements"
APPLIES_KEY = "loket.workflow.features"


def add_workflow_feature(config, name: str, *, marks=(), purposes=()):
    required = (frozenset(marks), frozenset(purposes))

    def register():
        config.registry.setdefault(REQUIRED_KEY, {})[name] = required

    item = config.introspectable("loket workflow features", name, name, "loket workflow feature")
    item["marks"], item["purposes"] = sorted(required[0]), sorted(required[1])
    config.action(("loket.workflow_feature", name), register, introspectables=(item,))


def check_features(registry, loaded=None) -> dict[str, frozenset[str]]:
    """Which workflows use each feature; raise when a workflow carries a feature in part."""
    loaded = loaded if loaded is not None else workflows()
    problems, applies = [], {}
    for name, (marks, purposes) in sorted(registry.get(REQUIRED_KEY, {}).items()):
        using = set()
        for workflow in loaded.values():
            missing = sorted((marks - workflow.marks) | (purposes - workflow.purposes))
            if len(missing) == len(marks) + len(purposes):
                continue  # none of them: the feature is off for this workflow
            if missing:
                problems.append(f"workflow {workflow.name!r} uses {name} but lacks "
                                f"{', '.join(missing)}")
            using.add(workflow.name)
        applies[name] = frozenset(using)
    if problems:
        raise ConfigurationError("Workflows and features disagree: " + "; ".join(problems))
    return applies


def applies(registry, feature: str, workflow) -> bool:
    """Whether ``feature`` is on for ``workflow`` (a :class:`Workflow`)."""
    return workflow.name in registry.get(APPLIES_KEY, {}).get(feature, ())
