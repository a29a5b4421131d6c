"""Notifications to citizens: their preferences (``/meldingen``) and, after every workflow step,
the e-mail and SMS messages those preferences ask for, enqueued in the outbox.

The channels themselves are notification plug-ins (:mod:`loket.integrations.email`,
:mod:`loket.integrations.sms`): a channel is offered and used only when its plug-in is
configured. Mijn Burgerprofiel and DOSIS get every status regardless; that is the status
publishing plug-in's own subscriber, independent of this one.
"""

from loket.i18n import _
from loket.security import Permission
from loket.workflow.engine import AfterTransition, AfterTransitions


def includeme(config):
    from loket.notifications import address
    from loket.notifications.subscriber import notify_applicant, notify_applicants

    config.add_subscriber(notify_applicant, AfterTransition)
    config.add_subscriber(notify_applicants, AfterTransitions)
    config.add_message_title("email", lambda payload: _(
        "E-mail to the applicant: ${subject}", mapping={"subject": payload.get("subject", "")}))
    config.add_message_title("sms", lambda payload: _("Text message to the applicant"))
    config.add_start_page("meldingen", _("Notifications"), Permission.OWN_DOSSIERS, order=11,
                          landing=False)
    config.set_notification_address(address.lookup, address.adopt)
    config.scan(".views")
