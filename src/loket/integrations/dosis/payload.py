"""A dossier's status as DOSIS wants it (INTEGRATIONS.md §4, v2 ``dossiers`` payload).

Built inside the transaction that changed the state, so the worker can deliver it without
the database. ``UploadId`` is added at delivery: it is the outbox message's idempotency key.
"""

from dataclasses import dataclass
from datetime import datetime

from loket.i18n import local
from loket.municipality import ROW
from loket.municipality.models import Municipality

TYPE_DOSSIER_CODE = "DossierStatus"
CONSULTER = "Raadpleger"  # the access right that lets the citizen see it in Mijn Burgerprofiel
DEFAULT_ACTION = "Bekijk en vervolledig je dossier in het e-loket."


@dataclass(frozen=True)
class DosisStatus:
    code: str  # VlaamsCode
    phase: str  # VlaamsFase
    action_needed: bool


def dosis_status(dossier, workflow, state_name: str) -> DosisStatus | None:
    """What DOSIS shows for ``state_name`` under the dossier type's mapping; None when the
    type publishes nothing to DOSIS (or the state is not mapped)."""
    mapping = (dossier.type_version.definition or {}).get("dosis") or {}
    code = (mapping.get("states") or {}).get(state_name)
    if isinstance(code, dict):  # a state that tells the outcome: a code per outcome
        code = code.get(dossier.outcome)
    state = workflow.states.get(state_name)
    if not code or state is None:
        return None
    return DosisStatus(code, state.phase, state_name in (mapping.get("action_needed") or ()))


def local_time(moment: datetime) -> str:
    """DOSIS dates are Belgian local time without a zone (a Java LocalDateTime); to the
    microsecond, so two steps in one second still have an order."""
    return local(moment).replace(tzinfo=None).isoformat(
        timespec="microseconds")


def _present(mapping: dict) -> dict:
    """Only the fields that have a value: DOSIS rejects empty strings."""
    return {k: v for k, v in mapping.items() if v not in (None, "", {}, [])}


def municipality_of(dbsession, settings) -> Municipality:
    found = dbsession.get(Municipality, ROW)
    return found or Municipality(name=settings.get("loket.municipality.name", "Gemeente"))


def manager(municipality: Municipality, team) -> dict:
    """DossierBeheerder: the municipality, and the team that handles the dossier."""
    return _present({
        "Naam": municipality.name,
        "Dienst": team.name if team is not None else "",
        "Telefoon": municipality.phone,
        "Email": municipality.email,
        "Website": municipality.website,
        "Adres": _present({"Straat": municipality.street, "Nummer": municipality.number,
                           "Postcode": municipality.postcode, "Gemeente": municipality.city}),
    })


def build_payload(*, dossier, workflow, status: DosisStatus, bron: str, public_url: str,
                  municipality: Municipality, changed: datetime) -> dict:
    """The push for ``dossier`` in its current state. Holds the applicant's national register
    number (the protocol needs it): never log it."""
    state = workflow.states[dossier.state].for_outcome(dossier.outcome)
    mapping = dossier.type_version.definition["dosis"]
    return {
        "Identificatie": {"Bron": bron, "DossierNummer": dossier.reference},
        "Naam": dossier.title,
        "WijzigingsDatum": local_time(changed),
        "Status": {
            "VlaamsCode": status.code,
            "VlaamsFase": status.phase,
            "Detail1": state.title.get("nl", dossier.state),
            # null when nothing is asked of the citizen, as the reference connector sends it
            "Actie": {"ActieNodig": True,
                      "Actie": state.citizen_text.get("nl") or DEFAULT_ACTION}
            if status.action_needed else None,
        },
        "TypeDossierCode": TYPE_DOSSIER_CODE,
        # A type without product number is refused by DOSIS: staff see it in the dead letters.
        "Producten": [{"Id": str(mapping["product_id"])}] if mapping.get("product_id") else [],
        "DossierBeheerder": manager(municipality, dossier.team),
        "Agenten": [{"Identificatie": dossier.applicant.rrn,
                     "Toegangsrechten": [{"Code": CONSULTER}]}],
        "Doorverwijzing": f"{public_url.rstrip('/')}/dossiers/{dossier.reference}",
    }
