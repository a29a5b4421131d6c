"""Taking, assigning and reassigning dossiers: alone or in bulk, all or nothing.

Only a handler of a dossier's team may assign it, and only to a handler of that same team
(or to nobody: back to the team's unassigned list). Each change is audited
(``dossier.assign``: previous and new handler ids) and shows in the dossier's timeline.
No lost update: the caller passes the version each dossier had when the user saw it; a
dossier changed since is refused, and so is one a concurrent request changes first (the
version counter of the UPDATE).
"""

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from loket.audit import record
from loket.dossiers.queries import handler_team_ids
from loket.i18n import _
from loket.identity.models import RoleAssignment
from loket.security import Role

ACTION = "dossier.assign"


class AssignmentRefused(Exception):
    """Nothing was assigned; ``message`` (a translation string) says why, ``reference`` which
    dossier (None when it concerns the whole request)."""

    def __init__(self, message, reference=None, status=400):
        super().__init__(str(message))
        self.message = message
        self.reference = reference
        self.status = status


def handlers_of_team(dbsession, team_id: int) -> set[int]:
    return set(dbsession.scalars(select(RoleAssignment.user_id).where(
        RoleAssignment.role == Role.HANDLER, RoleAssignment.team_id == team_id)))


def assign(request, dossiers, handler, expected: dict | None = None) -> int:
    """Give ``dossiers`` to ``handler`` (a User, or None to unassign); the number changed.

    ``expected`` maps references to the version the user saw. Raises
    :class:`AssignmentRefused` and changes nothing when any dossier may not be assigned.
    """
    if not dossiers:
        raise AssignmentRefused(_("Choose at least one dossier."))
    mine = set(handler_team_ids(request.user))
    expected = expected or {}
    team_handlers = {}
    for dossier in dossiers:
        if dossier.team_id not in mine:
            # Not the user's team: as if it did not exist (never tell whether it does).
            raise AssignmentRefused(_("Dossier ${reference} is not one of your team's dossiers.",
                                      mapping={"reference": dossier.reference}),
                                    dossier.reference, status=404)
        version = expected.get(dossier.reference)
        if version is not None and version != dossier.version:
            raise AssignmentRefused(
                _("Dossier ${reference} was changed by someone else in the meantime. Reload "
                  "the page and try again.", mapping={"reference": dossier.reference}),
                dossier.reference, status=409)
        if handler is not None:
            if dossier.team_id not in team_handlers:
                team_handlers[dossier.team_id] = handlers_of_team(request.dbsession,
                                                                  dossier.team_id)
            if handler.id not in team_handlers[dossier.team_id]:
                raise AssignmentRefused(
                    _("${name} does not handle dossiers for the team of dossier ${reference}.",
                      mapping={"name": handler.name, "reference": dossier.reference}),
                    dossier.reference)
    changed = 0
    new_id = handler.id if handler is not None else None
    for dossier in dossiers:
        if dossier.handler_id == new_id:
            continue
        record(request, ACTION, "dossier", dossier.reference,
               previous=dossier.handler_id, handler=new_id)
        dossier.handler_id = new_id
        changed += 1
    try:
        request.dbsession.flush()
    except StaleDataError as exc:
        raise AssignmentRefused(_("A dossier was changed by someone else in the meantime. "
                                  "Reload the page and try again."), status=409) from exc
    return changed
