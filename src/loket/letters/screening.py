"""Screening for signatures: does a letter need signing, and by whom, in which order.

The rule per letter kind comes from the dossier type's definition (``letters.signatures``,
edited by the functional administrator with the type's version), else from
:data:`DEFAULT_RULES`:

- ``none``: nobody signs (receipts, requests for completion …): the letter goes straight to
  sending;
- ``decision``: who took the decision signs — a body's chair then its secretary (the college:
  the mayor then the general director), a delegated decision the delegate;
- ``body``: the chair then the secretary of the type's deciding body, whatever the letter.

The handler may override the outcome with a reason (:func:`override`); the override is kept
on the letter and audited, and screening honours it.
"""

from dataclasses import dataclass

from sqlalchemy import select

from loket.decisions.models import CHAIR, SECRETARY, BodyMember, DecidingBody
from loket.decisions.services import OFFICIAL, body_code_of
from loket.i18n import _
from loket.identity.models import User
from loket.letters import wording
from loket.letters.context import MissingData, decision_of
from loket.letters.models import WAITING, LetterSignatory

NONE, DECISION, BODY = wording.SIGNING_RULES
DEFAULT_RULES = {"decision.granted": DECISION, "decision.refused": DECISION}
FUNCTIONS = {CHAIR: {"nl": "voorzitter", "en": "chair"},
             SECRETARY: {"nl": "secretaris", "en": "secretary"}}
# The functions on the college and the vast bureau (decree on local government).
BODY_FUNCTIONS = {("college", CHAIR): "burgemeester", ("college", SECRETARY): "algemeen directeur",
                  ("vast_bureau", CHAIR): "voorzitter van het vast bureau",
                  ("vast_bureau", SECRETARY): "algemeen directeur"}
DELEGATE_FUNCTION = "gemachtigd ambtenaar"


class ScreeningFailed(MissingData):
    """Nobody can be found to sign (a body without a chair who has a login …)."""


@dataclass(frozen=True)
class Signer:
    user_id: int
    name: str
    function: str


@dataclass(frozen=True)
class Outcome:
    needs_signature: bool
    signers: tuple[Signer, ...]
    rule: str
    # What the panel shows: a translation string; ``reason_text`` is its Dutch record.
    reason: object
    overridden: bool = False


def kind_needs(kind: str) -> bool:
    """Whether the kind is signed unless the type says otherwise."""
    return DEFAULT_RULES.get(kind, NONE) != NONE


def rule_for(definition: dict, kind: str) -> str:
    """The version's own rule for ``kind``; else the default, where the decision section's
    ``signature_required: false`` means decision letters go out unsigned."""
    own = ((definition.get(wording.KEY) or {}).get("signatures") or {}).get(kind)
    if own in wording.SIGNING_RULES:
        return own
    rule = DEFAULT_RULES.get(kind, NONE)
    if rule == DECISION and (definition.get("decision") or {}).get("signature_required") \
            is False:
        return NONE
    return rule


def _body_signers(dbsession, code: str) -> tuple[Signer, ...]:
    body = dbsession.scalar(select(DecidingBody).where(DecidingBody.code == code))
    if body is None:
        raise ScreeningFailed(_("The deciding body ${body} does not exist.",
                                mapping={"body": code}))
    signers = []
    for role in (CHAIR, SECRETARY):
        member = next((m for m in body.members if m.role == role and m.user_id), None)
        if member is None:
            raise ScreeningFailed(_("The ${body} has no ${role} with a login to sign.", mapping={
                "body": body.name_nl, "role": FUNCTIONS[role]["nl"]}))
        signers.append(_member_signer(code, member))
    return tuple(signers)


def _member_signer(code: str, member: BodyMember) -> Signer:
    function = member.title or BODY_FUNCTIONS.get((code, member.role)) \
        or FUNCTIONS[member.role]["nl"]
    return Signer(member.user_id, member.name, function)


def _delegate(dbsession, decision) -> tuple[Signer, ...]:
    user = dbsession.get(User, decision.recorded_by_id) if decision.recorded_by_id else None
    if user is None:
        raise ScreeningFailed(_("The delegated decision names no official to sign it."))
    return (Signer(user.id, user.name, DELEGATE_FUNCTION),)


def signers_for(dbsession, letter, rule: str) -> tuple[tuple[Signer, ...], object]:
    """Who signs under ``rule``, and why (a translation string)."""
    if rule == DECISION:
        decision = decision_of(dbsession, letter)
        if decision.body_code == OFFICIAL:
            return _delegate(dbsession, decision), _(
                "A delegated decision: the delegate signs.")
        return _body_signers(dbsession, decision.body_code), _(
            "A decision of a body: its chair and its secretary sign.")
    code = body_code_of(letter.dossier)
    if code == OFFICIAL:
        raise ScreeningFailed(_("This type is decided by an official: choose the rule "
                                "\"decision\" to have the delegate sign."))
    return _body_signers(dbsession, code), _(
        "The type's rule: the deciding body's chair and secretary sign.")


def screen(dbsession, letter) -> Outcome:
    """The screening of ``letter``: its handler's override if any, else the rule."""
    definition = letter.dossier.type_version.definition
    rule = rule_for(definition, letter.kind)
    override = (letter.details or {}).get("override")
    if override is not None:
        if not override.get("needs_signature"):
            return Outcome(False, (), rule, _("Overridden by the handler: no signature "
                                              "needed."), overridden=True)
        signers, _why = signers_for(dbsession, letter, DECISION if rule == NONE and
                                    _has_decision(dbsession, letter) else
                                    (rule if rule != NONE else BODY))
        return Outcome(True, signers, rule, _("Overridden by the handler: to be signed."),
                       overridden=True)
    if rule == NONE:
        return Outcome(False, (), rule, _("The dossier type says its decisions need no "
                                          "signature.") if kind_needs(letter.kind) else
                       _("This kind of letter needs no signature."))
    signers, why = signers_for(dbsession, letter, rule)
    return Outcome(True, signers, rule, why)


def _has_decision(dbsession, letter) -> bool:
    try:
        decision_of(dbsession, letter)
    except MissingData:
        return False
    return True


def signatory_rows(outcome: Outcome) -> list[LetterSignatory]:
    return [LetterSignatory(position=n, user_id=s.user_id, name=s.name, function=s.function,
                            status=WAITING) for n, s in enumerate(outcome.signers, 1)]
