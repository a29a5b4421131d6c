"""Requesting, answering and waiving advice; the rules every channel shares.

Every change is audited with identifiers only (reference, number, channel, team or service
code): the question, the answer and the shared data may be about the applicant. Refusals raise
:class:`AdviceRefused` with a translatable message and an HTTP status; nothing is changed.
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update

from loket.advice.external import external_services, request_id
from loket.advice.mail import advice_email
from loket.advice.models import (
    ANSWERED,
    CONDITIONAL,
    EXTERNAL_API,
    EXTERNAL_EMAIL,
    FAVOURABLE,
    INTERNAL,
    REQUESTED,
    UNFAVOURABLE,
    WAIVED,
    AdviceRequest,
)
from loket.db import utcnow
from loket.dossiers.events import record_event
from loket.i18n import _
from loket.identity.models import Team
from loket.outbox import deliverers, enqueue
from loket.workflow.engine import workflow_of

# The dossier is being handled: advice makes sense (and the guard waits for it later).
# (states marked so in the workflow)
REQUESTABLE = frozenset({"admissible", "in_handling"})


def requestable(dossier) -> bool:
    state = workflow_of(dossier).states[dossier.state]
    return bool(state.marks & REQUESTABLE)


OPINIONS = (FAVOURABLE, UNFAVOURABLE, CONDITIONAL)
NEEDS_TEXT = (UNFAVOURABLE, CONDITIONAL)
EMAIL_KIND = "email"  # the e-mail notification plug-in's deliverer
MAX_QUESTION = 4000
MAX_ANSWER = 8000


class AdviceRefused(Exception):
    """Not possible now; ``message`` is a translation string. Nothing changed."""

    def __init__(self, message, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


@dataclass
class Target:
    """Whom advice is asked of: an internal team, an external API service or an address."""

    channel: str
    team: Team | None = None
    service: str | None = None
    email: str | None = None


@dataclass
class Shared:
    fields: list[str] = field(default_factory=list)
    documents: list[int] = field(default_factory=list)


def setting_days(settings, name: str, default: int) -> int:
    return int(settings.get(f"loket.advice.{name}", default))


def default_due(settings, today: date) -> date:
    return today + timedelta(days=setting_days(settings, "due_days", 14))


def link_expiry(settings, advice: AdviceRequest) -> date:
    """The last day an e-mail link works: the due date plus a grace period."""
    return advice.due + timedelta(days=setting_days(settings, "link_grace_days", 7))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def audit(dbsession, action: str, advice: AdviceRequest, actor_id: int | None, **details):
    record_event(dbsession, advice.dossier, action, actor_id, advice=advice.number,
                 channel=advice.channel, **details)


def where(advice: AdviceRequest) -> dict:
    """Who was asked, by code, for the audit trail."""
    if advice.channel == INTERNAL:
        return {"team": advice.team.code}
    if advice.channel == EXTERNAL_API:
        return {"service": advice.service}
    return {}


# ---------------------------------------------------------------------------------------------
# Requesting


def check_target(registry, dossier, target: Target) -> None:
    if target.channel == INTERNAL:
        if target.team is None:
            raise AdviceRefused(_("Choose the service you ask for advice."))
        if target.team.id == dossier.team_id:
            raise AdviceRefused(_("Ask another service than the one handling the dossier."))
    elif target.channel == EXTERNAL_API:
        if target.service not in external_services(registry):
            raise AdviceRefused(_("This external service is not connected to Loket."))
    elif target.channel == EXTERNAL_EMAIL:
        if not target.email or "@" not in target.email:
            raise AdviceRefused(_("Give the e-mail address of the service you ask for advice."))
        if EMAIL_KIND not in deliverers(registry):
            raise AdviceRefused(_("Loket sends no e-mail in this installation: ask the "
                                  "service in another way."))
    else:
        raise AdviceRefused(_("Choose the service you ask for advice."))


def check_shared(dossier, shared: Shared) -> None:
    fields = set(dossier.data or {})
    documents = {d.number for d in dossier.documents}
    if not set(shared.fields) <= fields or not set(shared.documents) <= documents:
        raise AdviceRefused(_("You can only share fields and documents of this dossier."))


def request_advice(request, dossier, target: Target, question: str, due: date | None,
                   shared: Shared) -> tuple[AdviceRequest, str | None]:
    """Create a request and send it on its channel; ``(advice, e-mail token or None)``."""
    registry, dbsession = request.registry, request.dbsession
    if not requestable(dossier):
        raise AdviceRefused(_("Advice can only be requested while the dossier is admissible "
                              "or being handled."), 409)
    question = (question or "").strip()
    if not question:
        raise AdviceRefused(_("Write the question you ask the service."))
    if len(question) > MAX_QUESTION:
        raise AdviceRefused(_("The question is too long."))
    today = utcnow().date()
    due = due or default_due(registry.settings, today)
    if due <= today:
        raise AdviceRefused(_("The due date must lie in the future."))
    check_target(registry, dossier, target)
    check_shared(dossier, shared)
    number = (dbsession.scalar(select(func.max(AdviceRequest.number))
                               .where(AdviceRequest.dossier_id == dossier.id)) or 0) + 1
    token = secrets.token_urlsafe(32) if target.channel == EXTERNAL_EMAIL else None
    advice = AdviceRequest(
        dossier_id=dossier.id, number=number, channel=target.channel,
        team_id=target.team.id if target.team else None, service=target.service,
        email=target.email, question=question, due=due, status=REQUESTED,
        shared={"fields": sorted(shared.fields), "documents": sorted(shared.documents)},
        token_hash=token_hash(token) if token else None,
        requested_by_id=request.user.id if request.user else None)
    advice.dossier = dossier
    dbsession.add(advice)
    dbsession.flush()
    audit(dbsession, "advice.requested", advice, advice.requested_by_id, due=due.isoformat(),
          fields=len(shared.fields), documents=len(shared.documents), **where(advice))
    send(registry, dbsession, advice, token)
    return advice, token


def send(registry, dbsession, advice: AdviceRequest, token: str | None,
         reminder: bool = False) -> None:
    """The outbox message(s) of a request or its reminder, on the request's channel."""
    ordering_key = f"advice:{advice.dossier_id}:{advice.number}"
    if advice.channel == EXTERNAL_API:
        service = external_services(registry)[advice.service]
        payload = api_payload(registry, advice, reminder)
        enqueue(dbsession, service.outbox_kind, payload, ordering_key=ordering_key,
                dossier_id=advice.dossier_id)
    elif advice.channel == EXTERNAL_EMAIL and EMAIL_KIND in deliverers(registry):
        email = advice_email(registry.settings, advice, token, reminder,
                             link_expiry(registry.settings, advice))
        enqueue(dbsession, EMAIL_KIND, {"to": advice.email, **email, "language": "nl",
                                        "dossier": advice.dossier.reference},
                ordering_key=ordering_key, dossier_id=advice.dossier_id)
    elif advice.channel == INTERNAL and reminder and EMAIL_KIND in deliverers(registry):
        for address in adviser_addresses(dbsession, advice.team_id):
            email = advice_email(registry.settings, advice, None, True, None)
            enqueue(dbsession, EMAIL_KIND, {"to": address, **email, "language": "nl",
                                            "dossier": advice.dossier.reference},
                    ordering_key=f"{ordering_key}:{address}", dossier_id=advice.dossier_id)


