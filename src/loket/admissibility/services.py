"""The handler's admissibility decision on a submitted dossier.

One service for the page and the API: :func:`decide` confirms or overrides the automatic
screening (``dossier.screening``) with one of three outcomes — admissible
(``ontvankelijk_verklaren``), not admissible (``onontvankelijk_verklaren``, with a reason from
the type's list and the handler's own words, which the citizen reads) or a request for
completion (:func:`loket.completion.services.request_completion`). Every check runs before
anything changes; a refusal is an :class:`AdmissibilityRefused` with a translatable message.
The audit event names the screening's outcome, the decision and the reason code, never the
handler's text. The workflow's subscribers notify the citizen and DOSIS of each outcome.
"""

import re
from dataclasses import dataclass
from datetime import date

from loket.catalogue.definition import text
from loket.dossiers.events import happened
from loket.i18n import _
from loket.workflow.engine import (
    TransitionForbidden,
    TransitionRefused,
    holds_role,
    perform,
    workflow_of,
)
from loket.workflow.features import applies
from loket.workflow.presentation import actor_for

FEATURE = "admissibility"
ADMISSIBLE, NOT_ADMISSIBLE, COMPLETION = "admissible", "not_admissible", "completion"
DECISIONS = (ADMISSIBLE, NOT_ADMISSIBLE, COMPLETION)
# The workflow steps this feature takes (a workflow without them has no admissibility decision).
PURPOSES = {ADMISSIBLE: "admissibility.accept", NOT_ADMISSIBLE: "admissibility.refuse"}
# What the screening's outcome says the decision should be.
SCREENING_SUGGESTS = {"pass": ADMISSIBLE, "fail": NOT_ADMISSIBLE}
OTHER_REASON = "andere"
OTHER_REASON_TEXT = {"nl": "Andere reden", "en": "Other reason"}
MAX_TEXT = 4000
AUDIT_ACTION = "admissibility.decided"
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")


class AdmissibilityRefused(TransitionRefused):
    """The decision cannot be taken as given; nothing changed."""


@dataclass(frozen=True)
class Reason:
    code: str
    text: dict  # {nl, en}


def reasons(dossier) -> list[Reason]:
    """The reasons a handler may give: the fail text of each of the type's admissibility rules
    (as the screening filled it in for this dossier, when it failed), then "other reason"."""
    screened = {r.get("code"): r for r in (dossier.screening or {}).get("results") or []}
    found = []
    for rule in (dossier.type_version.definition or {}).get("admissibility") or []:
        result = screened.get(rule.get("code"))
        if result and result.get("outcome") == "fail" and result.get("text"):
            texts = result["text"]
        else:
            fail = (rule.get("text") or {}).get("fail") or {}
            texts = {lang: _PLACEHOLDER.sub("…", value) for lang, value in fail.items()}
        found.append(Reason(rule["code"], texts))
    return [*found, Reason(OTHER_REASON, OTHER_REASON_TEXT)]


def awaits_decision(registry, dossier) -> bool:
    """Whether the dossier's workflow decides admissibility and it is in the state to."""
    workflow = workflow_of(dossier)
    if not applies(registry, FEATURE, workflow):
        return False
    return dossier.state in workflow.transition_for(PURPOSES[ADMISSIBLE]).sources


def steps(dossier) -> tuple[str, ...]:
    """The workflow steps the admissibility form replaces on the dossier page."""
    workflow = workflow_of(dossier)
    purposes = (*PURPOSES.values(), "completion.request")
    return tuple(t.name for p in purposes if (t := workflow.transition_for(p)) is not None)


def may_decide(request, dossier) -> bool:
    """Whether the logged-in user handles this dossier's team and it awaits the decision."""
    return (awaits_decision(request.registry, dossier)
            and holds_role(actor_for(request), dossier, ["handler"]))


def screening_outcome(dossier) -> str | None:
    return (dossier.screening or {}).get("outcome")


def confirms_screening(dossier, decision: str) -> bool | None:
    """True: the decision follows the screening; False: it overrides it; None: the screening
    suggested nothing (none ran, or it could not check everything) or completion was asked."""
    suggested = SCREENING_SUGGESTS.get(screening_outcome(dossier))
    if suggested is None or decision == COMPLETION:
        return None
    return decision == suggested


def decide(request, dossier, decision: str, *, reason_code: str = "", text_: str = "",
           document_codes=(), due: date | None = None, expected_version: int | None = None):
    """Take the admissibility decision, or raise :class:`AdmissibilityRefused`."""
    from loket.completion.services import request_completion  # its own feature

    if not may_decide(request, dossier):
        if not applies(request.registry, FEATURE, workflow_of(dossier)):
            raise AdmissibilityRefused(_("This type of dossier has no admissibility decision."))
        if not awaits_decision(request.registry, dossier):
            raise AdmissibilityRefused(_("Admissibility is decided on a submitted dossier only."))
        raise TransitionForbidden(_("Only a case handler of the dossier's team decides on "
                                    "admissibility."))
    if decision not in DECISIONS:
        raise AdmissibilityRefused(_("Choose admissible, not admissible or a request for "
                                     "completion."))
    words = (text_ or "").strip()
    if len(words) > MAX_TEXT:
        raise AdmissibilityRefused(_("The text is too long: at most ${max} characters.",
                                     mapping={"max": MAX_TEXT}))
    if expected_version is None:
        raise AdmissibilityRefused(_("The form is incomplete. Reload the page and try again."))
    reason_code = (reason_code or "").strip() if decision == NOT_ADMISSIBLE else ""
    if decision == NOT_ADMISSIBLE:
        comment = _refusal_comment(dossier, reason_code, words)
    if decision == COMPLETION:
        request_completion(request, dossier, words, list(document_codes or ()), due,
                           expected_version)
    else:
        transition = workflow_of(dossier).transition_for(PURPOSES[decision])
        perform(request.registry, request.dbsession, dossier, transition.name,
                actor_for(request), expected_version,
                comment if decision == NOT_ADMISSIBLE else words)
    happened(request, dossier, AUDIT_ACTION, decision=decision,
             screening=screening_outcome(dossier),
             confirms_screening=confirms_screening(dossier, decision),
             reason_code=reason_code or None)


def _refusal_comment(dossier, reason_code: str, words: str) -> str:
    """What the citizen reads: the chosen reason, then the handler's explanation."""
    if not reason_code:
        raise AdmissibilityRefused(_("Choose the reason why the dossier is not admissible."))
    known = {r.code: r for r in reasons(dossier)}
    if reason_code not in known:
        raise AdmissibilityRefused(_("Unknown reason: choose one of the list."))
    if not words:
        raise AdmissibilityRefused(_("Explain to the applicant why the dossier is not "
                                     "admissible."))
    if reason_code == OTHER_REASON:
        return words
    return f"{text(known[reason_code].text, 'nl')}\n\n{words}"
