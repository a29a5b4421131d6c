"""What other packages add to a dossier's pages: panels and timeline entries.

The staff page (and the citizen page) show the dossier plus what each package knows of it:
the checks, the advice, the notes … A package registers a panel with
``config.add_dossier_panel(...)`` and timeline entries with
``config.add_timeline_source(...)`` in its ``includeme``; the dossier package need not know
it exists.

A panel: ``compute(request, dossier) -> dict | None`` gives the template's variables (as
``panel``), or None to hide it; ``template`` is a Jinja2 asset spec; ``order`` sorts panels
(lower first); ``audience`` is "staff" or "citizen".

A timeline source: ``entries(request, dossier) -> list[TimelineEntry]``; the page merges all
sources, newest first.

What a package's panel and its timeline source both show (or two packages' panels) is read
once per request: :func:`once`. The workflow history the page read is everyone's:
:func:`loket.workflow.presentation.page_history`. Most dossiers have no rows in most
features' tables (no advice, no letters yet …): a package names its table with
``config.add_dossier_rows(name, column)`` and asks :func:`has_rows` before its query; one
query answers that for every such table.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, exists, or_, select

PANELS_KEY = "loket.dossiers.panels"
TIMELINE_KEY = "loket.dossiers.timeline_sources"
ROW_SOURCES_KEY = "loket.dossiers.row_sources"
PROBE_KEY = "loket.dossiers.rows_probe"
ONCE_KEY = "loket.dossiers.once"
PRESENT = "dossier.rows_present"
AUDIENCES = ("staff", "citizen")


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    compute: object
    order: int = 100
    audience: str = "staff"


@dataclass(frozen=True)
class TimelineEntry:
    occurred: datetime
    kind: str  # transition | note | message | advice | check | notification | document …
    title: str  # already translated
    detail: str = ""  # already translated; plain text
    actor: str = ""  # a name, "Loket" for the system
    status: str = ""  # e.g. a message's delivery state, for a badge
    link: str = ""  # a path on this site, if the entry has its own page
    extra: dict = field(default_factory=dict)


class PanelVariables(dict):
    """A panel's variables as its template reads them: ``panel.items`` or ``panel.values`` is
    the panel's own key of that name, not the dict method Jinja2 would find first."""

    def __getattribute__(self, name):
        if not name.startswith("_") and dict.__contains__(self, name):
            return dict.__getitem__(self, name)
        return super().__getattribute__(name)


def _register(config, key, category, name, value):
    def register():
        config.registry.setdefault(key, {})[name] = value

    item = config.introspectable(f"loket {category}s", name, name, f"loket {category}")
    config.action((key, name), register, introspectables=(item,))


def add_dossier_panel(config, name, template, compute, order=100, audience="staff"):
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}")
    _register(config, PANELS_KEY, "dossier panel", name,
              Panel(name, template, compute, order, audience))


def add_timeline_source(config, name, entries):
    _register(config, TIMELINE_KEY, "timeline source", name, entries)


def add_dossier_rows(config, name, *columns):
    """A table whose rows a panel or timeline source shows, by the columns that may hold the
    dossier's id (``CheckResult.dossier_id``): see :func:`has_rows`."""
    _register(config, ROW_SOURCES_KEY, "dossier rows", name, columns)


def panels_for(request, dossier, audience: str) -> list[dict]:
    """The panels of ``audience`` with their computed variables, in order."""
    shown = []
    panels = sorted(request.registry.get(PANELS_KEY, {}).values(),
                    key=lambda p: (p.order, p.name))
    for panel in panels:
        if panel.audience != audience:
            continue
        variables = panel.compute(request, dossier)
        if variables is not None:
            shown.append({"name": panel.name, "template": panel.template,
                          "panel": PanelVariables(variables)})
    return shown


def timeline_for(request, dossier) -> list[TimelineEntry]:
    entries = []
    for _name, source in sorted(request.registry.get(TIMELINE_KEY, {}).items()):
        entries.extend(source(request, dossier))
    return sorted(entries, key=lambda e: e.occurred, reverse=True)


def once(request, name: str, dossier, read):
    """What ``read()`` gives, read once per request for ``dossier``: a later call with the same
    ``name`` gets the same rows (a panel and its timeline source, or two packages' panels,
    ask the database once)."""
    cache = request.environ.setdefault(ONCE_KEY, {})
    key = (name, dossier.id)
    if key not in cache:
        cache[key] = read()
    return cache[key]


def has_rows(request, dossier, name: str) -> bool:
    """Whether the dossier has rows in the table registered as ``name``: one query per request
    for every registered table (an indexed EXISTS each), so a panel or timeline source skips
    its own query when there is nothing to show."""
    return once(request, PRESENT, dossier, lambda: _present(request, dossier))[name]


def _present(request, dossier) -> dict[str, bool]:
    registry = request.registry
    probe = registry.get(PROBE_KEY)
    if probe is None:  # built once, when every package has registered its table
        dossier_id = bindparam("dossier")
        probe = registry[PROBE_KEY] = select(*(
            exists().where(or_(*(column == dossier_id for column in columns))).label(name)
            for name, columns in sorted(registry.get(ROW_SOURCES_KEY, {}).items())))
    row = request.dbsession.execute(probe, {"dossier": dossier.id}).one()
    return {name: bool(found) for name, found in row._mapping.items()}


def includeme(config):
    config.add_directive("add_dossier_panel", add_dossier_panel)
    config.add_directive("add_timeline_source", add_timeline_source)
    config.add_directive("add_dossier_rows", add_dossier_rows)
