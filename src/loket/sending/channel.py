"""Which channel a letter takes, and why — decided before sending, shown to the handler.

eBox when the recipient consented (asked through the delivery plug-in, each lookup in the
legal MAGDA log), otherwise paper to the main residence from the person register; registered
mail for the letter kinds that open a term to object (``loket.sending.registered_kinds``).
The handler may choose otherwise with a reason (audited on sending). E-mail is never the
legal delivery: it is only the courtesy notification of the notifications package.
"""

from dataclasses import dataclass, field

from pyramid.settings import aslist

from loket.i18n import _
from loket.plugins.kinds import SourceError
from loket.plugins.registry import Kind, implementations
from loket.sending.models import (
    CONSENT,
    EBOX,
    NO_CONSENT,
    NO_NATIONAL_NUMBER,
    OVERRIDE,
    PAPER,
)
from loket.sending.outgoing import Address

# Decisions the citizen may object to within a term: the proof of delivery starts it.
DEFAULT_REGISTERED = "decision.granted decision.refused admissibility.refused"
DEFAULT_PURPOSE = "sociale-premie-aanvraag"

REASONS = {
    CONSENT: _("The recipient consented to receive letters in their eBox."),
    NO_CONSENT: _("The recipient did not consent to the eBox: on paper to the main residence."),
    NO_NATIONAL_NUMBER: _("The recipient has no national register number: on paper."),
    OVERRIDE: _("Chosen by the handler."),
}


@dataclass
class Choice:
    """The proposal for one letter. ``channel`` is None when nothing can be sent as it stands
    (``problems`` say why; the handler may still choose a channel with a reason)."""

    channel: str | None
    registered: bool
    reason: str
    address: Address | None = None
    consent: bool | None = None  # None: unknown (no number, or the lookup failed)
    problems: list = field(default_factory=list)  # translation strings

    @property
    def explanation(self):
        return REASONS.get(self.reason, "")


def registered_kinds(settings) -> frozenset[str]:
    return frozenset(aslist(settings.get("loket.sending.registered_kinds",
                                         DEFAULT_REGISTERED)))


def purpose_of(settings) -> str:
    return settings.get("loket.sending.purpose") or DEFAULT_PURPOSE


def delivery_of(registry):
    found = implementations(registry, Kind.DELIVERY)
    return found[0] if found else None


def main_residence(registry, dbsession, insz: str, *, actor, dossier_reference) -> Address | None:
    """The person register's main residence (a logged MAGDA GeefPersoon); None when the
    register is not configured, has no address, or cannot answer now."""
    registers = implementations(registry, Kind.PERSON_REGISTER)
    if not registers or not insz:
        return None
    try:
        person = registers[0].geef_persoon(
            dbsession, insz, purpose=purpose_of(registry.settings), actor=actor,
            dossier_reference=dossier_reference)
    except SourceError:
        return None
    found = person.address
    if found is None or not (found.street and found.postcode):
        return None
    return Address(street=found.street, house_number=found.house_number or "",
                   box=found.box or "", postcode=found.postcode,
                   municipality=found.municipality or "")


def consents(registry, dbsession, letters, *, actor=None) -> tuple[dict, list]:
    """``({insz: bool}, problems)`` for the recipients of ``letters``, in one lookup."""
    delivery = delivery_of(registry)
    if delivery is None:
        return {}, [_("No delivery service is configured (loket.integrations.delivery).")]
    subjects = {}
    for letter in letters:
        insz = _insz(letter)
        if insz:
            subjects.setdefault(insz, letter.dossier.reference)
    if not subjects:
        return {}, []
    try:
        return delivery.ebox_consents(dbsession, list(subjects.items()),
                                      purpose=purpose_of(registry.settings), actor=actor), []
    except SourceError:
        return {}, [_("The eBox consent could not be looked up now. Try again later, or "
                      "choose paper with a reason.")]


def _insz(letter) -> str | None:
    recipient = letter.dossier.applicant
    return recipient.rrn if recipient is not None else None


def proposal(registry, letter, found: dict, problems: list) -> Choice:
    """The channel by consent alone; paper's address comes from the register at sending."""
    registered = letter.kind in registered_kinds(registry.settings)
    insz = _insz(letter)
    if not insz:
        return Choice(PAPER, registered, NO_NATIONAL_NUMBER, problems=list(problems))
    consent = found.get(insz)
    if consent:
        return Choice(EBOX, False, CONSENT, consent=True, problems=list(problems))
    if consent is None:  # the lookup failed: the handler decides
        return Choice(None, registered, NO_CONSENT, problems=list(problems))
    return Choice(PAPER, registered, NO_CONSENT, consent=False, problems=list(problems))


def choose(registry, dbsession, letter, *, actor=None) -> Choice:
    """The channel the letter would take now, the reason, the address for paper, and what
    stands in the way."""
    found, problems = consents(registry, dbsession, [letter], actor=actor)
    choice = proposal(registry, letter, found, problems)
    if choice.channel != EBOX:
        choice.address = main_residence(registry, dbsession, _insz(letter), actor=actor,
                                        dossier_reference=letter.dossier.reference)
        if choice.address is None:
            choice.problems.append(_("The person register gives no address for the "
                                     "recipient: enter one to send on paper."))
            if choice.channel == PAPER:
                choice.channel = None
    return choice
