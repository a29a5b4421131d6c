"""After every workflow step: one outbox message per channel the applicant chose.

The words are rendered now, in the applicant's language, so the outbox row holds everything
the deliverer needs. Each channel has its own ordering key: an e-mail server that is down
holds back the next e-mails of that dossier, never its SMS (nor its status in Mijn
Burgerprofiel, which has nothing to do with these rows).
"""

from sqlalchemy import select

from loket.municipality import ROW
from loket.municipality.models import Municipality
from loket.notifications.channels import EMAIL, SMS, available_channels
from loket.notifications.messages import message_context, render_email, render_sms
from loket.notifications.models import NotificationPreference
from loket.outbox import enqueue
from loket.workflow.engine import AfterTransition, AfterTransitions, workflow_of


def ordering_key(dossier_id: int, channel: str) -> str:
    return f"dossier:{dossier_id}:notify:{channel}"


def _municipality_name(dbsession, settings) -> str:
    municipality = dbsession.get(Municipality, ROW)
    if municipality is not None and municipality.name:
        return municipality.name
    return settings.get("loket.municipality.name", "")


def notify_applicant(event: AfterTransition) -> list:
    """Enqueue the notifications of this step; returns the outbox messages."""
    if event.batch is not None:  # one of many: notify_applicants does them all at once
        return []
    return _notify(event, event.dbsession.get(NotificationPreference, event.dossier.applicant_id))


def notify_applicants(batch: AfterTransitions) -> list:
    """Many steps at once: every applicant's preferences in one query."""
    wanted = {event.dossier.applicant_id for event in batch.events}
    found = {p.user_id: p for p in batch.dbsession.scalars(select(NotificationPreference).where(
        NotificationPreference.user_id.in_(wanted)))} if wanted else {}
    return [m for event in batch.events
            for m in _notify(event, found.get(event.dossier.applicant_id))]


def _notify(event: AfterTransition, preference) -> list:
    channels = available_channels(event.registry)
    if not channels or preference is None:
        return []
    dossier = event.dossier
    addresses = {EMAIL: preference.email, SMS: preference.mobile}
    chosen = [c for c in preference.channels if c in channels and addresses[c]]
    if not chosen:
        return []
    settings = event.registry.settings
    language = preference.language
    context = message_context(
        dossier, workflow_of(dossier).states[dossier.state], language,
        municipality=_municipality_name(event.dbsession, settings),
        public_url=settings["loket.public_url"], given_name=dossier.applicant.given_name)
    common = {"language": language, "dossier": dossier.reference, "event": context["event"],
              "transition": event.transition.name}
    messages = []
    if EMAIL in chosen:
        email = render_email(context, language)
        messages.append(enqueue(
            event.dbsession, EMAIL,
            {**common, "to": preference.email, "subject": email.subject, "text": email.text,
             "html": email.html},
            ordering_key=ordering_key(dossier.id, EMAIL), dossier_id=dossier.id))
    if SMS in chosen:
        messages.append(enqueue(
            event.dbsession, SMS,
            {**common, "to": preference.mobile, "text": render_sms(context, language)},
            ordering_key=ordering_key(dossier.id, SMS), dossier_id=dossier.id))
    return messages
