"""Consulting MAGDA through the simulator over real HTTP: answers, errors, the legal log."""

import logging
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import requests
from lxml import etree
from sqlalchemy import select

from loket.integrations.magda.consult import consultations_about
from loket.integrations.magda.models import AppendOnly, MagdaConsultation
from loket.integrations.magda.simulator import BART, NOOR, WARD
from loket.integrations.magda.soap import (
    InvalidInput,
    LogWriteFailed,
    MagdaError,
    NoData,
    PurposeRefused,
    SourceUnavailable,
)
from tests.fixtures.magda import (
    AHMED,
    JAN,
    LOTTE,
    PURPOSE,
    SOFIE,
    TIMEOUT,
    UNKNOWN,
)


def rows(dbsession):
    return list(dbsession.scalars(select(MagdaConsultation).order_by(MagdaConsultation.id)))


def test_geef_persoon(magda, dbsession, factories):
    handler = factories.staff()
    person = magda.geef_persoon(dbsession, JAN, purpose=PURPOSE, actor=handler,
                                dossier_reference="2026-000123")
    assert (person.given_names, person.family_name) == (("Jan",), "Peeters")
    assert person.birth_date == date(1985, 3, 14)
    assert person.gender == "M"
    assert person.address.street == "Kerkstraat"
    assert person.address.house_number == "12"
    assert person.address.box is None
    assert (person.address.postcode, person.address.nis_code,
            person.address.municipality) == ("3999", "71999", "Heidebeek")
    [row] = rows(dbsession)
    assert row.actor == f"user:{handler.id}"
    assert row.subject_insz == JAN
    assert (row.service, row.version) == ("GeefPersoon", "02.02.0000")
    assert row.dossier_reference == "2026-000123"
    assert row.purpose == PURPOSE
    assert row.outcome == "ok" and row.error_code is None
    assert row.occurred.tzinfo is not None
    assert abs(row.occurred - datetime.now(UTC)) < timedelta(minutes=1)
    assert len(row.reference) == 36
    # No content of the answer anywhere in the row.
    values = " ".join(str(getattr(row, c.key)) for c in MagdaConsultation.__table__.columns)
    for content in ("Peeters", "Kerkstraat", "1985-03-14", "Heidebeek"):
        assert content not in values


def test_the_reference_logged_is_the_one_sent(magda, magda_sim, dbsession):
    magda.geef_persoon(dbsession, SOFIE, purpose=PURPOSE)
    [sent] = magda_sim.app.requests
    referte = etree.fromstring(sent).xpath("//Afzender/Referte/text()")[0]
    [row] = rows(dbsession)
    assert row.reference == referte
    assert row.actor == "system"


def test_other_personas(magda, dbsession):
    ahmed = magda.geef_persoon(dbsession, AHMED, purpose=PURPOSE)
    assert ahmed.address.nis_code != "71999"
    lotte = magda.geef_persoon(dbsession, LOTTE, purpose=PURPOSE)
    assert lotte.birth_date.year == 2001
    sofie = magda.geef_persoon(dbsession, SOFIE, purpose=PURPOSE)
    assert sofie.address.box == "2" and sofie.gender == "V"


def test_household(magda, dbsession):
    members = magda.geef_gezinssamenstelling(dbsession, SOFIE, purpose=PURPOSE)
    assert [m.insz for m in members] == [SOFIE, BART, NOOR, WARD]
    assert [m.relation for m in members] == ["01", "02", "03", "03"]  # Positie codes
    assert members[2].birth_date == date(2015, 4, 21)
    assert len(magda.geef_gezinssamenstelling(dbsession, JAN, purpose=PURPOSE)) == 1


def test_tax_bill(magda, dbsession):
    jan = magda.geef_aanslagbiljet(dbsession, JAN, 2024, purpose="inkomenscontrole")
    assert jan.taxable_income_eur == Decimal("23400.00") < 26000
    assert jan.items == {"A7555": "2340000"}  # as in the message: cents
    sofie = magda.geef_aanslagbiljet(dbsession, SOFIE, 2024, purpose="inkomenscontrole")
    assert sofie.taxable_income_eur > 26000
    assert [r.service for r in rows(dbsession)] == ["GeefAanslagbiljetPersonenbelasting"] * 2


