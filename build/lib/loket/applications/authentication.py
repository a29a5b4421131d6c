"""The login level a dossier type demands (``authentication.minimum_acr``) before applying."""

from pyramid.httpexceptions import HTTPFound

from loket.identity.acr import acr_satisfied, step_up_url


def accepted_means(definition: dict) -> list[str]:
    return list((definition.get("authentication") or {}).get("minimum_acr") or [])


def step_up_response(request, definition: dict, came_from: str):
    """None when the login is good enough for this type, else the redirect to a new login
    with one of the accepted means that returns to ``came_from`` (a local path)."""
    accepted = accepted_means(definition)
    if acr_satisfied(request, accepted):
        return None
    return HTTPFound(location=step_up_url(request, came_from, accepted))
