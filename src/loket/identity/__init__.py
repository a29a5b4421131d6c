"""Citizens, staff, teams and roles; server-side sessions; login through ACM/IDM."""

from loket.identity.models import User


def get_user(request) -> User | None:
    bearer = request.bearer
    if bearer.present:  # the token, never a stray cookie, says who it is
        client = bearer.client
        if client is not None and client.acts_for_citizen:  # a citizen through an integrator
            from loket.identity.services import citizen_for_token
            from loket.identity.tokens import bearer_token

            return citizen_for_token(request, client, bearer_token(request))
        return None
    user_id = request.session.get("user_id")
    if user_id is None:
        return None
    return request.dbsession.get(User, user_id)


def get_principals(request) -> list[str]:
    """The security policy's principals of the request (computed once per request)."""
    from pyramid.interfaces import ISecurityPolicy

    return request.registry.getUtility(ISecurityPolicy).principals(request)


def includeme(config):
    config.include(".policy")  # the security policy, bearer tokens, CSRF
    config.include(".sessions")
    config.add_request_method(get_user, "user", reify=True)
    config.add_request_method(get_principals, "principals", property=True)
    config.include(".oidc")
    config.scan(".views")
