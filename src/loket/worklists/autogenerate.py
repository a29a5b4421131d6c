"""Alembic's autogenerate leaves the hand-migrated search objects alone (``make migration``).

Imported by migrations/env.py only: Alembic (10 MB with Mako and Pygments) is not loaded by
the web processes.
"""

from alembic.autogenerate import comparators
from alembic.operations import ops
from alembic.util import DispatchPriority

from loket.worklists.models import PG_SEARCH_INDEX, hand_migrated_table


@comparators.dispatch_for("autogenerate", priority=DispatchPriority.LAST)
def _ignore_hand_migrated(autogen_context, upgrade_ops):
    """Drop the operations that would remove the hand-migrated search objects."""
    kept = []
    for op in upgrade_ops.ops:
        if isinstance(op, ops.DropTableOp) and hand_migrated_table(op.table_name):
            continue
        if isinstance(op, ops.ModifyTableOps):
            op.ops = [o for o in op.ops
                      if not (isinstance(o, ops.DropIndexOp) and o.index_name == PG_SEARCH_INDEX)]
            if not op.ops:
                continue
        kept.append(op)
    upgrade_ops.ops[:] = kept
