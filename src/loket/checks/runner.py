"""The automatic MAGDA checks, run by the worker once a dossier is admissible.

1. :func:`on_admissible` (AfterTransition into ``ontvankelijk``): one pending
   :class:`CheckResult` per ``checks[]`` entry of the type, and one outbox message per check
   (kind :data:`KIND`, payload ``{dossier_id, code}``: no personal data), in the transition's
   transaction. Re-entering ``ontvankelijk`` (after a completion) starts the checks afresh.
2. :func:`deliver` (the outbox deliverer) runs one check in its own transaction: consults
   MAGDA as the system, with the configured purpose and the dossier's reference (each question
   in the MAGDA log), and stores the result with its source and date. A source that is down,
   slow or erroring leaves the check *pending* (attempts and a non-personal ``last_error``),
   commits the log rows, and raises :class:`TemporaryFailure`: the outbox retries with backoff.
   A configuration problem (purpose refused, MAGDA not configured) raises
   :class:`PermanentFailure`: the message waits for a person at /beheer/berichten.
3. :func:`advance`: when every check of the dossier is final and it is still ``ontvankelijk``,
   the system performs ``behandeling_starten``.

Settings: ``loket.checks.purpose`` (default ``inkomenscontrole``; must be one of
``loket.integrations.magda.purposes``).
"""

import logging

import transaction
from sqlalchemy import bindparam, select

from loket import audit
from loket.checks.magda_checks import DEFAULT_PURPOSE, Asking, evaluate
from loket.checks.models import FINAL, PASSED, PENDING, CheckResult
from loket.checks.texts import local_date
from loket.db import get_tm_session, utcnow
from loket.dossiers.models import Dossier
from loket.outbox import PermanentFailure, TemporaryFailure, enqueue
from loket.plugins.kinds import InvalidInput, NotConfigured, PurposeRefused, SourceError
from loket.plugins.registry import Kind, implementation, implementations
from loket.workflow.engine import (
    Actor,
    TransitionConflict,
    TransitionRefused,
    perform,
    workflow_of,
)

log = logging.getLogger(__name__)

KIND = "checks.magda"
ADMISSIBLE = "admissible"  # the mark of the state in which the checks run
START_HANDLING = "handling.start"  # the purpose of the step taken once they are final


def checks_of(dossier) -> list[dict]:
    return list(dossier.type_version.definition.get("checks") or [])


_RESULTS = (select(CheckResult).where(CheckResult.dossier_id == bindparam("dossier"))
            .order_by(CheckResult.id))  # built once: every dossier page reads them


def results_of(dbsession, dossier_id: int) -> list[CheckResult]:
    return list(dbsession.scalars(_RESULTS, {"dossier": dossier_id}))


def overall(dossier, results) -> str:
    """``pending`` while a check waits; then ``pass`` or ``fail`` by the type's ``checks_mode``
    (``all``: every check passed; ``any``: at least one)."""
    if not results:
        return PASSED
    if any(r.status not in FINAL for r in results):
        return PENDING
    passed = [r.status == PASSED for r in results]
    mode = dossier.type_version.definition.get("checks_mode") or "all"
    return PASSED if (any(passed) if mode == "any" else all(passed)) else "fail"


# --- 1. scheduling ------------------------------------------------------------------------------

def schedule(dbsession, dossier) -> list[CheckResult]:
    existing = {r.code: r for r in results_of(dbsession, dossier.id)}
    rows = []
    for check in checks_of(dossier):
        row = existing.get(check["code"])
        if row is None:
            row = CheckResult(dossier_id=dossier.id, code=check["code"])
            dbsession.add(row)
        row.check_type, row.status, row.source, row.details = check["type"], PENDING, None, {}
        row.attempts, row.last_error, row.requested, row.checked = 0, None, utcnow(), None
        enqueue(dbsession, KIND, {"dossier_id": dossier.id, "code": check["code"]},
                ordering_key=f"checks:{dossier.id}", dossier_id=dossier.id)
        rows.append(row)
    return rows


def is_admissible(dossier) -> bool:
    return workflow_of(dossier).is_marked(dossier.state, ADMISSIBLE)


def on_admissible(event):
    if is_admissible(event.dossier) and checks_of(event.dossier):
        schedule(event.dbsession, event.dossier)


# --- 2. delivery --------------------------------------------------------------------------------

def _transaction(registry):
    manager = transaction.TransactionManager(explicit=True)
    return manager, lambda: get_tm_session(registry["dbsession_factory"], manager)


def run_check(registry, dossier_id: int, code: str) -> Exception | None:
    """Run one check in its own transaction; the failure to raise once it is committed."""
    manager, session_of = _transaction(registry)
    with manager:
        dbsession = session_of()
        row = dbsession.scalar(select(CheckResult).where(
            CheckResult.dossier_id == dossier_id, CheckResult.code == code))
        if row is None or row.status in FINAL:
            return None  # done already (at-least-once delivery), or the dossier is gone
        dossier = dbsession.get(Dossier, dossier_id)
        check = next((c for c in checks_of(dossier) if c["code"] == code), None)
        if check is None:
            return PermanentFailure(f"check {code!r} is not in the dossier's type")
        row.attempts += 1
        failure = None
        try:
            finding = _evaluate(registry, dbsession, dossier, check)
        except (PurposeRefused, InvalidInput, NotConfigured) as error:
            failure = PermanentFailure(f"check {code}: {error}")
        except SourceError as error:  # down, slow, unreadable, an unknown error code
            failure = TemporaryFailure(f"check {code}: {error}")
        if failure is not None:
            row.last_error = str(failure)[:300]
        else:
            row.status, row.source, row.details = finding.status, finding.source, \
                finding.details
            row.checked, row.last_error = utcnow(), None
            audit.write(dbsession, "check.result", "dossier", dossier.reference, check=code,
                        status=row.status)
    return failure


def _evaluate(registry, dbsession, dossier, check):
    insz = dossier.applicant.rrn
    if not insz:
        raise InvalidInput("the applicant has no national register number")
    purpose = registry.settings.get("loket.checks.purpose") or DEFAULT_PURPOSE
    register = implementations(registry, Kind.PERSON_REGISTER)
    asking = Asking(income=implementation(registry, Kind.INCOME),
                    register=register[0] if register else None,
                    dbsession=dbsession, insz=insz,
                    dossier_reference=dossier.reference, purpose=purpose,
                    submitted_on=local_date(dossier.submitted or dossier.created))
    return evaluate(check, asking)


def advance(registry, dossier_id: int) -> bool:
    """Start the handling when every check is final; True when it did."""
    manager, session_of = _transaction(registry)
    with manager:
        dbsession = session_of()
        dossier = dbsession.get(Dossier, dossier_id)
        if dossier is None or not is_admissible(dossier):
            return False
        results = results_of(dbsession, dossier_id)
        if not results or any(r.status not in FINAL for r in results):
            return False
        step = workflow_of(dossier).transition_for(START_HANDLING)
        if step is None:  # a workflow without it: the handler starts the handling
            return False
        try:
            perform(registry, dbsession, dossier, step.name, Actor.system(), dossier.version)
        except TransitionConflict:
            raise TemporaryFailure("the dossier changed meanwhile; trying again") from None
        except TransitionRefused as refused:
            # E.g. a workflow without this step: the handler starts the handling.
            log.info("checks of %s done; %s not possible: %s", dossier.reference,
                     step.name, refused)
            return False
    return True


def deliver(message, context):
    payload = message.payload
    failure = run_check(context.registry, payload["dossier_id"], payload["code"])
    if failure is not None:
        raise failure
    advance(context.registry, payload["dossier_id"])
