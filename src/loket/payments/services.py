"""Staging, approving (four eyes), handing over and settling payment orders.

The handler stages the granted amount with the step of purpose ``payment.prepare``; finance
approves one order or a batch — never their own —, which hands each to the accounting
package through the outbox in the same transaction; the package's report (or finance, for a
package that imports files) settles it: paid takes the step ``payment.confirm`` as the
system, rejected leaves the dossier waiting for a new order. Every change is a domain event
on the dossier; none carries the account number.
"""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import lazyload

from loket.catalogue.definition import top_level_fields
from loket.db import utcnow
from loket.decisions.models import Decision
from loket.dossiers.events import record_event
from loket.i18n import _, local_now
from loket.identity import iban as ibans
from loket.municipality.models import Municipality
from loket.outbox import enqueue
from loket.payments.models import (
    CANCELLED,
    LIVE,
    PAID,
    REJECTED,
    SENT,
    STAGED,
    PaymentOrder,
)
from loket.plugins.kinds import Debtor, InvalidInput, PaymentInstruction
from loket.plugins.registry import Kind, implementations
from loket.workflow.engine import Actor, TransitionRefused, holds_role, perform, workflow_of

PREPARE, CONFIRM = "payment.prepare", "payment.confirm"
SECTION = "payment"  # the dossier type's section: budget_code, due_days
DEFAULT_DUE_DAYS = 30
MAX_AMOUNT = Decimal("1000000")
MAX_BATCH = 500
# Reasons a package gives for a rejected transfer (ISO 20022 ExternalStatusReason1Code).
REASON_CODES = {"AC01": _("Incorrect account number"), "AC04": _("Account closed"),
                "AC06": _("Account blocked"), "BE05": _("Creditor unknown"),
                "MS03": _("Not specified by the bank")}