def api_payload(registry, advice: AdviceRequest, reminder: bool) -> dict:
    """What the external API receives: the question and only the shared parts."""
    from loket.advice.resources import shared_documents, shared_fields

    base = registry.settings["loket.public_url"].rstrip("/")
    reference = advice.dossier.reference
    identifier = request_id(advice)
    if reminder:
        return {"path": f"/api/v1/adviesvragen/{identifier}/herinnering",
                "json": {"request_id": identifier, "due": advice.due.isoformat()}}
    return {"path": "/api/v1/adviesvragen", "json": {
        "request_id": identifier, "dossier": reference, "question": advice.question,
        "due": advice.due.isoformat(),
        "callback_url": f"{base}/api/v1/dossiers/{reference}/adviezen/{advice.number}/antwoord",
        "fields": shared_fields(advice),
        "documents": [{"number": d.number, "title": d.title, "sha256": d.current.sha256}
                      for d in shared_documents(advice)],
    }}


def adviser_addresses(dbsession, team_id: int) -> list[str]:
    from loket.identity.models import RoleAssignment, User
    from loket.security import Role

    return sorted(set(dbsession.scalars(
        select(User.email).join(RoleAssignment).where(
            RoleAssignment.team_id == team_id, RoleAssignment.role == Role.ADVISER,
            User.email.is_not(None)))))


# ---------------------------------------------------------------------------------------------
# Answering and waiving


def check_answer(opinion: str, text: str) -> str:
    if opinion not in OPINIONS:
        raise AdviceRefused(_("Choose favourable, unfavourable or conditional."))
    text = (text or "").strip()
    if opinion in NEEDS_TEXT and not text:
        raise AdviceRefused(_("Explain an unfavourable or conditional advice."))
    if len(text) > MAX_ANSWER:
        raise AdviceRefused(_("The answer is too long."))
    return text


