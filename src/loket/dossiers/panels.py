"""What other packages add to a dossier's pages: panels and timeline entries.

The staff page (and the citizen page) show the dossier plus what each package knows of it:
the checks, the advice, the notes … A package registers a panel with
``config.add_dossier_panel(...)`` and timeline entries with
``config.add_timeline_source(...)`` in its ``includeme``; the dossier package need not know
it exists.

A panel: ``compute(request, dossier) -> dict | None`` gives the template's variables (as
``panel``), or None to hide it; ``template`` is a Jinja2 asset spec; ``order`` sorts panels
(lower first); ``audience`` is "staff" or "citizen". A panel that most dossiers do not show
may have a ``probe(request, dossier)``: False hides it without a query, an SQL condition
(``exists()…``, built once, on ``bindparam("dossier")``: the dossier's id) is asked together
with the other panels' in one statement (false hides it), None leaves it to ``compute``.

A timeline source: ``entries(request, dossier) -> list[TimelineEntry]``; the page merges all
sources, newest first.
"""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

PANELS_KEY = "loket.dossiers.panels"
TIMELINE_KEY = "loket.dossiers.timeline_sources"
AUDIENCES = ("staff", "citizen")


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    compute: object
    order: int = 100
    audience: str = "staff"
    probe: object = None


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


def add_dossier_panel(config, name, template, compute, order=100, audience="staff",
                      probe=None):
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}")
    _register(config, PANELS_KEY, "dossier panel", name,
              Panel(name, template, compute, order, audience, probe))


def add_timeline_source(config, name, entries):
    _register(config, TIMELINE_KEY, "timeline source", name, entries)


def panels_for(request, dossier, audience: str) -> list[dict]:
    """The panels of ``audience`` with their computed variables, in order."""
    shown = []
    panels = sorted((p for p in request.registry.get(PANELS_KEY, {}).values()
                     if p.audience == audience), key=lambda p: (p.order, p.name))
    probed = _probed(request, dossier, panels)
    for panel in panels:
        if probed.get(panel.name) is False:
            continue
        variables = panel.compute(request, dossier)
        if variables is not None:
            shown.append({"name": panel.name, "template": panel.template,
                          "panel": PanelVariables(variables)})
    return shown


def _probed(request, dossier, panels) -> dict[str, bool]:
    """Each probing panel's answer; the SQL conditions of all of them in one statement."""
    known, asked = {}, {}
    for panel in panels:
        answer = panel.probe(request, dossier) if panel.probe is not None else None
        if isinstance(answer, bool):
            known[panel.name] = answer
        elif answer is not None:
            asked[panel.name] = answer
    if asked:
        row = request.dbsession.execute(_statement(tuple(asked.values())),
                                        {"dossier": dossier.id}).one()
        known.update((name, bool(value)) for name, value in zip(asked, row, strict=True))
    return known


_STATEMENTS = {}  # the probes' statement per combination of their conditions


def _statement(conditions: tuple):
    """Built once per combination: building one (and its cache key) costs more than asking it.
    Kept by the conditions' ids, and checked to be those very conditions."""
    key = tuple(map(id, conditions))
    known = _STATEMENTS.get(key)
    if known is None or any(a is not b for a, b in zip(known[0], conditions, strict=True)):
        if len(_STATEMENTS) >= 64:  # a probe that builds its condition anew each time
            _STATEMENTS.clear()
        known = _STATEMENTS[key] = (conditions, select(*conditions))
    return known[1]


def timeline_for(request, dossier) -> list[TimelineEntry]:
    entries = []
    for _name, source in sorted(request.registry.get(TIMELINE_KEY, {}).items()):
        entries.extend(source(request, dossier))
    return sorted(entries, key=lambda e: e.occurred, reverse=True)


def includeme(config):
    config.add_directive("add_dossier_panel", add_dossier_panel)
    config.add_directive("add_timeline_source", add_timeline_source)