class PaymentRefused(Exception):
    """Bad input or not possible now: ``message`` is a translation string; nothing changed."""

    def __init__(self, message, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


# -- what the dossier says ----------------------------------------------------------------


def decision_of(dbsession, dossier) -> Decision | None:
    """The dossier's latest approving decision."""
    return dbsession.scalar(select(Decision).where(
        Decision.dossier_id == dossier.id, Decision.outcome == "approved")
        .order_by(Decision.id.desc()).limit(1))


def settings_of(dossier) -> dict:
    section = dossier.type_version.definition.get(SECTION)
    return section if isinstance(section, dict) else {}


@dataclass
class Proposal:
    """What the staging form starts from: the application's account and the decision's
    amount."""

    amount: Decimal | None
    creditor_name: str
    iban: str


def proposal(dbsession, dossier) -> Proposal:
    decision = decision_of(dbsession, dossier)
    data = dossier.data or {}
    fields = top_level_fields(dossier.type_version.definition)
    account = next((data.get(name) for name, f in fields.items()
                    if f.get("type") == "iban" and isinstance(data.get(name), str)), "")
    holder = data.get("rekeninghouder")
    name = holder if isinstance(holder, str) and holder.strip() else dossier.applicant.name
    return Proposal(decision.amount if decision else None, name.strip()[:70], account)


def parse_amount(value) -> Decimal:
    text = str(value or "").strip().replace("€", "").replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        raise PaymentRefused(_("The amount is not a valid amount.")) from None
    if not amount.is_finite():
        raise PaymentRefused(_("The amount is not a valid amount."))
    if amount <= 0:
        raise PaymentRefused(_("The amount must be more than zero."))
    if amount >= MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise PaymentRefused(_("The amount is not a valid amount."))
    return amount.quantize(Decimal("0.01"))


def check_account(iban: str, bic: str = "") -> tuple[str, str | None]:
    """The account in its compact form and the BIC (from the registry, or as given where the
    country needs one); raises :class:`PaymentRefused`."""
    number = ibans.compact(iban)
    if not ibans.is_valid(number):
        raise PaymentRefused(_("This is not a valid IBAN account number (for example "
                               "BE71 0961 2345 6769)."))
    if not ibans.is_sepa(number):
        raise PaymentRefused(_("Loket pays into accounts in the SEPA area only."))
    bic = (bic or "").strip().upper().replace(" ", "") or ibans.bic_of(number)
    if ibans.needs_bic(number) and not bic:
        raise PaymentRefused(_("An account in this country needs the bank's BIC."))
    if bic and not (len(bic) in (8, 11) and bic.isascii() and bic.isalnum()):
        raise PaymentRefused(_("Not a valid BIC."))
    return number, bic or None


def _clean_name(value: str) -> str:
    name = " ".join((value or "").split())
    if not name or len(name) > 70 or not name.isprintable():
        raise PaymentRefused(_("Give the creditor's name (at most 70 characters)."))
    return name


# -- staging ------------------------------------------------------------------------------


def live_order(dbsession, dossier) -> PaymentOrder | None:
    return dbsession.scalar(select(PaymentOrder).where(
        PaymentOrder.dossier_id == dossier.id, PaymentOrder.status.in_(LIVE)))


# Built once; the orders' dossier is the caller's (in the session), not joined again.
_ORDERS = (select(PaymentOrder).where(PaymentOrder.dossier_id == bindparam("dossier"))
           .order_by(PaymentOrder.number).options(lazyload(PaymentOrder.dossier)))


def orders_of(dbsession, dossier) -> list[PaymentOrder]:
    return list(dbsession.scalars(_ORDERS, {"dossier": dossier.id}))


def stage(registry, dbsession, dossier, actor: Actor, *, amount, creditor_name: str,
          iban: str, bic: str = "", version: int | None = None) -> PaymentOrder:
    """Stage the payment of a granted premium. The first order takes the ``payment.prepare``
    step; after a rejected order the dossier waits in that state and a new order is staged
    without a step. Everything or nothing."""
    amount = parse_amount(amount)
    name = _clean_name(creditor_name)
    number, bic = check_account(iban, bic)
    if live_order(dbsession, dossier) is not None:
        raise PaymentRefused(_("This dossier already has a payment order. Nothing was "
                               "changed."), status=409)
    decision = decision_of(dbsession, dossier)
    if decision is None:
        raise PaymentRefused(_("This dossier has no decision that grants an amount."))
    if decision.amount is not None and amount > decision.amount:
        raise PaymentRefused(_("The amount is more than the decision grants (€ ${amount}).",
                               mapping={"amount": f"{decision.amount:.2f}"}))
    budget_code = str(settings_of(dossier).get("budget_code") or "").strip()
    if not budget_code:
        raise PaymentRefused(_("This dossier type has no budget code: the functional "
                               "administrator sets it in the catalogue (payment section)."))
    workflow = workflow_of(dossier)
    step = workflow.transition_for(PREPARE)
    if step is None:
        raise PaymentRefused(_("This dossier's workflow has no such step."))
    waiting = dossier.state == step.target
    if not waiting:
        try:
            perform(registry, dbsession, dossier, step.name, actor, version)
        except TransitionRefused as refusal:
            raise PaymentRefused(refusal.message, refusal.status) from refusal
    elif not holds_role(actor, dossier, step.roles, registry):
        # Waiting after a rejected or sent-back order: whoever may stage, stages again.
        raise PaymentRefused(_("You may not take this step on this dossier."), status=403)
    elif version is not None and version != dossier.version:
        raise PaymentRefused(_("This dossier was changed by someone else in the meantime. "
                               "Reload the page and try again."), status=409)
    sequence = (dbsession.scalar(select(func.max(PaymentOrder.number)).where(
        PaymentOrder.dossier_id == dossier.id)) or 0) + 1
    days = settings_of(dossier).get("due_days") or DEFAULT_DUE_DAYS
    order = PaymentOrder(
        dossier_id=dossier.id, dossier=dossier, number=sequence, decision_id=decision.id,
        end_to_end_id=f"LOKET-{dossier.reference}-{sequence}", amount=amount,
        creditor_name=name, iban=number, bic=bic,
        remittance=f"{dossier.type_version.title('nl')} dossier {dossier.reference}"[:140],
        due_date=local_now().date() + timedelta(days=int(days)), budget_code=budget_code,
        status=STAGED, staged_by_id=actor.user.id if actor.user else None)
    dbsession.add(order)
    # A concurrent staging that won fails this flush on the live-order index: the
    # IntegrityError voids the transaction and the conflict view answers 409.
    dbsession.flush()
    record_event(dbsession, dossier, "payment.staged", order.staged_by_id, order=order.number,
                 amount=f"{amount:.2f}")
    return order


def cancel(dbsession, order: PaymentOrder, actor_id: int | None, reason: str) -> None:
    """Send a staged order back (a wrong account): the dossier keeps waiting for payment."""
    if order.status != STAGED:
        raise PaymentRefused(_("Only an order that was not approved yet can be sent back."),
                             status=409)
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > 500:
        raise PaymentRefused(_("Give a reason for this step."))
    order.status, order.reason = CANCELLED, reason
    dbsession.flush()  # a concurrent change: StaleDataError, 409
    record_event(dbsession, order.dossier, "payment.cancelled", actor_id, order=order.number)


# -- approving ----------------------------------------------------------------------------


def debtor(dbsession) -> Debtor:
    municipality = dbsession.get(Municipality, 1)
    if municipality is None or not municipality.iban:
        raise PaymentRefused(_("The municipality's account is not set (Beheer, municipality)."))
    return Debtor(name=municipality.name[:70], iban=ibans.compact(municipality.iban),
                  bic=municipality.bic or None, kbo=municipality.kbo_municipality)


def instruction(registry, order: PaymentOrder) -> PaymentInstruction:
    base = registry.settings["loket.public_url"].rstrip("/")
    return PaymentInstruction(
        end_to_end_id=order.end_to_end_id, dossier=order.dossier.reference,
        creditor_name=order.creditor_name, iban=order.iban, bic=order.bic, amount=order.amount,
        remittance=order.remittance, due_date=order.due_date, budget_code=order.budget_code,
        callback_url=f"{base}/api/v1/dossiers/{order.dossier.reference}/callbacks/betaling")


def approve(registry, dbsession, orders: list[PaymentOrder], user) -> str:
    """Approve ``orders`` at once and hand them to the accounting package: all or none.
    Returns the batch's id."""
    if not orders:
        raise PaymentRefused(_("Choose at least one payment order."))
    if len(orders) > MAX_BATCH:
        raise PaymentRefused(_("Approve at most ${count} orders at once.",
                               mapping={"count": MAX_BATCH}))
    packages = implementations(registry, Kind.ACCOUNTING)
    if not packages:
        raise PaymentRefused(_("No accounting package is configured (Beheer, integrations)."),
                             status=503)
    for order in orders:
        if order.status != STAGED:
            raise PaymentRefused(_("Order ${order} was already handled. Nothing was approved.",
                                   mapping={"order": order.end_to_end_id}), status=409)
        if order.staged_by_id == user.id:
            raise PaymentRefused(_("Order ${order}: you staged it yourself; someone else of "
                                   "finance approves it (four eyes). Nothing was approved.",
                                   mapping={"order": order.end_to_end_id}), status=403)
    batch = f"LOKET-{local_now():%Y%m%d}-{secrets.token_hex(4).upper()}"
    instructions = [instruction(registry, o) for o in orders]
    payer = debtor(dbsession)
    handed = []  # every package's payloads, made (and checked) before anything changes
    for package in packages:
        try:
            handed.append((package, package.messages(payer, batch, instructions)))
        except InvalidInput as exc:
            raise PaymentRefused(_("The accounting package refuses these orders: ${reason}",
                                   mapping={"reason": str(exc)})) from exc
    now = utcnow()
    for order in orders:
        order.status, order.approved_by_id, order.approved, order.batch = SENT, user.id, now, batch
    dbsession.flush()  # a concurrent change: StaleDataError, 409
    for package, payloads in handed:
        # One message per order (an API) goes with its dossier; one for the batch (a file)
        # with none.
        per_order = len(payloads) == len(orders)
        for position, payload in enumerate(payloads):
            owner = orders[position].dossier_id if per_order else None
            enqueue(dbsession, package.outbox_kind, payload, dossier_id=owner,
                    ordering_key=f"payment:{owner}" if owner else None)
    for order in orders:
        record_event(dbsession, order.dossier, "payment.approved", user.id, order=order.number,
                     batch=batch)
    return batch


# -- settling -----------------------------------------------------------------------------


def order_by_end_to_end(dbsession, dossier, end_to_end_id: str) -> PaymentOrder | None:
    return dbsession.scalar(select(PaymentOrder).where(
        PaymentOrder.dossier_id == dossier.id, PaymentOrder.end_to_end_id == end_to_end_id))


def settle(registry, dbsession, order: PaymentOrder, outcome: str, *, actor: Actor,
           paid_on: date | None = None, reason_code: str | None = None, reason: str = "",
           external_id: str | None = None) -> bool:
    """Record that the order was paid or rejected. The same outcome again changes nothing
    (False); another outcome for a settled order is refused."""
    if outcome not in (PAID, REJECTED):
        raise PaymentRefused(_("Choose paid or rejected."))
    if order.status == outcome:
        return False
    if order.status != SENT:
        raise PaymentRefused(_("This payment order is ${status}: it cannot become ${outcome}. "
                               "Nothing was changed.",
                               mapping={"status": order.status, "outcome": outcome}),
                             status=409)
    if outcome == REJECTED and not (reason_code or reason.strip()):
        raise PaymentRefused(_("Give the reason the payment was rejected."))
    step = workflow_of(order.dossier).transition_for(CONFIRM)
    if outcome == PAID and (step is None or order.dossier.state not in step.sources):
        # Checked before anything changes: a refused step must leave the order as it was.
        raise PaymentRefused(_("The dossier is not waiting for this payment (its state is "
                               "${state}). Nothing was changed.",
                               mapping={"state": order.dossier.state}), status=409)
    today = local_now().date()
    if paid_on is not None and paid_on > today:
        raise PaymentRefused(_("The payment date lies in the future."))
    order.status, order.settled = outcome, utcnow()
    order.paid_on = (paid_on or today) if outcome == PAID else None
    order.reason_code, order.reason = reason_code, reason.strip()[:1000]
    order.external_id = external_id or order.external_id
    dbsession.flush()  # a concurrent change: StaleDataError, 409
    actor_id = None if actor.is_system else actor.user.id
    record_event(dbsession, order.dossier, f"payment.{outcome}", actor_id, order=order.number,
                 **({"reason_code": reason_code} if reason_code else {}))
    if outcome == PAID:
        try:
            perform(registry, dbsession, order.dossier, step.name, Actor.system(), None,
                    comment="")
        except TransitionRefused as refusal:
            raise PaymentRefused(refusal.message, refusal.status) from refusal
    return True
