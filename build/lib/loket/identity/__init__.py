"""Citizens, staff, teams and roles; server-side sessions; login through ACM/IDM."""

from loket.identity.models import User


def get_user(request) -> User | None:
    bearer = request.bearer
    if bearer.present:  # the token, never a stray cookie, says who it is
        client = bearer.client
        if client is not None and client.acts_for_citizen:  # a citizen through an integrator
            from loket.api.tokens import bearer_token
            from loket.identity.services import citizen_for_token

            return citizen_for_token(request, client, bearer_token(request))
        return None
    user_id = request.session.get("user_id")
    if user_id is None:
        return None
    return request.dbsession.get(User, user_id)


def includeme(config):
    config.include(".sessions")
    config.add_request_method(get_user, "user", reify=True)
    config.include(".oidc")
    config.scan(".views")
