"""Prefill at the start of an application: the person register (MAGDA GeefPersoon, and
GeefGezinssamenstelling when a field asks for the household).

The national register number is the logged-in citizen's own (``user.rrn``, from the ACM/IDM
token), never a value from a form. MAGDA slow, down or not configured never blocks the
application: the citizen types the data and ``dossier.prefill["status"]`` says what happened,
so staff can see it. Nothing of the answer is logged.
"""

import logging

from loket.catalogue.definition import top_level_fields
from loket.catalogue.formbuilder import jsonable, prefill_values
from loket.db import utcnow
from loket.integrations.magda import consult
from loket.integrations.magda.soap import MagdaError

log = logging.getLogger(__name__)

DEFAULT_PURPOSE = "sociale-premie-aanvraag"
DEFAULT_TIMEOUT = 5.0
OK, FAILED, OFF = "ok", "failed", "off"


def purpose_of(settings, definition: dict) -> str:
    return definition.get("magda_purpose") or settings.get(
        "loket.applications.magda_purpose", DEFAULT_PURPOSE)


def timeout_of(settings) -> float:
    return float(settings.get("loket.applications.prefill_timeout", DEFAULT_TIMEOUT))


def wants_household(definition: dict) -> bool:
    return any((f.get("prefill") or {}).get("attribute") == "household"
               for f in top_level_fields(definition).values())


def person_values(person, members) -> dict:
    """A MAGDA person (and household) as :func:`~loket.catalogue.formbuilder.prefill_values`
    reads it."""
    address = person.address
    values = {"given_name": person.given_names, "family_name": person.family_name,
              "birth_date": person.birth_date}
    if address is not None:
        values["address"] = {"street": address.street or "", "number": address.number or "",
                             "box": address.box or "", "postcode": address.postcode or "",
                             "municipality": address.municipality or ""}
    if members is not None:
        values["household"] = [
            {"given_name": m.given_names, "family_name": m.family_name,
             "birth_date": m.birth_date}
            for m in members if m.insz != person.insz]
    return values


def screening_facts(person) -> dict:
    """What the admissibility screening needs: where the applicant lives, and their age."""
    address = person.address
    return {
        "postcode": address.postcode if address else None,
        "nis": address.nis_code if address else None,
        "municipality": address.municipality if address else None,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
    }


def prefill(request, dossier, user) -> dict:
    """Consult the person register for ``user`` and fill the draft's answers; returns (and
    sets) ``dossier.prefill``."""
    definition = dossier.type_version.definition
    record = {"status": OFF, "fields": [], "at": utcnow().isoformat(), "person": {}}
    if not user.rrn or request.registry.get(consult.REGISTRY_KEY) is None:
        dossier.prefill = record
        return record
    options = {"purpose": purpose_of(request.registry.settings, definition),
               "dossier_reference": dossier.reference,
               "timeout": timeout_of(request.registry.settings)}
    try:
        person = consult.geef_persoon(request, user.rrn, **options)
        members = None
        if wants_household(definition):
            members = consult.geef_gezinssamenstelling(request, user.rrn, **options)
    except MagdaError as error:
        # The legal log row is written; the citizen types the data instead.
        log.warning("prefill of dossier %s failed: %s", dossier.reference,
                    type(error).__name__)
        dossier.prefill = {**record, "status": FAILED}
        return dossier.prefill
    values = jsonable(prefill_values(definition, person_values(person, members)))
    dossier.data = {**(dossier.data or {}), **values}
    dossier.prefill = {**record, "status": OK, "fields": sorted(values),
                       "person": screening_facts(person)}
    return dossier.prefill


def prefilled(dossier) -> dict:
    """The prefilled answers (JSON values), for read-only fields and merge_prefill."""
    names = (dossier.prefill or {}).get("fields") or []
    data = dossier.data or {}
    return {name: data[name] for name in names if name in data}