def test_tax_bill_for_a_year_without_one_is_no_data(magda, dbsession):
    with pytest.raises(NoData) as raised:
        magda.geef_aanslagbiljet(dbsession, LOTTE, 2024, purpose="inkomenscontrole")
    assert raised.value.code == "30001"
    assert rows(dbsession)[0].outcome == "no_data"


def test_social_status(magda, dbsession):
    [jan] = magda.geef_sociaal_statuut(dbsession, JAN, "BIM_BVT", date(2026, 1, 1),
                                       purpose=PURPOSE)
    assert (jan.name, jan.applies, jan.periods) == ("BIM_BVT", True, (("2020-01-01", None),))
    [sofie] = magda.geef_sociaal_statuut(dbsession, SOFIE, "BIM_BVT", date(2026, 1, 1),
                                         purpose=PURPOSE)
    assert (sofie.name, sofie.applies) == ("BIM_BVT", False)


def test_unknown_person_is_no_data_and_logged(magda, dbsession):
    with pytest.raises(NoData) as raised:
        magda.geef_persoon(dbsession, UNKNOWN, purpose=PURPOSE)
    assert raised.value.code == "30001"
    [row] = rows(dbsession)
    assert (row.outcome, row.error_code, row.subject_insz) == ("no_data", "30001", UNKNOWN)


@pytest.mark.parametrize(("code", "level", "exception", "outcome"), [
    ("40000", 3, InvalidInput, "error"),
    ("60006", 3, SourceUnavailable, "error"),
    ("99996", 2, SourceUnavailable, "error"),
    ("30101", 3, NoData, "no_data"),
    ("12345", 2, MagdaError, "error"),
])
def test_uitzonderingen_from_the_simulator(magda, magda_sim, dbsession, code, level, exception,
                                           outcome):
    magda_sim.control(uitzondering=code, level=level)
    with pytest.raises(exception):
        magda.geef_persoon(dbsession, JAN, purpose=PURPOSE)
    assert (rows(dbsession)[0].outcome, rows(dbsession)[0].error_code) == (outcome, code)
    magda.geef_persoon(dbsession, JAN, purpose=PURPOSE)  # only the next call was affected


@pytest.mark.parametrize("purpose", [None, "", "nieuwsgierigheid"])
def test_no_or_unknown_purpose_is_refused_before_any_call(magda, magda_sim, dbsession, purpose):
    with pytest.raises(PurposeRefused):
        magda.geef_persoon(dbsession, JAN, purpose=purpose)
    with pytest.raises(PurposeRefused):
        magda.geef_aanslagbiljet(dbsession, JAN, 2024, purpose=purpose)
    assert magda_sim.requests_made() == 0
    assert rows(dbsession) == []


def test_invalid_number_is_refused_before_any_call(magda, magda_sim, dbsession):
    with pytest.raises(InvalidInput):
        magda.geef_persoon(dbsession, "85631415305", purpose=PURPOSE)
    assert magda_sim.requests_made() == 0


