"""A heating-allowance dossier as the handler finds it: submitted, prefilled from the person
register, screened, with a document. Shared by tests/staff, tests/admissibility, tests/notes."""

from datetime import timedelta
from importlib.resources import files

import pytest
import yaml
from pyramid.i18n import make_localizer
from pyramid.interfaces import ITranslationDirectories

from loket.db import utcnow
from loket.security import Role
from loket.workflow.models import HistoryEntry

SHIPPED = files("loket.catalogue").joinpath("shipped", "verwarmingstoelage.yaml")

APPLICATION = {
    "voornaam": "Jan", "familienaam": "Peeters",
    "adres": {"street": "Kerkstraat", "number": "12", "box": "2", "postcode": "3999",
              "municipality": "Heidebeek"},
    "email": "jan@example.org", "telefoon": "",
    "gezin": [{"lid_voornaam": "An", "lid_familienaam": "Peeters",
               "lid_geboortedatum": "1980-03-04"},
              {"lid_voornaam": "Bo", "lid_familienaam": "Peeters",
               "lid_geboortedatum": "2012-11-30"}],
    "brandstof": "gasolie", "leveringsdatum": "2026-01-12", "liters": 1500,
    "factuurbedrag": "1420.5", "appartement": False, "iban": "BE68539007547034",
    "rekeninghouder": "Jan Peeters",
}
SCREENING_PASS = {
    "at": "2026-01-20T10:00:00+00:00", "outcome": "pass",
    "results": [
        {"code": "woonplaats", "rule": "domicile_in_municipality", "outcome": "pass",
         "text": {"nl": "Je woont in Heidebeek.", "en": "You live in Heidebeek."}},
        {"code": "termijn", "rule": "within_days_of", "outcome": "pass",
         "text": {"nl": "Je vraagt de toelage aan binnen de 60 dagen na de levering.",
                  "en": "You apply within 60 days of the delivery."}},
    ],
}
SCREENING_FAIL = {
    "at": "2026-01-20T10:00:00+00:00", "outcome": "fail",
    "results": [
        {"code": "woonplaats", "rule": "domicile_in_municipality", "outcome": "fail",
         "text": {"nl": "Je woont niet in Heidebeek. Alleen inwoners kunnen de toelage krijgen.",
                  "en": "You do not live in Heidebeek."}},
    ],
}


@pytest.fixture
def dutch(app):
    """``dutch(msgid)``: a message as a Dutch page shows it (the msgid until translated)."""
    localizer = make_localizer("nl", app.registry.queryUtility(ITranslationDirectories) or [])
    return localizer.translate


@pytest.fixture
def heating_type(factories):
    definition = yaml.safe_load(SHIPPED.read_text())["versions"][0]["definition"]
    return factories.type_version(**definition)


@pytest.fixture
def team(factories):
    return factories.team(name="Sociale dienst")


@pytest.fixture
def handler(factories, team):
    user = factories.staff(Role.HANDLER, team=team, given_name="Els")
    user.email = "els@heidebeek.example"
    return user


@pytest.fixture
def applicant(factories):
    return factories.citizen(given_name="Jan", family_name="Peeters", rrn="80010100161")


@pytest.fixture
def submitted(factories, dbsession, heating_type, team, applicant):
    """Submitted three days ago, prefilled, screened admissible, with its invoice."""
    dossier = factories.dossier(applicant=applicant, team=team, type_version=heating_type,
                                state="ingediend", data=dict(APPLICATION))
    dossier.submitted = utcnow() - timedelta(days=3)
    dossier.prefill = {"status": "ok", "fields": ["voornaam", "familienaam", "adres", "gezin"]}
    dossier.screening = SCREENING_PASS
    dbsession.add(HistoryEntry(dossier_id=dossier.id, occurred=dossier.submitted,
                               actor_id=applicant.id, transition="indienen",
                               from_state="concept", to_state="ingediend"))
    document = factories.document(dossier, title="Factuur stookolie")
    document.document_type = "factuur"
    dbsession.flush()
    return dossier
