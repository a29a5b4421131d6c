"""Who may do what: permissions, roles, principals and the security policy.

Permissions are granted to principals by ACLs computed on the resources of the traversal tree
(``__acl__``); principals come from the logged-in user's global roles (``role:handler``,
``team:sociale-dienst``) and from local roles (``user:42`` is the applicant on their own dossier).
Everything not granted is denied: every view names a permission and unannotated views fall to
``DENY_UNLESS_DECLARED``, which nobody holds.

The security policy that computes a request's principals is :mod:`loket.identity.policy`.

Machines (integrators, the minutes software …) call the API with an ACM/IDM access token
(``Authorization: Bearer``, see :mod:`loket.identity.tokens`), never with a session. Their
principals are ``client:<id>``, ``role:integrator`` and ``scope:<scope>`` per scope of the
token. The permissions of :data:`SCOPED_PERMISSIONS` come from those scopes alone, wherever in
the tree: a scope is the municipality's grant to a system for the whole API (ACM/IDM records
who holds it), where the ACLs describe what people may do with one dossier in its current state.
"""

from enum import StrEnum

from pyramid.authorization import (
    ALL_PERMISSIONS,
    DENY_ALL,
    Allow,
    Authenticated,
)
from pyramid.security import NO_PERMISSION_REQUIRED, Denied

PUBLIC = NO_PERMISSION_REQUIRED
DENY_UNLESS_DECLARED = "__view_without_declared_permission__"


class Permission(StrEnum):
    VIEW = "view"  # read a dossier, a document or their JSON
    EDIT = "edit"  # change a dossier's data
    ADD_DOCUMENT = "add_document"  # upload a document (new or new version) to a dossier
    ACT = "act"  # take a workflow step on a dossier (the engine checks which one)
    APPLY = "apply"  # start an application
    OWN_DOSSIERS = "own_dossiers"  # the citizen's "Mijn dossiers"
    WORK = "work"  # staff start page and worklists
    MANAGE_CATALOGUE = "manage_catalogue"  # dossier types and their versions
    MANAGE_SETTINGS = "manage_settings"  # municipality identity, integrations
    VIEW_AUDIT = "view_audit"  # audit trail and MAGDA log
    SIGN = "sign"  # the signing folder (handtekenmap)
    SEND = "send"  # the register of outgoing mail (verzendregister)
    PAY = "pay"  # payment orders
    ADVISE = "advise"  # answer an advice request addressed to one's team
    MEETINGS = "meetings"  # college / council / vast bureau meetings
    # Machine clients only, from their token's scopes (SCOPED_PERMISSIONS):
    READ_API = "read_api"  # read every dossier's non-personal fields
    CALLBACK_BESLUIT = "callback_besluit"  # report the decision on a dossier (minutes software)
    CALLBACK_ADVIES = "callback_advies"  # answer an advice request (an external service)
    CALLBACK_BETALING = "callback_betaling"  # report a payment order paid (accounting package)


class Role(StrEnum):
    CITIZEN = "citizen"
    HANDLER = "handler"  # always for a team: principal ``team:<code>`` as well
    ADVISER = "adviser"
    SECRETARIAT = "secretariat"
    SIGNATORY = "signatory"  # mayor, alderman, general director
    FINANCE = "finance"
    ADMIN = "admin"  # functional administrator
    INTEGRATOR = "integrator"


STAFF_ROLES = frozenset(Role) - {Role.CITIZEN, Role.INTEGRATOR}

# OAuth2 scopes of Loket's API, as registered with ACM/IDM for each client.
SCOPE_API_READ = "loket.api.read"
SCOPE_CALLBACK_BESLUIT = "loket.callbacks.besluit"
SCOPE_CALLBACK_ADVIES = "loket.callbacks.advies"
SCOPE_CALLBACK_BETALING = "loket.callbacks.betaling"
SCOPED_PERMISSIONS = {
    Permission.READ_API: SCOPE_API_READ,
    Permission.CALLBACK_BESLUIT: SCOPE_CALLBACK_BESLUIT,
    Permission.CALLBACK_ADVIES: SCOPE_CALLBACK_ADVIES,
    Permission.CALLBACK_BETALING: SCOPE_CALLBACK_BETALING,
}


def role_principal(role: Role | str) -> str:
    return f"role:{role}"


def team_principal(team_code: str) -> str:
    return f"team:{team_code}"


def team_role_principal(role: Role | str, team_code: str) -> str:
    """A role held for one team (``team:sociale-dienst:adviser``): ``team:<code>`` alone
    does not tell a team's handlers from its advisers."""
    return f"team:{team_code}:{role}"


def user_principal(user_id: int) -> str:
    return f"user:{user_id}"


def client_principal(client_id: str) -> str:
    return f"client:{client_id}"


def scope_principal(scope: str) -> str:
    return f"scope:{scope}"


# The root ACL: what global roles may do anywhere. Resources below add local grants.
ROOT_ACL = [
    (Allow, role_principal(Role.CITIZEN), (Permission.APPLY, Permission.OWN_DOSSIERS)),
    *[(Allow, role_principal(r), Permission.WORK) for r in sorted(STAFF_ROLES)],
    (Allow, role_principal(Role.ADMIN), (Permission.MANAGE_CATALOGUE, Permission.MANAGE_SETTINGS,
                                         Permission.VIEW_AUDIT)),
    (Allow, role_principal(Role.SECRETARIAT), (Permission.MEETINGS, Permission.SEND)),
    (Allow, role_principal(Role.SIGNATORY), (Permission.SIGN, Permission.MEETINGS)),
    (Allow, role_principal(Role.FINANCE), Permission.PAY),
    DENY_ALL,
]


def principals_for(user) -> list[str]:
    """The principals of a logged-in user: who they are, their roles and their teams."""
    principals = [Authenticated, user_principal(user.id)]
    for assignment in user.roles:
        principals.append(role_principal(assignment.role))
        if assignment.team is not None:
            principals.append(team_principal(assignment.team.code))
            principals.append(team_role_principal(assignment.role, assignment.team.code))
    return principals


def client_principals(client) -> list[str]:
    """The principals of a machine client (a valid access token): who, and its scopes."""
    return [Authenticated, client_principal(client.client_id), role_principal(Role.INTEGRATOR),
            *sorted(scope_principal(scope) for scope in client.scopes)]


class MissingScope(Denied):
    """Denied because the token lacks ``scope`` (the 403 names it in WWW-Authenticate)."""

    def __new__(cls, scope: str):
        inst = super().__new__(cls, "the token lacks the scope %s", scope)
        inst.scope = scope
        return inst


__all__ = ["ALL_PERMISSIONS", "PUBLIC", "Permission", "Role", "SCOPE_API_READ",
           "SCOPE_CALLBACK_ADVIES", "SCOPE_CALLBACK_BESLUIT", "SCOPE_CALLBACK_BETALING",
           "SCOPED_PERMISSIONS"]
