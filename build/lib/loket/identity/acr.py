"""Login level: the ACM/IDM authentication means (``acr``) a person logged in with.

A dossier type names the means it accepts (``authentication.minimum_acr``, acr URNs). The
means of a login is recorded in the session at login (the ID token's ``acr``); a citizen's
access token for the API carries its own. When it is not among the accepted ones, the page
sends the person to :func:`step_up_url`: a new login at ACM/IDM that asks for one of them
(``acr_values``); the callback refuses an answer with another means, on a page that names the
means needed (:func:`means_needed`).
"""

from urllib.parse import urlencode

from loket.i18n import _
from loket.web.redirects import safe_local_path

ACR_PREFIX = "urn:be:vlaanderen:authmech:"
# The means a citizen recognises, by their short name in URLs (``middel=eid``).
MEANS = {
    "eid": _("eID with a card reader"),
    "eidashigh": _("a European eID (eIDAS high)"),
    "eidassubstantial": _("a European eID (eIDAS substantial)"),
    "itsme": _("itsme"),
    "csamtotp": _("a security code from an app"),
    "csamsms": _("a security code by text message"),
}
MEANS_PARAM = "middel"  # query parameter of /aanmelden: one per accepted means


def short_name(urn: str) -> str | None:
    """``urn:be:vlaanderen:authmech:itsme`` → ``itsme``; None for a URN we do not know."""
    if isinstance(urn, str) and urn.startswith(ACR_PREFIX) and urn[len(ACR_PREFIX):] in MEANS:
        return urn[len(ACR_PREFIX):]
    return None


def known_urns(values) -> list[str]:
    """The acr URNs of ``values`` (URNs or short names) that we know, in order, once each."""
    urns = []
    for value in values or ():
        urn = value if short_name(value) else ACR_PREFIX + str(value)
        if short_name(urn) and urn not in urns:
            urns.append(urn)
    return urns


def current_acr(request) -> str | None:
    """The means of the caller's login: the citizen's token on the API, else the session."""
    client = request.bearer.client
    if request.bearer.present:
        return getattr(client, "acr", None)
    return request.session.get("acr") if request.user is not None else None


def acr_satisfied(request, accepted: list[str]) -> bool:
    """Whether the caller logged in with one of the ``accepted`` acr URNs (any login when the
    list is empty)."""
    if request.user is None:
        return False
    return not accepted or current_acr(request) in accepted


def step_up_url(request, came_from: str, accepted: list[str]) -> str:
    """The URL that starts a login asking ACM/IDM for one of ``accepted``, then returns to
    ``came_from`` (a local path)."""
    query = [("terug", safe_local_path(came_from))]
    query += [(MEANS_PARAM, short_name(urn)) for urn in known_urns(accepted)]
    return request.resource_path(request.root, "aanmelden") + "?" + urlencode(query)


def means_label(request, urn: str | None) -> str:
    """The means in words, in the request's language."""
    name = short_name(urn) if urn else None
    if name is None:
        return request.localizer.translate(_("an unknown means"))
    return request.localizer.translate(MEANS[name])


def means_needed(request, accepted: list[str]) -> str:
    """``eID with a card reader or itsme``, in the request's language."""
    labels = [means_label(request, urn) for urn in accepted]
    if len(labels) <= 1:
        return "".join(labels)
    last = request.localizer.translate(_("or"))
    return f"{', '.join(labels[:-1])} {last} {labels[-1]}"
