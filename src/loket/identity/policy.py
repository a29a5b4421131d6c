"""The security policy: who the request is (a person's session or a machine's bearer token)
and what they may do (ACLs; for machines, scopes)."""

from pyramid.authorization import ACLHelper, Everyone
from pyramid.security import Allowed

from loket.identity.tokens import bearer_principals, csrf_applies
from loket.security import (
    DENY_UNLESS_DECLARED,
    SCOPED_PERMISSIONS,
    MissingScope,
    client_principal,
    principals_for,
    scope_principal,
)

PRINCIPALS = "loket.principals"  # a request's principals, once computed


class LoketSecurityPolicy:
    """Identity from the server-side session, or for the API from a bearer access token;
    authorization from ACLs and, for machines, from scopes.

    A request to the API with ``Authorization: Bearer`` is authenticated by its token alone: an
    invalid token makes it anonymous, even when a session cookie comes along. So a token never
    mixes with a person's session, and CSRF (which guards the cookie) need not apply to it.
    """

    def identity(self, request):
        bearer = request.bearer
        if bearer.present:
            return bearer.client
        return request.user

    def authenticated_userid(self, request):
        bearer = request.bearer
        if bearer.present:
            return client_principal(bearer.client.client_id) if bearer.client else None
        user = request.user
        return user.id if user is not None else None

    def principals(self, request) -> list[str]:
        bearer = request.bearer
        if bearer.present:
            return [Everyone, *bearer_principals(request)]
        # Asked for every permission check of a request (menus ask several): computed once
        # per user (a login or logout view changes request.user halfway).
        user = request.user
        found = request.__dict__.get(PRINCIPALS)
        if found is None or found[0] is not user:
            found = request.__dict__[PRINCIPALS] = (user, self._principals(request, user))
        return found[1]

    def _principals(self, request, user) -> list[str]:
        if user is None:
            return [Everyone]
        session = request.session
        stored = session.principals if session.get("user_id") == user.id else None
        if stored is None:  # the first request of a session, or the roles changed since
            stored = principals_for(user)
            session.keep_principals(stored)
        return [Everyone, *stored]

    def permits(self, request, context, permission):
        principals = self.principals(request)
        scope = SCOPED_PERMISSIONS.get(permission)
        if scope is not None:
            if scope_principal(scope) in principals:
                return Allowed("the token has the scope %s", scope)
            return MissingScope(scope)
        return ACLHelper().permits(context, principals, permission)

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
    # Bearer tokens: request.bearer, the jti deny list, the OAuth answers to refusals.
    config.include("loket.identity.tokens")
    config.set_security_policy(LoketSecurityPolicy())
    config.set_default_permission(DENY_UNLESS_DECLARED)
    # Every unsafe request needs a CSRF token, except one authenticated by a valid bearer token
    # (it carries no ambient credential: see loket.identity.tokens.csrf_applies). This keeps CSRF
    # on for every view, including the callbacks, rather than turning it off view by view.
    config.set_default_csrf_options(require_csrf=True, callback=csrf_applies)
