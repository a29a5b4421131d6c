"""Charging a fee, booking the bank's statements against the claims, reminders.

- :func:`issue`: the handler charges the fee (the step with purpose ``claim.issue``): a claim
  with its structured reference and the payment-request letter, in one transaction.
- :func:`import_statement`: a CODA or camt.053 file; each credit line once (``line_key``),
  matched on its structured reference; a claim covered in full is paid and its dossier moves on
  (``payment.confirm``, as the system).
- :func:`assign`, :func:`resolve`: finance settles what did not match by itself.
- :func:`remind_overdue`: the reminder letter, once, after the due date (a worker job).

Every refusal is a :class:`ClaimRefused` with a message for the user; nothing changed.
"""

import hashlib
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import lazyload, selectinload

from loket import audit
from loket.claims import reference as references
from loket.claims import statements
from loket.claims.models import (
    MATCHED,
    OPEN,
    OVER,
    PAID,
    PARTIAL,
    UNMATCHED,
    BankStatement,
    Claim,
    IncomingPayment,
)
from loket.db import utcnow
from loket.dossiers.events import record_event
from loket.i18n import _, local_now
from loket.letters.services import create_letter
from loket.municipality.models import Municipality
from loket.workflow.engine import Actor, TransitionRefused, perform, refusal, workflow_of

ISSUE, CONFIRM = "claim.issue", "payment.confirm"
REQUEST_KIND, REMINDER_KIND = "payment.request", "payment.reminder"
DEFAULT_TERM_DAYS = 30
MAX_AMOUNT = Decimal("1000000")
CENT = Decimal("0.01")


