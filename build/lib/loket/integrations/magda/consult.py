"""What the rest of Loket calls to consult MAGDA: purpose check, the call, the legal log.

    from loket.integrations.magda import consult
    person = consult.geef_persoon(request, insz, purpose="sociale-premie-aanvraag",
                                  dossier_reference="2026-000123")

or, outside a request (a worker), with a :class:`Magda` from the registry::

    magda = consult.get_magda(registry)
    magda.geef_aanslagbiljet(dbsession, insz, 2024, purpose="inkomenscontrole",
                             actor=None, dossier_reference=...)

Every consultation:

1. is refused (:class:`PurposeRefused`) without a purpose from
   ``loket.integrations.magda.purposes``, and (:class:`InvalidInput`) for a malformed number,
   before anything goes over the network;
2. asks MAGDA with a fresh reference (Afzender/Referte);
3. adds one :class:`MagdaConsultation` row to the caller's session and flushes it, whatever
   the outcome; if that fails the call fails (:class:`LogWriteFailed`) and no answer is
   returned;
4. returns the typed answer, or raises NoData / InvalidInput / SourceUnavailable /
   MagdaError.
"""

from datetime import date

from loket.integrations.magda import insz as insz_check
from loket.integrations.magda.client import HouseholdMember, MagdaClient, Person, TaxBill
from loket.integrations.magda.models import MagdaConsultation
from loket.integrations.magda.soap import (
    GEEF_AANSLAGBILJET,
    GEEF_GEZINSSAMENSTELLING,
    GEEF_PERSOON,
    GEEF_SOCIAAL_STATUUT,
    InvalidInput,
    LogWriteFailed,
    MagdaError,
    PurposeRefused,
    new_reference,
)

REGISTRY_KEY = "loket.magda"


class NotConfigured(MagdaError):
    """No MAGDA plug-in was chosen in the settings."""


def actor_of(user) -> str:
    if user is None:
        return "system"
    if isinstance(user, str):
        return user
    return f"user:{user.id}"


class Magda:
    def __init__(self, client: MagdaClient, purposes):
        self.client = client
        self.purposes = frozenset(purposes)

    def _consult(self, dbsession, service, insz, *, purpose, actor, dossier_reference, ask):
        if not purpose or purpose not in self.purposes:
            raise PurposeRefused("a MAGDA consultation needs a purpose from the configured list")
        if not insz_check.is_valid(insz):
            raise InvalidInput("not a valid national register number")
        reference = new_reference()
        result, failure = None, None
        try:
            result = ask(reference)
            outcome, code = "ok", None
        except MagdaError as error:
            failure, outcome, code = error, error.outcome, error.code
        except Exception as error:  # a bug of ours: still logged, still raised
            failure, outcome, code = error, "error", None
        row = MagdaConsultation(
            actor=actor_of(actor), subject_insz=insz, service=service.naam,
            version=service.versie, dossier_reference=dossier_reference, purpose=purpose,
            reference=reference, outcome=outcome, error_code=code)
        try:
            dbsession.add(row)
            dbsession.flush()
        except Exception as error:
            raise LogWriteFailed("the MAGDA log could not be written; the answer is not "
                                 f"used ({type(error).__name__})") from None
        if failure is not None:
            raise failure
        return result

    def geef_persoon(self, dbsession, insz: str, *, purpose: str, actor=None,
                     dossier_reference: str | None = None,
                     timeout: float | None = None) -> Person:
        return self._consult(
            dbsession, GEEF_PERSOON, insz, purpose=purpose, actor=actor,
            dossier_reference=dossier_reference,
            ask=lambda ref: self.client.geef_persoon(insz, referte=ref, timeout=timeout))

    def geef_gezinssamenstelling(self, dbsession, insz: str, *, purpose: str, actor=None,
                                 dossier_reference: str | None = None,
                                 timeout: float | None = None) -> list[HouseholdMember]:
        return self._consult(
            dbsession, GEEF_GEZINSSAMENSTELLING, insz, purpose=purpose, actor=actor,
            dossier_reference=dossier_reference,
            ask=lambda ref: self.client.geef_gezinssamenstelling(insz, referte=ref,
                                                                 timeout=timeout))

    def geef_aanslagbiljet(self, dbsession, insz: str, inkomensjaar: int, *, purpose: str,
                           actor=None, dossier_reference: str | None = None,
                           timeout: float | None = None) -> TaxBill:
        return self._consult(
            dbsession, GEEF_AANSLAGBILJET, insz, purpose=purpose, actor=actor,
            dossier_reference=dossier_reference,
            ask=lambda ref: self.client.geef_aanslagbiljet(insz, inkomensjaar, referte=ref,
                                                           timeout=timeout))

    def geef_sociaal_statuut(self, dbsession, insz: str, naam: str, datum: date, *,
                             purpose: str, actor=None, dossier_reference: str | None = None,
                             timeout: float | None = None) -> bool:
        return self._consult(
            dbsession, GEEF_SOCIAAL_STATUUT, insz, purpose=purpose, actor=actor,
            dossier_reference=dossier_reference,
            ask=lambda ref: self.client.geef_sociaal_statuut(insz, naam, datum, referte=ref,
                                                             timeout=timeout))


def get_magda(registry) -> Magda:
    magda = registry.get(REGISTRY_KEY)
    if magda is None:
        raise NotConfigured("MAGDA is not configured (loket.integrations.person_register / "
                            "income)")
    return magda


# --- request-level shortcuts: the request's session and logged-in user ------------------------

def geef_persoon(request, insz, *, purpose, dossier_reference=None, timeout=None) -> Person:
    return get_magda(request.registry).geef_persoon(
        request.dbsession, insz, purpose=purpose, actor=request.user,
        dossier_reference=dossier_reference, timeout=timeout)


def geef_gezinssamenstelling(request, insz, *, purpose, dossier_reference=None,
                             timeout=None) -> list[HouseholdMember]:
    return get_magda(request.registry).geef_gezinssamenstelling(
        request.dbsession, insz, purpose=purpose, actor=request.user,
        dossier_reference=dossier_reference, timeout=timeout)


def geef_aanslagbiljet(request, insz, inkomensjaar, *, purpose, dossier_reference=None,
                       timeout=None) -> TaxBill:
    return get_magda(request.registry).geef_aanslagbiljet(
        request.dbsession, insz, inkomensjaar, purpose=purpose, actor=request.user,
        dossier_reference=dossier_reference, timeout=timeout)


def geef_sociaal_statuut(request, insz, naam, datum, *, purpose, dossier_reference=None,
                         timeout=None) -> bool:
    return get_magda(request.registry).geef_sociaal_statuut(
        request.dbsession, insz, naam, datum, purpose=purpose, actor=request.user,
        dossier_reference=dossier_reference, timeout=timeout)


def consultations_about(dbsession, insz: str, limit: int = 500) -> list[MagdaConsultation]:
    """Who consulted this person's data, newest first (the citizen's own view, a DPO
    export)."""
    from sqlalchemy import select

    return list(dbsession.scalars(
        select(MagdaConsultation).where(MagdaConsultation.subject_insz == insz)
        .order_by(MagdaConsultation.occurred.desc(), MagdaConsultation.id.desc())
        .limit(limit)))