def closed_message(advice: AdviceRequest):
    if advice.status == ANSWERED:
        return _("This advice request was already answered. Nothing was changed.")
    if advice.status == WAIVED:
        return _("The handler no longer needs this advice. Nothing was changed.")
    return _("This advice request is closed. Nothing was changed.")


def _close(dbsession, advice: AdviceRequest, values: dict) -> None:
    """Close an open request; of two concurrent closings exactly one succeeds."""
    if not advice.is_open:
        raise AdviceRefused(closed_message(advice), 409)
    done = dbsession.execute(
        update(AdviceRequest).where(AdviceRequest.id == advice.id,
                                    AdviceRequest.status == REQUESTED)
        .values(**values).execution_options(synchronize_session=False)).rowcount
    dbsession.refresh(advice)
    if not done:
        raise AdviceRefused(closed_message(advice), 409)


def answer(dbsession, advice: AdviceRequest, opinion: str, text: str, *,
           actor_id: int | None, document_id: int | None = None, external_id: str | None = None,
           via: str) -> AdviceRequest:
    """Record the answer; ``via`` (worklist, link, callback) goes into the audit trail."""
    text = check_answer(opinion, text)
    values = {"status": ANSWERED, "opinion": opinion, "answer": text, "answered": utcnow(),
              "answered_by_id": actor_id, "answer_document_id": document_id,
              "token_hash": None}  # an e-mail link works once
    if external_id:
        values["external_id"] = external_id[:120]
    _close(dbsession, advice, values)
    audit(dbsession, "advice.answered", advice, actor_id, opinion=opinion, via=via,
          document=bool(document_id), **where(advice))
    return advice


def waive(dbsession, advice: AdviceRequest, reason: str, actor_id: int | None) -> AdviceRequest:
    reason = (reason or "").strip()
    if not reason:
        raise AdviceRefused(_("Give the reason why the advice is no longer needed."))
    _close(dbsession, advice, {"status": WAIVED, "waive_reason": reason[:MAX_ANSWER],
                               "waived": utcnow(), "waived_by_id": actor_id,
                               "token_hash": None})
    audit(dbsession, "advice.waived", advice, actor_id, **where(advice))
    return advice


def by_token(dbsession, settings, token: str, today: date) -> AdviceRequest | None:
    """The open request an e-mail link names, while the link is valid; else None."""
    if not token or len(token) > 100:
        return None
    advice = dbsession.scalar(select(AdviceRequest).where(
        AdviceRequest.token_hash == token_hash(token)))
    if advice is None or not advice.is_open or link_expiry(settings, advice) < today:
        return None
    return advice


# ---------------------------------------------------------------------------------------------
# Lists and the reminder


def open_for_teams(dbsession, team_ids: list[int]) -> list[AdviceRequest]:
    """The internal worklist: open requests for these teams, most urgent first."""
    if not team_ids:
        return []
    return list(dbsession.scalars(
        select(AdviceRequest).where(AdviceRequest.channel == INTERNAL,
                                    AdviceRequest.team_id.in_(team_ids),
                                    AdviceRequest.status == REQUESTED)
        .order_by(AdviceRequest.due, AdviceRequest.id)))


def open_count(dbsession, dossier_id: int) -> int:
    return dbsession.scalar(select(func.count()).where(
        AdviceRequest.dossier_id == dossier_id, AdviceRequest.status == REQUESTED))


def remind_due(registry, dbsession, now: datetime) -> int:
    """One reminder per open request whose due date is near or past; returns how many."""
    horizon = now.date() + timedelta(days=setting_days(registry.settings, "reminder_days", 2))
    candidates = list(dbsession.scalars(select(AdviceRequest).where(
        AdviceRequest.status == REQUESTED, AdviceRequest.last_reminder.is_(None),
        AdviceRequest.due <= horizon).order_by(AdviceRequest.id)))
    sent = 0
    for advice in candidates:
        # The guarded UPDATE makes two workers send one reminder, not two.
        claimed = dbsession.execute(
            update(AdviceRequest).where(AdviceRequest.id == advice.id,
                                        AdviceRequest.last_reminder.is_(None),
                                        AdviceRequest.status == REQUESTED)
            .values(last_reminder=now).execution_options(synchronize_session=False)).rowcount
        if not claimed:
            continue
        dbsession.refresh(advice)
        send(registry, dbsession, advice, None, reminder=True)
        audit(dbsession, "advice.reminded", advice, None, due=advice.due.isoformat(),
              **where(advice))
        sent += 1
    return sent
