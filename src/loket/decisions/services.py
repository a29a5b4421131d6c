"""Bodies and their calendars, proposing a dossier to a meeting, and recording outcomes.

Every change of a dossier's state goes through the workflow step of the right purpose:
``decision.agenda`` when a draft is proposed, ``decision.approve``/``decision.refuse`` when a
meeting decides, ``decision.withdraw`` when an item returns to the handler. Recording one
meeting is one transaction: a refused step leaves nothing half recorded.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import lazyload, selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from loket import audit
from loket.db import utcnow
from loket.decisions import drafting
from loket.decisions.models import (
    AGENDA_CLOSED,
    AMENDED,
    APPROVED,
    CANCELLED,
    HELD,
    ITEM_OUTCOMES,
    PLANNED,
    POSTPONED,
    PROPOSED,
    REFUSED,
    WITHDRAWN,
    AgendaItem,
    BodyMember,
    DecidingBody,
    Decision,
    Meeting,
)
from loket.dossiers.models import Dossier
from loket.i18n import LOCAL_TIME, _, local, local_now
from loket.municipality.models import Municipality
from loket.outbox import enqueue
from loket.plugins.registry import Kind, implementations
from loket.workflow.definition import workflows
from loket.workflow.engine import (
    Actor,
    TransitionConflict,
    TransitionRefused,
    perform,
    perform_many,
    refusal,
    workflow_of,
)

AGENDA, APPROVE, REFUSE, WITHDRAW = ("decision.agenda", "decision.approve", "decision.refuse",
                                     "decision.withdraw")
APPROVE_DELEGATED, REFUSE_DELEGATED = "decision.approve_delegated", "decision.refuse_delegated"
OFFICIAL = "official"
# An item's outcome → the purpose of the dossier's step (a postponed item takes none).
PURPOSE_OF = {"approved": APPROVE, "amended": APPROVE, "refused": REFUSE, "withdrawn": WITHDRAW}
HORIZON_WEEKS = 8  # how far ahead the calendar holds meetings
EPOCH = date(2024, 1, 1)  # a Monday

# The bodies a municipality has, with their defaults. The college and the vast bureau meet on
# the municipality's weekday (its settings); the councils monthly-ish.
BODIES = {
    "college": ("College van burgemeester en schepenen", "Board of mayor and aldermen", 1, 2),
    "gemeenteraad": ("Gemeenteraad", "Municipal council", 4, 8),
    "vast_bureau": ("Vast bureau", "Standing committee (vast bureau)", 1, 2),
    "raad_maatschappelijk_welzijn": ("Raad voor maatschappelijk welzijn",
                                     "Council for social welfare", 4, 8),
}


class DecisionRefused(Exception):
    """Bad input or not possible now: ``message`` is a translation string; nothing changed."""

    status = 400

    def __init__(self, message, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


# -- bodies and calendars ---------------------------------------------------------------


def ensure_bodies(dbsession) -> dict[str, DecidingBody]:
    """The four bodies, created with their defaults the first time."""
    found = {b.code: b for b in dbsession.scalars(select(DecidingBody))}
    municipality = dbsession.get(Municipality, 1)
    for code, (name_nl, name_en, interval, closes) in BODIES.items():
        if code in found:
            continue
        body = DecidingBody(code=code, name_nl=name_nl, name_en=name_en, interval_weeks=interval,
                            agenda_closes_days=closes)
        if municipality is not None and code in ("college", "vast_bureau"):
            body.weekday = getattr(municipality, f"{code}_weekday")
            body.meeting_time = getattr(municipality, f"{code}_time")
        dbsession.add(body)
        found[code] = body
    dbsession.flush()
    return found


def add_member(dbsession, body: DecidingBody, name: str, role: str, title: str = "",
               user=None) -> BodyMember:
    member = BodyMember(body=body, name=name, role=role, title=title,
                        user_id=user.id if user is not None else None,
                        position=len(body.members))
    dbsession.add(member)
    return member


def _weekday_and_time(dbsession, body: DecidingBody):
    """The college and the vast bureau follow the municipality's settings."""
    if body.code in ("college", "vast_bureau"):
        municipality = dbsession.get(Municipality, 1)
        if municipality is not None:
            return (getattr(municipality, f"{body.code}_weekday"),
                    getattr(municipality, f"{body.code}_time"))
    return body.weekday, body.meeting_time


