"""Automatic checks of a dossier: the admissibility screening at submission
(:mod:`.screening`) and the MAGDA income and social-status checks run by the worker once the
dossier is admissible (:mod:`.runner`, :mod:`.magda_checks`), shown to staff as two panels, a
timeline source and ``GET /api/v1/dossiers/<ref>/controles`` (:mod:`.presentation`,
:mod:`.api`)."""

from loket.checks import definition, presentation, runner, screening
from loket.checks.models import CheckResult
from loket.workflow.engine import AfterTransition


def includeme(config):
    config.add_openapi_fragment("loket.checks")
    config.add_workflow_feature("screening", marks=(screening.SUBMITTED,))
    config.add_definition_section(definition.KEY, definition.validate, default=definition.default,
                                  optional_keys=definition.OPTIONAL_KEYS)
    config.add_workflow_feature("checks", marks=(runner.ADMISSIBLE,))
    config.add_subscriber(screening.on_submitted, AfterTransition)
    config.add_subscriber(runner.on_admissible, AfterTransition)
    config.add_outbox_deliverer(runner.KIND, runner.deliver)
    config.add_dossier_panel("screening", "loket:checks/templates/screening_panel.jinja2",
                             presentation.screening_panel, order=20)
    config.add_dossier_panel("checks", "loket:checks/templates/checks_panel.jinja2",
                             presentation.checks_panel, order=30)
    config.add_timeline_source("checks", presentation.timeline)
    config.add_dossier_rows("checks", CheckResult.dossier_id)
    config.scan("loket.checks.api")