def test_log_write_failure_fails_the_call(magda, dbsession, monkeypatch):
    def broken_flush(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(dbsession, "flush", broken_flush)
    with pytest.raises(LogWriteFailed):
        magda.geef_persoon(dbsession, JAN, purpose=PURPOSE)


def test_log_is_append_only(magda, dbsession):
    magda.geef_persoon(dbsession, JAN, purpose=PURPOSE)
    [row] = rows(dbsession)
    row.outcome = "no_data"
    with pytest.raises(AppendOnly):
        dbsession.flush()
    dbsession.rollback()


def test_log_rows_cannot_be_deleted(magda, dbsession):
    magda.geef_persoon(dbsession, JAN, purpose=PURPOSE)
    [row] = rows(dbsession)
    dbsession.delete(row)
    with pytest.raises(AppendOnly):
        dbsession.flush()
    dbsession.rollback()


@pytest.mark.parametrize("switches", [
    {"down": True}, {"http_500": True}, {"malformed": True}, {"slow": 2},
])
def test_transport_failures_are_source_unavailable(magda, magda_sim, dbsession, switches):
    magda_sim.control(**switches)
    with pytest.raises(SourceUnavailable):
        magda.geef_persoon(dbsession, JAN, purpose=PURPOSE)
    assert [r.outcome for r in rows(dbsession)] == ["error"]
    assert magda_sim.requests_made() == 1


def test_unreachable_is_source_unavailable(dbsession):
    from loket.integrations.magda.client import MagdaClient
    from loket.integrations.magda.consult import Magda
    from tests.fixtures.magda import magda_options

    options = magda_options("http://127.0.0.1:9/magda")
    with pytest.raises(SourceUnavailable):
        Magda(MagdaClient(options), options["purposes"]).geef_persoon(
            dbsession, JAN, purpose=PURPOSE)


def test_consultations_about(magda, dbsession):
    magda.geef_persoon(dbsession, JAN, purpose=PURPOSE)
    magda.geef_persoon(dbsession, SOFIE, purpose=PURPOSE)
    magda.geef_aanslagbiljet(dbsession, JAN, 2024, purpose="inkomenscontrole")
    found = consultations_about(dbsession, JAN)
    assert [c.service for c in found] == ["GeefAanslagbiljetPersonenbelasting", "GeefPersoon"]


def test_the_number_is_never_logged(magda, magda_sim, dbsession, caplog):
    caplog.set_level(logging.DEBUG)
    magda.geef_persoon(dbsession, JAN, purpose=PURPOSE)
    magda_sim.control(down=True)
    with pytest.raises(SourceUnavailable) as raised:
        magda.geef_persoon(dbsession, JAN, purpose=PURPOSE)
    assert JAN not in caplog.text
    assert JAN not in str(raised.value)


# --- the simulator's own checks -----------------------------------------------------------

def post(magda_sim, service_path: str, body: bytes):
    return requests.post(f"{magda_sim.url}/{service_path}", data=body, timeout=TIMEOUT,
                         headers={"Content-Type": "text/xml", "SOAPAction": '""'})


def envelope(**overrides):
    from loket.integrations.magda import soap

    kw = {"identificatie": "x", "hoedanigheid": "1", "referte": "r",
          "criteria": {"INSZ": JAN}, "bron": "RR"}
    kw.update(overrides)
    return soap.build_request(soap.GEEF_PERSOON, **kw)


def uitzondering_of(response) -> str | None:
    codes = etree.fromstring(response.content).xpath("//Uitzondering/Identificatie/text()")
    return codes[0] if codes else None


def test_simulator_refuses_entity_declarations(magda_sim):
    evil = (b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            + envelope().split(b"?>", 1)[1].replace(b"<Taal>nl</Taal>", b"<Taal>&e;</Taal>"))
    response = post(magda_sim, "GeefPersoon-02.02", evil)
    assert response.status_code == 500
    assert b"Fault" in response.content and b"root:" not in response.content
    assert magda_sim.counters()["refused_dtd"] == 1


def test_simulator_validates_the_question(magda_sim):
    assert uitzondering_of(post(magda_sim, "GeefPersoon-02.02", envelope())) is None
    # Wrong URL for this Naam/Versie.
    assert uitzondering_of(post(magda_sim, "GeefSociaalStatuut-03.00", envelope())) == "40000"
    # Bad check digits.
    bad = envelope(criteria={"INSZ": "85631415305"})
    assert uitzondering_of(post(magda_sim, "GeefPersoon-02.02", bad)) == "40000"
    # Tijd without milliseconds.
    no_ms = envelope().replace(b"</Tijd>", b"</Tijd>").split(b"<Tijd>")
    no_ms = no_ms[0] + b"<Tijd>12:00:00" + no_ms[1][no_ms[1].index(b"</Tijd>"):]
    assert uitzondering_of(post(magda_sim, "GeefPersoon-02.02", no_ms)) == "40000"


def test_simulator_get_is_405(magda_sim):
    response = requests.get(f"{magda_sim.url}/GeefPersoon-02.02", timeout=TIMEOUT)
    assert response.status_code == 405
    assert requests.get(f"{magda_sim.url}/Onbekend-01.00", timeout=TIMEOUT).status_code == 404