def regular_dates(dbsession, body: DecidingBody, today: date, weeks: int = HORIZON_WEEKS):
    """The body's regular meeting moments (Belgian time) from ``today`` on."""
    weekday, at = _weekday_and_time(dbsession, body)
    interval = max(body.interval_weeks, 1)
    first = today + timedelta(days=(weekday - today.weekday()) % 7)
    # Every ``interval`` weeks counted from a fixed Monday, so the dates do not move with today.
    while ((first - EPOCH).days // 7) % interval:
        first += timedelta(weeks=1)
    for week in range(0, weeks, interval):
        day = first + timedelta(weeks=week)
        yield datetime(day.year, day.month, day.day, at.hour, at.minute, tzinfo=LOCAL_TIME)


def ensure_meetings(dbsession, body: DecidingBody, today: date | None = None,
                    weeks: int = HORIZON_WEEKS) -> None:
    """Plan the body's regular meetings for the coming weeks (a cancelled one stays
    cancelled: it exists, so it is not planned again)."""
    today = today or local_now().date()
    existing = set(dbsession.scalars(select(Meeting.starts).where(
        Meeting.body_id == body.id,
        Meeting.starts >= datetime(today.year, today.month, today.day, tzinfo=LOCAL_TIME))))
    existing = {local(m) for m in existing}
    for starts in regular_dates(dbsession, body, today, weeks):
        if starts not in existing:
            dbsession.add(Meeting(body_id=body.id, starts=starts, agenda_closes=starts - timedelta(
                days=body.agenda_closes_days), status=PLANNED))
    dbsession.flush()


def add_meeting(dbsession, body: DecidingBody, starts: datetime) -> Meeting:
    """An extra meeting; one in the past is refused."""
    if starts <= utcnow():
        raise DecisionRefused(_("A meeting cannot be planned in the past."))
    meeting = Meeting(body_id=body.id, starts=starts, status=PLANNED,
                      agenda_closes=starts - timedelta(days=body.agenda_closes_days))
    dbsession.add(meeting)
    dbsession.flush()
    return meeting


def agenda_open(meeting: Meeting, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return meeting.status == PLANNED and meeting.agenda_closes > now


def open_meetings(dbsession, body: DecidingBody, now: datetime | None = None) -> list[Meeting]:
    now = now or utcnow()
    ensure_meetings(dbsession, body, local(now).date())
    return list(dbsession.scalars(
        select(Meeting).where(Meeting.body_id == body.id, Meeting.status == PLANNED,
                              Meeting.agenda_closes > now).order_by(Meeting.starts)))


def next_open_meeting(dbsession, body: DecidingBody, now: datetime | None = None):
    meetings = open_meetings(dbsession, body, now)
    return meetings[0] if meetings else None


def body_code_of(dossier) -> str:
    return ((dossier.type_version.definition.get("decision") or {}).get("body")) or "college"


def body_of(dbsession, dossier) -> DecidingBody | None:
    code = body_code_of(dossier)
    return None if code == OFFICIAL else ensure_bodies(dbsession).get(code)


# -- the draft ------------------------------------------------------------------------------


def facts_of(request, dossier) -> list[dict]:
    """The checks and the advice as the dossier's timeline tells them (their packages
    register timeline sources; this package need not know them)."""
    from loket.dossiers.panels import TIMELINE_KEY

    facts = []
    for name, entries in sorted(request.registry.get(TIMELINE_KEY, {}).items()):
        if name not in ("checks", "advice"):
            continue
        for entry in entries(request, dossier):
            facts.append({"title": entry.title, "detail": entry.detail,
                          "date": local(entry.occurred).date().isoformat(),
                          "source": entry.extra.get("source", "") if entry.extra else ""})
    return facts


def draft_for(request, dossier, template: dict | None = None) -> drafting.Draft:
    """The draft decision for ``dossier`` from its type's template (or ``template``, a
    preview); raises :class:`drafting.DraftError`."""
    body = body_of(request.dbsession, dossier)
    municipality = request.dbsession.get(Municipality, 1)
    definition = dossier.type_version.definition
    amount = drafting.fixed_amount(definition)
    values = drafting.variables(
        dossier, body_name=body.name_nl if body else "algemeen directeur",
        municipality=municipality.name if municipality else "",
        facts=facts_of(request, dossier), amount=amount, today=local_now().date())
    return drafting.render(template or drafting.template_of(definition), values, amount)


def parse_amount(value: str) -> Decimal | None:
    value = (value or "").strip().replace("€", "").replace(" ", "")
    if not value:
        return None
    if "," in value:
        value = value.replace(".", "").replace(",", ".")
    try:
        amount = Decimal(value)
    except ArithmeticError:
        raise DecisionRefused(_("The amount is not a valid amount.")) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        raise DecisionRefused(_("The amount is not a valid amount."))
    return amount.quantize(Decimal("0.01"))


def clean_texts(title: str, motivation: str, articles: list[str]):
    title, motivation = (title or "").strip(), (motivation or "").strip()
    articles = [a.strip() for a in articles if a and a.strip()]
    if not title or len(title) > 300:
        raise DecisionRefused(_("Give the decision a title of at most 300 characters."))
    if not motivation:
        raise DecisionRefused(_("Give the motivation."))
    if not articles:
        raise DecisionRefused(_("Give at least one article."))
    if len(motivation) > 20000 or sum(len(a) for a in articles) > 20000:
        raise DecisionRefused(_("The decision text is too long."))
    return title, motivation, articles


def _step(dossier, purpose: str):
    transition = workflow_of(dossier).transition_for(purpose)
    if transition is None:
        raise DecisionRefused(_("This dossier's workflow has no such step."))
    return transition.name


def propose(request, dossier, actor: Actor, *, version: int | None, meeting_id: int | None,
            title: str, grounds: str, facts: str, motivation: str, articles: list[str],
            amount: str = "") -> AgendaItem:
    """Put the (edited) draft on the agenda of ``meeting_id`` or the body's next open meeting,
    and take the ``decision.agenda`` step. Everything or nothing."""
    dbsession = request.dbsession
    body = body_of(dbsession, dossier)
    if body is None:
        raise DecisionRefused(_("This dossier is decided by an official, not by a meeting."))
    title, motivation, articles = clean_texts(title, motivation, articles)
    parsed_amount = parse_amount(amount)
    if meeting_id is None:
        meeting = next_open_meeting(dbsession, body)
        if meeting is None:
            raise DecisionRefused(_("No meeting of the ${body} has an open agenda.",
                                    mapping={"body": body.name_nl}))
    else:
        meeting = dbsession.get(Meeting, meeting_id)
        if meeting is None or meeting.body_id != body.id:
            raise DecisionRefused(_("Choose a meeting of the ${body}.",
                                    mapping={"body": body.name_nl}))
        if meeting.starts <= utcnow():
            raise DecisionRefused(_("This meeting lies in the past."))
        if not agenda_open(meeting):
            raise DecisionRefused(_("The agenda of this meeting is closed."))
    perform(request.registry, dbsession, dossier, _step(dossier, AGENDA), actor, version,
            comment="")
    item = _add_item(dbsession, meeting, dossier, title=title, grounds=(grounds or "").strip(),
                     facts=(facts or "").strip(), motivation=motivation, articles=articles,
                     amount=parsed_amount,
                     proposed_by_id=None if actor.is_system else actor.user.id)
    audit.write(dbsession, "decision.proposed", "dossier", dossier.reference,
                None if actor.is_system else actor.user.id, meeting=meeting.id, item=item.id)
    push_to_minutes(request.registry, dbsession, item)
    return item


def push_to_minutes(registry, dbsession, item: AgendaItem) -> None:
    """Hand the item to the minutes software, if one is chosen (an outbox message in this
    transaction: nothing is sent when the proposal is undone)."""
    for minutes in implementations(registry, Kind.MINUTES):
        enqueue(dbsession, minutes.outbox_kind, minutes_payload(registry, item),
                ordering_key=f"decision:{item.dossier_id}", dossier_id=item.dossier_id)


def minutes_payload(registry, item: AgendaItem) -> dict:
    """What the minutes software receives: the draft and where to answer. No personal data
    beyond what the draft itself says."""
    base = registry.settings["loket.public_url"].rstrip("/")
    reference, meeting = item.dossier.reference, item.meeting
    return {"path": "/api/v1/agendapunten", "json": {
        "item": item.id, "dossier": reference, "body": meeting.body.code,
        "meeting": {"id": meeting.id, "starts": meeting.starts.isoformat()},
        "title": item.title, "description": "\n\n".join(p for p in (item.grounds, item.facts) if p),
        "motivation": item.motivation, "articles": list(item.articles),
        "amount": str(item.amount) if item.amount is not None else None,
        "callback_url": f"{base}/api/v1/dossiers/{reference}/callbacks/besluit",
    }}


def _last_position(dbsession, meeting: Meeting) -> int:
    return dbsession.scalar(select(AgendaItem.position).where(
        AgendaItem.meeting_id == meeting.id).order_by(AgendaItem.position.desc()).limit(1)) or 0


def _add_item(dbsession, meeting: Meeting, dossier, **values) -> AgendaItem:
    item = AgendaItem(meeting_id=meeting.id, dossier_id=dossier.id, dossier=dossier,
                      position=_last_position(dbsession, meeting) + 1, **values)
    dbsession.add(item)
    dbsession.flush()
    return item


def place_on_agenda(dbsession, meeting: Meeting, dossier, **values) -> AgendaItem:
    """An item as proposing makes it, without the step (demo data, imports)."""
    return _add_item(dbsession, meeting, dossier, **values)


# Built once: every staff dossier page asks both. The item's dossier is the caller's (in the
# session already), not joined again with everything a dossier joins.
_OPEN_ITEM = (select(AgendaItem).where(AgendaItem.dossier_id == bindparam("dossier"),
                                       AgendaItem.status == PROPOSED)
              .options(lazyload(AgendaItem.dossier)))
_DECISIONS = select(Decision).where(Decision.dossier_id == bindparam("dossier")) \
    .order_by(Decision.id)


def open_item_of(dbsession, dossier) -> AgendaItem | None:
    return dbsession.scalar(_OPEN_ITEM, {"dossier": dossier.id})


def decisions_of(dbsession, dossier) -> list[Decision]:
    return list(dbsession.scalars(_DECISIONS, {"dossier": dossier.id}))


# -- the meeting ----------------------------------------------------------------------------


def meeting_with_items(dbsession, meeting_id: int) -> Meeting | None:
    return dbsession.scalar(select(Meeting).where(Meeting.id == meeting_id).options(
        selectinload(Meeting.items)))


def agenda(dbsession, meeting_id: int) -> list[tuple[AgendaItem, str]]:
    """The meeting's items in order, each with its dossier's reference: what the meeting page
    shows of a dossier, without loading the dossiers (and their applicant, team and type)."""
    return list(dbsession.execute(
        select(AgendaItem, Dossier.reference).join(Dossier, Dossier.id == AgendaItem.dossier_id)
        .where(AgendaItem.meeting_id == meeting_id).options(lazyload(AgendaItem.dossier))
        .order_by(AgendaItem.position, AgendaItem.id)).all())


def close_agenda(request, meeting: Meeting, version: int | None) -> None:
    if version is not None and version != meeting.version:
        raise DecisionRefused(_("This meeting was changed by someone else in the meantime. "
                                "Reload the page and try again."), status=409)
    if meeting.status != PLANNED:
        raise DecisionRefused(_("The agenda of this meeting is already closed."))
    meeting.status = AGENDA_CLOSED
    audit.write(request.dbsession, "meeting.agenda_closed", "meeting", str(meeting.id),
                request.user.id if request.user else None)
    request.dbsession.flush()


@dataclass
class ItemOutcome:
    item_id: int
    outcome: str
    text: str = ""  # the amended operative part (one article per line)
    amount: str = ""
    votes_for: str = ""
    votes_against: str = ""
    votes_abstaining: str = ""
    motivation: str = ""  # the motivation as decided, when it differs from the draft's


def _votes(value: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or int(value) > 1000:
        raise DecisionRefused(_("Votes are whole numbers."))
    return int(value)


def record_meeting(request, meeting: Meeting, version: int | None, outcomes: list[ItemOutcome],
                   actor: Actor, *, decided_on: date | None = None) -> list[Decision]:
    """Record the outcome of the meeting's items at once. Everything is checked before
    anything changes, so a refusal leaves the meeting as it was."""
    if version is None or version != meeting.version:
        raise DecisionRefused(_("This meeting was changed by someone else in the meantime. "
                                "Your entries are kept below: check them and save again."),
                              status=409)
    if meeting.status == CANCELLED:
        raise DecisionRefused(_("This meeting was cancelled."))
    if meeting.starts > utcnow():
        raise DecisionRefused(_("This meeting has not started yet."))
    items = {item.id: item for item in meeting.items}
    decided_on = decided_on or local(meeting.starts).date()
    todo = []
    for entry in outcomes:
        item = items.get(entry.item_id)
        if item is None:
            raise DecisionRefused(_("An item is not on this meeting's agenda."), status=409)
        if not entry.outcome:
            continue  # left open: still proposed
        if entry.outcome not in ITEM_OUTCOMES:
            raise DecisionRefused(_("Choose an outcome for every item you record."))
        if not item.open:
            if entry.outcome == item.status:
                continue  # the same outcome again: already recorded
            raise DecisionRefused(_("Item ${position} was already decided.",
                                    mapping={"position": item.position}), status=409)
        check_item(request, item, entry, actor)
        todo.append((item, entry))
    decisions = record_items(request, todo, actor, decided_on)
    touch_meeting(request.dbsession, meeting, decided_on)
    audit.write(request.dbsession, "meeting.recorded", "meeting", str(meeting.id),
                None if actor.is_system else actor.user.id, items=len(todo))
    return decisions


def touch_meeting(dbsession, meeting: Meeting, decided_on: date) -> None:
    """After recording: the meeting is held once no item is open, and its row is saved so its
    version moves on and a parallel recording (screen or callback) conflicts."""
    if all(not i.open for i in meeting.items):
        meeting.status, meeting.held_on = HELD, decided_on
    flag_modified(meeting, "present")
    try:
        dbsession.flush()
    except StaleDataError as exc:
        raise TransitionConflict(_("This meeting was changed by someone else in the meantime. "
                                   "Reload the page and try again.")) from exc


def check_item(request, item: AgendaItem, entry: ItemOutcome, actor: Actor) -> None:
    """Refuse bad input for one item before anything is recorded."""
    for value in (entry.votes_for, entry.votes_against, entry.votes_abstaining):
        _votes(value)
    if entry.outcome == AMENDED:
        text = [line for line in (entry.text or "").splitlines() if line.strip()]
        if not text and parse_amount(entry.amount) is None:
            raise DecisionRefused(_("Item ${position}: an amendment needs a new text or amount.",
                                    mapping={"position": item.position}))
        if sum(len(line) for line in text) > 20000:
            raise DecisionRefused(_("The decision text is too long."))
    if entry.outcome == POSTPONED:
        return
    purpose = {WITHDRAWN: WITHDRAW, REFUSED: REFUSE}.get(entry.outcome, APPROVE)
    transition = workflow_of(item.dossier).transition_for(purpose)
    problem = (_("This dossier's workflow has no such step.") if transition is None
               else refusal(item.dossier, transition, actor, request.registry))
    if problem is not None:
        message = problem if transition is None else problem.message
        raise DecisionRefused(_("Dossier ${reference}: ${reason}", mapping={
            "reference": item.dossier.reference,
            "reason": request.localizer.translate(message)}))


def record_item(request, item: AgendaItem, entry: ItemOutcome, actor: Actor,
                decided_on: date, *, publication_uri: str | None = None) -> Decision | None:
    """One item's outcome, with the effects a callback has too."""
    found = record_items(request, [(item, entry)], actor, decided_on,
                         publication_uri=publication_uri)
    return found[0] if found else None


def record_items(request, todo: list[tuple[AgendaItem, ItemOutcome]], actor: Actor,
                 decided_on: date, *, publication_uri: str | None = None) -> list[Decision]:
    """The outcomes of checked items (:func:`check_item`), all at once: every dossier's step
    in one go (:func:`perform_many`), then the decision records, then the postponed items on
    their following meeting — a fixed number of statements however many items."""
    dbsession = request.dbsession
    steps, decisions, postponed, statuses = [], [], [], []
    for item, entry in todo:
        dossier, outcome = item.dossier, entry.outcome
        if outcome == POSTPONED:
            statuses.append((item, POSTPONED))
            postponed.append(item)
            continue
        if outcome == WITHDRAWN:
            statuses.append((item, WITHDRAWN))
            steps.append((dossier, _step(dossier, WITHDRAW),
                          request.localizer.translate(_("Withdrawn from the meeting's "
                                                        "agenda."))))
            continue
        articles, amount = list(item.articles), item.amount
        if outcome == AMENDED:
            amended_text = [line.strip() for line in (entry.text or "").splitlines()
                            if line.strip()]
            amended_amount = parse_amount(entry.amount)
            if not amended_text and amended_amount is None:
                raise DecisionRefused(_("Item ${position}: an amendment needs a new text or "
                                        "amount.", mapping={"position": item.position}))
            articles = amended_text or articles
            amount = amended_amount if amended_amount is not None else amount
        statuses.append((item, outcome))
        final_outcome = REFUSED if outcome == REFUSED else APPROVED
        motivation = (entry.motivation or "").strip() or item.motivation
        steps.append((dossier, _step(dossier, REFUSE if final_outcome == REFUSED else APPROVE),
                      motivation))
        decisions.append((item, Decision(
            dossier_id=dossier.id, agenda_item_id=item.id, body_code=item.meeting.body.code,
            meeting_id=item.meeting_id, decided_on=decided_on, outcome=final_outcome,
            amended=outcome == AMENDED, title=item.title,
            final_text=final_text(item, articles, motivation), amount=amount,
            votes_for=_votes(entry.votes_for), votes_against=_votes(entry.votes_against),
            votes_abstaining=_votes(entry.votes_abstaining), publication_uri=publication_uri,
            recorded_by_id=None if actor.is_system else actor.user.id)))
    _take_all(request, steps, actor)  # a refusal here has changed nothing yet
    for item, status in statuses:
        item.status = status
    for item, decision in decisions:
        dbsession.add(decision)
        audit.write(dbsession, "decision.recorded", "dossier", item.dossier.reference,
                    decision.recorded_by_id, outcome=decision.outcome,
                    amended=decision.amended, meeting=item.meeting_id, item=item.id)
    if postponed:
        _postpone(request, postponed)
    return [decision for _item, decision in decisions]


def _postpone(request, items: list[AgendaItem]) -> None:
    """Postponed items go to their meeting's following meeting as new items, and to the
    minutes software again."""
    dbsession, following, moved = request.dbsession, {}, []
    for item in items:
        if item.meeting_id not in following:
            meeting = _following_meeting(dbsession, item.meeting)
            following[item.meeting_id] = [meeting, _last_position(dbsession, meeting)]
        place = following[item.meeting_id]
        place[1] += 1
        moved.append(AgendaItem(
            meeting=place[0], dossier_id=item.dossier_id, dossier=item.dossier,
            position=place[1], title=item.title, grounds=item.grounds, facts=item.facts,
            motivation=item.motivation, articles=list(item.articles), amount=item.amount,
            proposed_by_id=item.proposed_by_id, continues_id=item.id))
    dbsession.add_all(moved)
    dbsession.flush()
    for item in moved:
        push_to_minutes(request.registry, dbsession, item)


def final_text(item: AgendaItem, articles: list[str], motivation: str | None = None) -> str:
    parts = [item.title, "", "Motivering", motivation or item.motivation, "", "Besluit"]
    parts += [f"Artikel {n}. {text}" for n, text in enumerate(articles, 1)]
    return "\n".join(parts)


def _following_meeting(dbsession, meeting: Meeting) -> Meeting:
    body = meeting.body
    ensure_meetings(dbsession, body, local(meeting.starts).date() + timedelta(days=1))
    following = dbsession.scalar(select(Meeting).where(
        Meeting.body_id == body.id, Meeting.starts > meeting.starts,
        Meeting.status.in_((PLANNED, AGENDA_CLOSED))).order_by(Meeting.starts).limit(1))
    if following is None:  # pragma: no cover - ensure_meetings plans the coming weeks
        raise DecisionRefused(_("No following meeting is planned."))
    return following


def _take_all(request, steps, actor: Actor) -> None:
    try:
        perform_many(request.registry, request.dbsession, steps, actor)
    except TransitionConflict:
        raise
    except TransitionRefused as refusal:
        raise DecisionRefused(refusal.message) from refusal


def decide_delegated(request, dossier, actor: Actor, *, version: int | None, outcome: str,
                     delegation_reference: str, title: str, motivation: str,
                     articles: list[str], amount: str = "") -> Decision:
    """A delegated official's decision, recorded like a body's with the delegation's
    reference."""
    if outcome not in (APPROVED, REFUSED):
        raise DecisionRefused(_("Choose approve or refuse."))
    delegation_reference = (delegation_reference or "").strip()
    if not delegation_reference or len(delegation_reference) > 120:
        raise DecisionRefused(_("Give the reference of the delegation decision."))
    title, motivation, articles = clean_texts(title, motivation, articles)
    parsed_amount = parse_amount(amount)
    purpose = APPROVE_DELEGATED if outcome == APPROVED else REFUSE_DELEGATED
    perform(request.registry, request.dbsession, dossier, _step(dossier, purpose), actor,
            version, comment=motivation)
    decision = Decision(
        dossier_id=dossier.id, body_code=OFFICIAL, decided_on=local_now().date(),
        outcome=outcome, title=title,
        final_text="\n".join([title, "", "Motivering", motivation, "", "Besluit"]
                             + [f"Artikel {n}. {t}" for n, t in enumerate(articles, 1)]),
        amount=parsed_amount, delegation_reference=delegation_reference,
        recorded_by_id=None if actor.is_system else actor.user.id)
    request.dbsession.add(decision)
    audit.write(request.dbsession, "decision.recorded", "dossier", dossier.reference,
                decision.recorded_by_id, outcome=outcome, delegated=True)
    return decision


def coming_meetings(dbsession, now: datetime | None = None, limit: int = 20) -> list[Meeting]:
    now = now or utcnow()
    for body in ensure_bodies(dbsession).values():
        ensure_meetings(dbsession, body, local(now).date(), weeks=2)
    return list(dbsession.scalars(
        select(Meeting).where(Meeting.starts >= now - timedelta(days=14),
                              Meeting.status != CANCELLED)
        .order_by(Meeting.starts).limit(limit)))


__all__ = ["AMENDED", "APPROVED", "POSTPONED", "REFUSED", "WITHDRAWN"]


# -- the delegate's list ------------------------------------------------------------------


def delegated_proposals(request, actor: Actor) -> list:
    """The dossiers ready for decision that a delegated official decides and ``actor`` may
    decide now, oldest first."""
    ready = {s for w in workflows().values() for s in w.states_marked("ready_for_decision")}
    found = request.dbsession.scalars(select(Dossier).where(Dossier.state.in_(ready))
                                      .order_by(Dossier.submitted, Dossier.id))
    proposals = []
    for dossier in found:
        if body_code_of(dossier) != OFFICIAL:
            continue
        transition = workflow_of(dossier).transition_for(APPROVE_DELEGATED)
        if transition is not None and refusal(dossier, transition, actor,
                                              request.registry) is None:
            proposals.append(dossier)
    return proposals


def decide_many_delegated(request, dossiers: list, actor: Actor, *, outcome: str,
                          delegation_reference: str) -> list[Decision]:
    """The delegate decides several proposals at once, each with its own draft from the
    type's template. Every draft is made and checked before the first decision."""
    if not dossiers:
        raise DecisionRefused(_("Choose at least one dossier."))
    if outcome not in (APPROVED, REFUSED):
        raise DecisionRefused(_("Choose approve or refuse."))
    drafts = []
    for dossier in dossiers:
        try:
            draft = draft_for(request, dossier)
            clean_texts(draft.title, draft.motivation, draft.articles)
        except (drafting.DraftError, DecisionRefused) as error:
            raise DecisionRefused(_("Dossier ${reference}: ${reason}", mapping={
                "reference": dossier.reference,
                "reason": request.localizer.translate(error.message)})) from error
        drafts.append((dossier, draft))
    return [decide_delegated(
        request, dossier, actor, version=None, outcome=outcome,
        delegation_reference=delegation_reference, title=draft.title,
        motivation=draft.motivation, articles=draft.articles,
        amount="" if draft.amount is None else str(draft.amount))
        for dossier, draft in drafts]
