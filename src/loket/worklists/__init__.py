"""The handlers' worklists: ``/werkbank`` (and ``/api/v1/werkbank``), full-text search,
assignment, the dossiers' deadlines and the daily reminder.

Interfaces for other packages:

- :func:`loket.worklists.assignment.assign` ``(request, dossiers, handler, expected=None)``;
- :func:`loket.worklists.queries.worklist` / ``worklist_counts`` (lists, filters, keyset);
- ``Dossier.due`` is kept current here (after every transition and by the worker job);
- ``dossier_search`` is kept current by a session event (:mod:`loket.worklists.search`).
"""

from pyramid.settings import asbool

from loket.i18n import _
from loket.security import Permission, Role
from loket.workflow.engine import AfterTransition, AfterTransitions

STATIC_NAME = "werkbank-static"


def includeme(config):
    from loket.worklists import deadlines, queries, registry, search, timeline
    from loket.worklists.presentation import LIST_TITLES

    config.add_openapi_fragment("loket.worklists")
    from loket.worklists import definition

    config.add_definition_section(definition.KEY, definition.validate,
                                  default=definition.default)
    config.add_directive("add_worklist", registry.add_worklist)
    config.add_directive("add_worklist_flag", registry.add_worklist_flag)
    config.add_directive("add_worklist_mine", registry.add_worklist_mine)
    for order, (code, condition) in enumerate([
            (queries.MINE, None), ("team", queries.team), ("vrij", queries.unassigned),
            ("te-laat", queries.overdue), ("deze-week", queries.due_this_week)]):
        config.add_worklist(code, LIST_TITLES[code], condition, order=order * 10)

    search.watch()
    config.add_subscriber(deadlines.after_transition, AfterTransition)
    config.add_subscriber(deadlines.after_transitions, AfterTransitions)
    config.add_worker_job("worklists.deadlines", deadlines.JOB_INTERVAL, deadlines.deadline_job)
    config.add_timeline_source("assignments", timeline.assignment_entries)
    # Cached only where the site is served as in production (like the catalogue's script).
    cache = 3600 if asbool(config.get_settings().get("loket.hsts")) else 0
    config.add_static_view(STATIC_NAME, "loket:worklists/static", cache_max_age=cache)
    config.add_start_page("werkbank", _("Workbench"), Permission.WORK, order=20,
                          roles=(Role.HANDLER,))
    config.scan(".views")
    config.scan(".api")
