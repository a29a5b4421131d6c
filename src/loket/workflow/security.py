"""The ACL of a dossier, computed from its workflow state (DCWorkflow's model).

The state's permission map grants permissions to roles; local roles become the applicant's and
the team's principals. The right to ``act`` (perform a transition) goes to every role that has
a transition out of the current state; the engine checks the exact transition.
"""

from pyramid.authorization import DENY_ALL, Allow

from loket.db import registry_of
from loket.security import Permission
from loket.workflow.definition import SYSTEM
from loket.workflow.engine import role_principals, workflow_of


def dossier_acl(dossier):
    workflow = workflow_of(dossier)
    state = workflow.states[dossier.state]
    registry = registry_of(dossier)  # once, not per role (a list checks every row's ACL)
    acl = []
    for role, permissions in state.permissions.items():
        for principal in role_principals(dossier, role, registry):
            acl.append((Allow, principal, tuple(sorted(permissions))))
    actors = {role for t in workflow.transitions_from(state.name) for role in t.roles} - {SYSTEM}
    for role in sorted(actors):
        for principal in role_principals(dossier, role, registry):
            acl.append((Allow, principal, Permission.ACT))
    acl.append(DENY_ALL)
    return acl
