"""The dossier's own timeline sources: workflow steps with their comments, documents added,
and what Loket sent out about the dossier (notifications to the citizen, DOSIS pushes) with
their delivery state. Notes, checks, advice and admissibility decisions come from their own
packages. Each source costs one query at most, whatever the number of entries.
"""

from sqlalchemy import bindparam, select

from loket.dossiers.models import DossierEvent
from loket.dossiers.panels import TimelineEntry, has_rows
from loket.dossiers.presentation import document_title
from loket.i18n import _
from loket.identity.models import User
from loket.outbox import models as outbox
from loket.outbox.models import OutboxMessage
from loket.workflow.engine import workflow_of
from loket.workflow.presentation import localized, page_history

SYSTEM_NAME = "Loket"
# Packages name their outbox messages in plain words: config.add_message_title(kind, title,
# purpose=None), ``title(payload)`` a translation string (payload["purpose"] narrows it down).
MESSAGE_TITLES_KEY = "loket.dossiers.message_titles"


def add_message_title(config, kind: str, title, purpose: str | None = None):
    def register():
        config.registry.setdefault(MESSAGE_TITLES_KEY, {})[(kind, purpose)] = title

    name = f"{kind}/{purpose}" if purpose else kind
    item = config.introspectable("loket message titles", name, name, "loket message title")
    config.action((MESSAGE_TITLES_KEY, kind, purpose), register, introspectables=(item,))

# A message's delivery state, as the handler reads it.
DELIVERY_STATES = {
    outbox.PENDING: _("waiting to be sent"),
    outbox.RETRYING: _("failed, will be retried"),
    outbox.DELIVERING: _("being sent"),
    outbox.DELIVERED: _("delivered"),
    outbox.DEAD: _("not delivered"),
    outbox.DISCARDED: _("cancelled"),
}
# Badge colour class per state; the words above carry the meaning.
DELIVERY_BADGES = {
    outbox.DELIVERED: "ok", outbox.DEAD: "error", outbox.DISCARDED: "muted",
    outbox.RETRYING: "warning",
}


def transitions(request, dossier) -> list[TimelineEntry]:
    locale = request.locale_name
    workflow = workflow_of(dossier)
    entries = []
    for entry in page_history(request, dossier):
        transition = workflow.transitions.get(entry.transition)
        state = workflow.states.get(entry.to_state)
        entries.append(TimelineEntry(
            occurred=entry.occurred, kind="transition",
            title=localized(transition.title, locale) if transition else entry.transition,
            detail=entry.comment or "",
            actor=entry.actor.name if entry.actor else SYSTEM_NAME,
            status=localized(state.title, locale) if state else entry.to_state,
        ))
    return entries


def documents(request, dossier) -> list[TimelineEntry]:
    translate = request.localizer.translate
    docs = dossier["documenten"].all()  # the page's own list: no query of its own
    authors = names_of(request, {d.created_by_id for d in docs} - {None})
    return [
        TimelineEntry(
            occurred=document.created, kind="document",
            title=translate(_("Document added: ${title}", mapping={
                "title": document_title(document, request.locale_name)})),
            actor=authors.get(document.created_by_id, ""),
            link=request.resource_path(document),
        )
        for document in docs
    ]


def message_title(request, message) -> str:
    """What a message was, in plain words (never the address it went to)."""
    translate = request.localizer.translate
    payload = message.payload or {}
    titles = request.registry.get(MESSAGE_TITLES_KEY, {})
    title = titles.get((message.kind, payload.get("purpose"))) or titles.get((message.kind, None))
    if title is not None:
        return translate(title(payload))
    return translate(_("Message to an outside system (${kind})", mapping={"kind": message.kind}))


# What the timeline shows of a message, as columns (built once).
_MESSAGES = (select(OutboxMessage.kind, OutboxMessage.payload, OutboxMessage.status,
                    OutboxMessage.attempts, OutboxMessage.created)
             .where(OutboxMessage.dossier_id == bindparam("dossier")).order_by(OutboxMessage.id))


def messages(request, dossier) -> list[TimelineEntry]:
    if not has_rows(request, dossier, "messages"):
        return []
    translate = request.localizer.translate
    rows = request.dbsession.execute(_MESSAGES, {"dossier": dossier.id})
    return [
        TimelineEntry(
            occurred=message.created, kind="message", title=message_title(request, message),
            actor=SYSTEM_NAME, status=translate(DELIVERY_STATES.get(message.status,
                                                                     message.status)),
            extra={"badge": DELIVERY_BADGES.get(message.status, "pending"),
                   "attempts": message.attempts},
        )
        for message in rows
    ]


def names_of(request, user_ids) -> dict[int, str]:
    """Names by user id: the users this request loaded already (the history's actors, the
    applicant, the notes' authors …) from the session, the others in one query."""
    dbsession = request.dbsession
    names, missing = {}, []
    for user_id in user_ids:
        user = dbsession.identity_map.get(dbsession.identity_key(User, user_id))
        if user is not None:
            names[user_id] = user.name
        else:
            missing.append(user_id)
    if missing:
        # Columns, not users: a user would bring their roles along (one more query).
        rows = dbsession.execute(select(User.id, User.given_name, User.family_name)
                                 .where(User.id.in_(missing)))
        names.update((row.id, f"{row.given_name} {row.family_name}".strip()) for row in rows)
    return names


def includeme(config):
    config.add_directive("add_message_title", add_message_title)
    config.add_timeline_source("transitions", transitions)
    config.add_timeline_source("documents", documents)
    config.add_timeline_source("messages", messages)
    config.add_dossier_rows("events", DossierEvent.dossier_id)
    config.add_dossier_rows("messages", OutboxMessage.dossier_id)
