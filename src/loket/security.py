"""Who may do what: permissions, roles, principals and the security policy.

Permissions are granted to principals by ACLs computed on the resources of the traversal tree
(``__acl__``); principals come from the logged-in user's global roles (``role:handler``,
``team:sociale-dienst``) and from local roles (``user:42`` is the applicant on their own dossier).
Everything not granted is denied: every view names a permission and unannotated views fall to
``DENY_UNLESS_DECLARED``, which nobody holds.
"""

from enum import StrEnum

from pyramid.authorization import (
    ALL_PERMISSIONS,
    DENY_ALL,
    ACLHelper,
    Allow,
    Authenticated,
    Everyone,
)
from pyramid.security import NO_PERMISSION_REQUIRED

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
    MEETINGS = "meetings"  # college / council / vast bureau meetings


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


def role_principal(role: Role | str) -> str:
    return f"role:{role}"


def team_principal(team_code: str) -> str:
    return f"team:{team_code}"


def user_principal(user_id: int) -> str:
    return f"user:{user_id}"


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
    return principals


class LoketSecurityPolicy:
    """Identity from the server-side session; authorization from ACLs."""

    def identity(self, request):
        return request.user

    def authenticated_userid(self, request):
        user = request.user
        return user.id if user is not None else None

    def principals(self, request) -> list[str]:
        user = request.user
        return [Everyone, *principals_for(user)] if user is not None else [Everyone]

    def permits(self, request, context, permission):
        return ACLHelper().permits(context, self.principals(request), permission)

    def remember(self, request, userid, **kw):
        # A fresh session id at login defeats session fixation.
        request.session.invalidate()
        request.session["user_id"] = userid
        request.session["auth_time"] = kw.get("auth_time")
        request.session["acr"] = kw.get("acr")
        return []

    def forget(self, request, **kw):
        request.session.invalidate()
        return []


def includeme(config):
    config.set_security_policy(LoketSecurityPolicy())
    config.set_default_permission(DENY_UNLESS_DECLARED)
    config.set_default_csrf_options(require_csrf=True)


__all__ = ["ALL_PERMISSIONS", "PUBLIC", "Permission", "Role", "LoketSecurityPolicy"]
