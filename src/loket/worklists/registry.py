"""The worklists and the flags on their rows, registered by the packages they belong to.

::

    config.add_worklist("advies", _("Waiting for advice"), waiting_for_advice, order=40)
    config.add_worklist_flag("advice_waiting", _("advice waiting"), advice_open)
    config.add_worklist_mine(mentioned_dossier_ids)

A list's ``condition(viewer)`` is its WHERE clause on ``Dossier`` (open dossiers are required on
top of it); a flag's ``clause()`` an EXISTS per row; a "mine" source's ``ids(user_id)`` a SELECT
of dossier ids that are the user's besides the ones assigned to them.

Conditions are built once per process: ``viewer.user_id``, ``viewer.team_ids`` (an ``IN``
list), ``viewer.today`` and ``viewer.week_end`` are bound parameters, filled in for each
request. Use them only inside SQL expressions (``Dossier.due < viewer.today``), never in Python
arithmetic or tests of their value.
"""

from dataclasses import dataclass

LISTS_KEY = "loket.worklists.lists"
FLAGS_KEY = "loket.worklists.flags"
MINE_KEY = "loket.worklists.mine"


@dataclass(frozen=True)
class Worklist:
    code: str
    title: str  # a translation string
    condition: object
    order: int = 100


@dataclass(frozen=True)
class Flag:
    name: str  # also its field in the API's rows
    title: str
    clause: object


def _register(config, key, category, name, value):
    def register():
        config.registry.setdefault(key, {})[name] = value

    item = config.introspectable(f"loket {category}", name, name, f"loket {category}")
    config.action((key, name), register, introspectables=(item,))


def add_worklist(config, code: str, title, condition, order: int = 100):
    _register(config, LISTS_KEY, "worklist", code,
              Worklist(code, title, config.maybe_dotted(condition), order))


def add_worklist_flag(config, name: str, title, clause):
    _register(config, FLAGS_KEY, "worklist flag", name,
              Flag(name, title, config.maybe_dotted(clause)))


def add_worklist_mine(config, name: str, ids):
    _register(config, MINE_KEY, "worklist mine source", name, config.maybe_dotted(ids))


def worklists(registry) -> list[Worklist]:
    return sorted(registry.get(LISTS_KEY, {}).values(), key=lambda w: (w.order, w.code))


def flags(registry) -> list[Flag]:
    return sorted(registry.get(FLAGS_KEY, {}).values(), key=lambda f: f.name)


def mine_sources(registry) -> list:
    return [ids for _name, ids in sorted(registry.get(MINE_KEY, {}).items())]