class ClaimRefused(Exception):
    """Bad input or not possible now: ``message`` is a translation string; nothing changed."""

    def __init__(self, message, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


# -- the claim ------------------------------------------------------------------------------


# Built once; the claims' dossier is the caller's (in the session), not joined again.
_CLAIMS = (select(Claim).where(Claim.dossier_id == bindparam("dossier")).order_by(Claim.id)
           .options(lazyload(Claim.dossier)))


def claims_of(dbsession, dossier) -> list[Claim]:
    return list(dbsession.scalars(_CLAIMS, {"dossier": dossier.id}))


def term_days(dossier) -> int:
    """The days to pay: the type's deadline ``betaling``, else 30."""
    for deadline in dossier.type_version.definition.get("deadlines") or []:
        if deadline.get("code") == "betaling" and isinstance(deadline.get("days"), int):
            return deadline["days"]
    return DEFAULT_TERM_DAYS


def proposed_amount(dbsession, dossier) -> Decimal | None:
    """What the decision granted, else what the type's rule gives for the application."""
    from loket.decisions.services import decisions_of

    granted = [d.amount for d in decisions_of(dbsession, dossier)
               if d.outcome == "approved" and d.amount is not None]
    if granted:
        return granted[-1]
    rule = (dossier.type_version.definition.get("amount") or {}).get("rule") or {}
    try:
        if rule.get("type") == "fixed":
            return Decimal(str(rule["amount"])).quantize(CENT)
        if rule.get("type") == "per_unit":
            amount = Decimal(str(rule["amount"]))
            for name in rule.get("fields") or []:
                amount *= Decimal(str((dossier.data or {})[name]))
            amount = max(amount, Decimal(str(rule.get("minimum") or 0)))
            if rule.get("ceiling") is not None:
                amount = min(amount, Decimal(str(rule["ceiling"])))
            return amount.quantize(CENT)
    except (KeyError, TypeError, InvalidOperation):
        return None
    return None


def parse_amount(value) -> Decimal:
    text = str(value or "").strip().replace("€", "").replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount != amount.quantize(CENT):
        raise ClaimRefused(_("Give the amount in euro, with at most two decimals."))
    if amount <= 0 or amount >= MAX_AMOUNT:
        raise ClaimRefused(_("The amount must be more than zero and less than a million euro."))
    return amount.quantize(CENT)


def parse_due(value, today: date) -> date:
    try:
        due = date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ClaimRefused(_("Give the due date as a date.")) from None
    if due < today or due > today + timedelta(days=366):
        raise ClaimRefused(_("The due date lies between today and a year from now."))
    return due


def municipality_account(dbsession) -> Municipality:
    municipality = dbsession.get(Municipality, 1)
    if municipality is None or not municipality.iban:
        raise ClaimRefused(_("The municipality's IBAN is not set: the functional administrator "
                             "sets it under Beheer, Gemeente."), status=409)
    return municipality


def issue(request, dossier, actor: Actor, *, amount, due, version: int | None) -> Claim:
    """Charge the fee: the ``claim.issue`` step, the claim and its payment-request letter."""
    dbsession = request.dbsession
    transition = workflow_of(dossier).transition_for(ISSUE)
    if transition is None:
        raise ClaimRefused(_("No fee is charged on this type of dossier."))
    parsed_amount = parse_amount(amount)
    parsed_due = parse_due(due, local_now().date())
    municipality_account(dbsession)
    perform(request.registry, dbsession, dossier, transition.name, actor, version)
    actor_id = None if actor.is_system else actor.user.id
    claim = Claim(dossier_id=dossier.id, dossier=dossier, amount=parsed_amount, due=parsed_due,
                  reference="000000000000", status=OPEN, received=Decimal("0.00"),
                  created_by_id=actor_id)
    dbsession.add(claim)
    dbsession.flush()
    claim.reference = references.for_number(claim.id)
    dbsession.flush()
    record_event(dbsession, dossier, "claim.issued", actor_id, claim=claim.id,
                 amount=f"{parsed_amount:.2f}", due=parsed_due.isoformat())
    create_letter(dbsession, dossier, REQUEST_KIND, title="Betalingsverzoek retributie",
                  actor_id=actor_id, claim=claim.id)
    return claim


# -- statements -----------------------------------------------------------------------------


def import_statement(request, data: bytes, filename: str = "") -> BankStatement:
    """Book a statement file; the same file twice is refused, a line booked before (from an
    overlapping file) is skipped."""
    dbsession = request.dbsession
    sha256 = hashlib.sha256(data or b"").hexdigest()
    if dbsession.scalar(select(BankStatement.id).where(BankStatement.sha256 == sha256)):
        raise ClaimRefused(_("This statement file was imported before: nothing was booked "
                             "twice."), status=409)
    try:
        read = statements.read(data)
    except statements.StatementError as error:
        raise ClaimRefused(error.message) from None
    user = getattr(request, "user", None)
    statement = BankStatement(format=read.format, sha256=sha256,
                              identification=read.identification[:100],
                              account=read.account[:34], filename=(filename or "")[:200],
                              imported_by_id=user.id if user else None)
    dbsession.add(statement)
    dbsession.flush()
    keys = [line.key(read.account) for line in read.lines]
    known = set(dbsession.scalars(select(IncomingPayment.line_key).where(
        IncomingPayment.line_key.in_(keys)))) if keys else set()
    booked = []
    for line, key in zip(read.lines, keys, strict=True):
        if key in known:
            statement.skipped += 1
            continue
        known.add(key)
        payment = IncomingPayment(
            statement_id=statement.id, statement=statement, line_key=key,
            bank_reference=line.bank_reference, booked=line.booked, amount=line.amount,
            reference=line.reference, communication=line.communication,
            payer_name=line.payer_name, payer_account=line.payer_account, match=UNMATCHED)
        dbsession.add(payment)
        booked.append(payment)
        statement.lines += 1
    # Another import booking the same lines at the same moment: a unique key at this flush
    # (the conflict view's 409; nothing of this import is kept).
    dbsession.flush()
    for payment in booked:
        claim = _claim_by_reference(dbsession, payment.reference)
        if claim is not None:
            _apply(request.registry, dbsession, payment, claim)
    audit.record(request, "claims.statement_imported", "bank_statement", statement.id,
                 format=statement.format, lines=statement.lines, skipped=statement.skipped)
    return statement


def _claim_by_reference(dbsession, reference: str | None) -> Claim | None:
    if not reference:
        return None
    return dbsession.scalar(select(Claim).where(Claim.reference == reference))


def _apply(registry, dbsession, payment: IncomingPayment, claim: Claim) -> None:
    """Book ``payment`` on ``claim``; a claim covered in full is paid."""
    payment.claim_id, payment.claim = claim.id, claim
    if claim.status != OPEN:
        payment.match = OVER  # paid (or cancelled) before: all of it is too much
        return
    claim.received = (claim.received + payment.amount).quantize(CENT)
    if claim.received < claim.amount:
        payment.match = PARTIAL
    else:
        payment.match = MATCHED if claim.received == claim.amount else OVER
        payment.resolved = payment.match == MATCHED
        _paid(registry, dbsession, claim, payment.booked)
    record_event(dbsession, claim.dossier, "claim.payment", None, claim=claim.id,
                 payment=payment.id, amount=f"{payment.amount:.2f}", match=payment.match)


def _paid(registry, dbsession, claim: Claim, on: date) -> None:
    claim.status, claim.paid_on = PAID, on
    # The part payments that led here need nothing more of finance.
    for earlier in dbsession.scalars(select(IncomingPayment).where(
            IncomingPayment.claim_id == claim.id, IncomingPayment.match == PARTIAL)):
        earlier.resolved = True
    dossier = claim.dossier
    record_event(dbsession, dossier, "claim.paid", None, claim=claim.id)
    transition = workflow_of(dossier).transition_for(CONFIRM)
    if transition is not None and refusal(dossier, transition, Actor.system()) is None:
        perform(registry, dbsession, dossier, transition.name, Actor.system(), None)


def assign(request, payment: IncomingPayment, reference_text: str) -> Claim:
    """Finance books an unmatched payment on the claim of ``reference_text``."""
    if payment.claim_id is not None:
        raise ClaimRefused(_("This payment is booked on a claim already."), status=409)
    reference = references.parse(reference_text)
    if reference is None:
        raise ClaimRefused(_("This is not a valid structured reference."))
    claim = _claim_by_reference(request.dbsession, reference)
    if claim is None:
        raise ClaimRefused(_("No claim has this structured reference."))
    _apply(request.registry, request.dbsession, payment, claim)
    if payment.match == PARTIAL:
        payment.resolved = True  # booked: the claim stays open in the list of open claims
    audit.record(request, "claims.payment_assigned", "incoming_payment", payment.id,
                 claim=claim.id, match=payment.match)
    return claim


def resolve(request, payment: IncomingPayment, note: str) -> None:
    """Finance settled a payment outside Loket (refunded, written off …), and says how."""
    note = (note or "").strip()
    if payment.resolved:
        raise ClaimRefused(_("This payment was settled already."), status=409)
    if not note or len(note) > 1000:
        raise ClaimRefused(_("Say in at most 1000 characters how the payment was settled."))
    payment.resolved, payment.note = True, note
    payment.resolved_by_id, payment.resolved_at = request.user.id, utcnow()
    audit.record(request, "claims.payment_resolved", "incoming_payment", payment.id)


# -- lists ----------------------------------------------------------------------------------

LISTS = ("open", "te-laat", "betalingen")


def open_claims(dbsession, overdue_on: date | None = None, limit: int = 200) -> list[Claim]:
    query = select(Claim).where(Claim.status == OPEN)
    if overdue_on is not None:
        query = query.where(Claim.due < overdue_on)
    return list(dbsession.scalars(query.order_by(Claim.due, Claim.id).limit(limit)))


def payments_to_resolve(dbsession, limit: int = 200) -> list[IncomingPayment]:
    return list(dbsession.scalars(
        select(IncomingPayment).where(IncomingPayment.resolved.is_(False))
        .options(selectinload(IncomingPayment.claim))
        .order_by(IncomingPayment.booked, IncomingPayment.id).limit(limit)))


def counts(dbsession, today: date) -> dict[str, int]:
    """The rows of each list, in one statement (one round trip, not three)."""
    found = dbsession.execute(select(
        select(func.count()).where(Claim.status == OPEN).scalar_subquery(),
        select(func.count()).where(Claim.status == OPEN, Claim.due < today).scalar_subquery(),
        select(func.count()).where(IncomingPayment.resolved.is_(False)).scalar_subquery(),
    )).one()
    return dict(zip(LISTS, found, strict=True))


# -- reminders ------------------------------------------------------------------------------


def remind_overdue(dbsession, today: date) -> int:
    """The reminder letter for each open claim past its due date, once."""
    reminded = 0
    for claim in dbsession.scalars(select(Claim).where(
            Claim.status == OPEN, Claim.due < today, Claim.reminded_on.is_(None))):
        claim.reminded_on = today
        create_letter(dbsession, claim.dossier, REMINDER_KIND, title="Herinnering retributie",
                      claim=claim.id)
        record_event(dbsession, claim.dossier, "claim.reminded", None, claim=claim.id)
        reminded += 1
    return reminded


def refuse_step(request, dossier, comment, version):
    """The ``claim.issue`` step goes through the claim's page (it needs amount and date)."""
    raise TransitionRefused(_("Charge the fee on its page: it asks for the amount and the due "
                              "date."))
