"""Citizens, staff, teams and roles; server-side sessions; login through ACM/IDM."""

from loket.identity.models import User


def get_user(request) -> User | None:
    if request.bearer.present:  # a machine: its token, never a stray cookie, says who it is
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
