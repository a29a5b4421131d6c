"""The notification preference as the one source of the citizen's e-mail address
(:mod:`loket.web.contact`): what other pages show and prefill, and how they change it."""

from loket import audit
from loket.notifications.channels import EMAIL, available_channels
from loket.notifications.models import NotificationPreference
from loket.web.contact import NotificationAddress


def lookup(request, user) -> NotificationAddress:
    preference = request.dbsession.get(NotificationPreference, user.id)
    email = preference.email if preference is not None and preference.by_email else None
    return NotificationAddress(email=email or None,
                               offered=EMAIL in available_channels(request.registry),
                               href=request.resource_path(request.root, "meldingen"))


def adopt(request, user, email: str) -> None:
    """E-mail notifications to ``email`` from now on; a chosen SMS stays as it is."""
    preference = request.dbsession.get(NotificationPreference, user.id)
    if preference is None:
        preference = NotificationPreference(user_id=user.id, by_sms=False,
                                            language=request.locale_name)
        request.dbsession.add(preference)
    changed = sorted(f for f, v in (("by_email", True), ("email", email))
                     if getattr(preference, f) != v)
    preference.by_email, preference.email = True, email
    request.dbsession.flush()
    # Which fields changed, never the address itself.
    audit.record(request, "notifications.preferences_changed", "user", user.id,
                 channels=list(preference.channels), language=preference.language,
                 changed=changed)
