"""The DOSIS payload follows the dossier type's mapping, the workflow and the municipality."""

from datetime import UTC, datetime

from loket.integrations.dosis.client import upload_id
from loket.integrations.dosis.payload import (
    DosisStatus,
    build_payload,
    dosis_status,
    local_time,
    municipality_of,
)
from loket.integrations.dosis.validation import valid_rrn, validate
from loket.municipality.models import Municipality
from loket.workflow.definition import workflows
from tests.integrations.dosis.conftest import BRON, JAN, mapping, rrn

WORKFLOW = workflows()["sociale-premie"]


def _heidebeek(dbsession):
    municipality = Municipality(id=1, name="Gemeente Heidebeek", street="Marktplein", number="1",
                                postcode="3999", city="Heidebeek", phone="011 12 34 56",
                                email="info@heidebeek.example",
                                website="https://www.heidebeek.example")
    dbsession.merge(municipality)
    dbsession.flush()
    return dbsession.get(Municipality, 1)


def test_status_follows_the_mapping_and_the_phase(factories):
    version = factories.type_version(dosis=mapping(states={
        **mapping()["states"], "in_behandeling": "InWacht"}))
    dossier = factories.dossier(type_version=version)
    assert dosis_status(dossier, WORKFLOW, "ingediend") == DosisStatus(
        "Ingediend", "Behandeling", False)
    assert dosis_status(dossier, WORKFLOW, "in_behandeling") == DosisStatus(
        "InWacht", "Behandeling", False)
    assert dosis_status(dossier, WORKFLOW, "vervollediging_gevraagd") == DosisStatus(
        "DossierOnvolledig", "Behandeling", True)
    assert dosis_status(dossier, WORKFLOW, "betaald") == DosisStatus("Betaald", "Afgerond", False)


def test_no_status_without_a_mapping(factories):
    dossier = factories.dossier()  # the factory's type has no dosis mapping
    assert dosis_status(dossier, WORKFLOW, "ingediend") is None
    partial = factories.dossier(type_version=factories.type_version(
        dosis=mapping(states={"ingediend": "Ingediend"})))
    assert dosis_status(partial, WORKFLOW, "ontvankelijk") is None


def test_payload_has_every_documented_field(factories, dbsession, app_settings):
    municipality = _heidebeek(dbsession)
    team = factories.team(name="Sociale dienst (OCMW)")
    applicant = factories.citizen("Jan", "Peeters", rrn=JAN)
    dossier = factories.dossier(applicant=applicant, team=team, state="vervollediging_gevraagd",
                                type_version=factories.type_version(dosis=mapping()),
                                title="Verwarmingstoelage")
    status = dosis_status(dossier, WORKFLOW, dossier.state)
    changed = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
    payload = build_payload(dossier=dossier, workflow=WORKFLOW, status=status, bron=BRON,
                            public_url="https://loket.heidebeek.example/",
                            municipality=municipality, changed=changed)
    assert payload == {
        "Identificatie": {"Bron": BRON, "DossierNummer": dossier.reference},
        "Naam": "Verwarmingstoelage",
        "WijzigingsDatum": "2026-11-22T10:30:00.000000",  # Brussels time, no zone
        "Status": {
            "VlaamsCode": "DossierOnvolledig", "VlaamsFase": "Behandeling",
            "Detail1": "Vervollediging gevraagd",
            "Actie": {"ActieNodig": True, "Actie": WORKFLOW.states[
                "vervollediging_gevraagd"].citizen_text["nl"]},
        },
        "TypeDossierCode": "DossierStatus",
        "Producten": [{"Id": "100103"}],
        "DossierBeheerder": {
            "Naam": "Gemeente Heidebeek", "Dienst": "Sociale dienst (OCMW)",
            "Telefoon": "011 12 34 56", "Email": "info@heidebeek.example",
            "Website": "https://www.heidebeek.example",
            "Adres": {"Straat": "Marktplein", "Nummer": "1", "Postcode": "3999",
                      "Gemeente": "Heidebeek"},
        },
        "Agenten": [{"Identificatie": JAN, "Toegangsrechten": [{"Code": "Raadpleger"}]}],
        "Doorverwijzing": f"https://loket.heidebeek.example/dossiers/{dossier.reference}",
    }
    # What DOSIS (the simulator's validation) accepts, once the worker adds the UploadId.
    assert validate({**payload, "UploadId": upload_id("a" * 32)}, {BRON}) == []


def test_no_action_and_empty_fields_are_left_out(factories, dbsession, app_settings):
    dossier = factories.dossier(applicant=factories.citizen(rrn=rrn(1)), state="ontvankelijk",
                                type_version=factories.type_version(dosis=mapping()))
    bare = municipality_of(dbsession, {"loket.municipality.name": "Gemeente Heidebeek"})
    assert dbsession.get(Municipality, 1) is None  # not filled in yet: the name from settings
    payload = build_payload(dossier=dossier, workflow=WORKFLOW,
                            status=dosis_status(dossier, WORKFLOW, "ontvankelijk"), bron=BRON,
                            public_url="http://localhost", municipality=bare,
                            changed=datetime(2026, 7, 1, 12, tzinfo=UTC))
    assert payload["Status"]["Actie"] is None  # sent as null, as the reference connector does
    assert "Actie" in payload["Status"]
    assert payload["WijzigingsDatum"] == "2026-07-01T14:00:00.000000"  # summer time
    assert payload["DossierBeheerder"]["Naam"] == "Gemeente Heidebeek"
    assert "Telefoon" not in payload["DossierBeheerder"]
    assert "Adres" not in payload["DossierBeheerder"]


def test_upload_id_is_stable_per_message():
    key = "0123456789abcdef0123456789abcdef"
    assert upload_id(key) == "01234567-89ab-cdef-0123-456789abcdef"
    assert upload_id("not-a-uuid") == upload_id("not-a-uuid") != upload_id("other")


def test_local_time_is_belgian():
    assert local_time(datetime(2026, 1, 15, 23, 30, 5, 120, tzinfo=UTC)) \
        == "2026-01-16T00:30:05.000120"


def test_national_register_numbers_as_dosis_checks_them():
    assert valid_rrn(JAN)  # a MAGDA test number: month + 60
    assert valid_rrn("01693012293")  # born after 2000
    assert valid_rrn(rrn(5))
    assert not valid_rrn("85631415305")
    assert not valid_rrn("8563141530")
    assert not valid_rrn(85631415304)
