"""The citizen's e-mail address for notifications: one source of truth, shared by features that
do not know each other.

The notifications feature owns the address (the preference on ``/meldingen``) and registers
how to read and change it with ``config.set_notification_address``; other pages (the
application's e-mail field and summary) ask :func:`notification_address` and
:func:`use_for_notifications`. Without that feature both answer that there is nothing to show.
"""

from collections.abc import Callable
from dataclasses import dataclass

INTROSPECTION_CATEGORY = "loket notification address"
_KEY = "loket.notification_address"


@dataclass(frozen=True)
class NotificationAddress:
    email: str | None  # where notification e-mails go; None when they go nowhere
    offered: bool  # this installation sends notification e-mails at all
    href: str  # the page where the citizen changes it


@dataclass(frozen=True)
class _Provider:
    lookup: Callable  # (request, user) -> NotificationAddress
    adopt: Callable  # (request, user, email) -> None


def set_notification_address(config, lookup: Callable, adopt: Callable):
    introspectable = config.introspectable(INTROSPECTION_CATEGORY, _KEY, _KEY,
                                           INTROSPECTION_CATEGORY)

    def register():
        config.registry[_KEY] = _Provider(lookup, adopt)

    config.action(_KEY, register, introspectables=(introspectable,))


def notification_address(request, user) -> NotificationAddress | None:
    """Where ``user``'s notification e-mails go; None when no feature sends any."""
    provider = request.registry.get(_KEY)
    if provider is None or user is None:
        return None
    address = provider.lookup(request, user)
    return address if address.offered else None


def use_for_notifications(request, user, email: str) -> bool:
    """Send ``user``'s notifications by e-mail to ``email`` from now on; False when no feature
    sends notification e-mails."""
    if notification_address(request, user) is None:
        return False
    request.registry[_KEY].adopt(request, user, email)
    return True


def includeme(config):
    config.add_directive("set_notification_address", set_notification_address)
