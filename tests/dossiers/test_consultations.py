"""Who consulted my data: the citizen's own consultations for their own dossiers only."""

import itertools

import pytest

from loket.i18n import LOCALE_COOKIE
from loket.integrations.magda.models import MagdaConsultation
from loket.security import Role

JAN = "85631415304"
SOFIE = "90710228406"
_refs = itertools.count(1)


def _consulted(dbsession, insz, dossier_reference, actor="system", service="GeefPersoon",
               purpose="sociale-premie-aanvraag"):
    row = MagdaConsultation(actor=actor, subject_insz=insz, service=service, version="02.02",
                            dossier_reference=dossier_reference, purpose=purpose,
                            reference=f"ref-{next(_refs)}-{dossier_reference}", outcome="ok")
    dbsession.add(row)
    dbsession.flush()
    return row


@pytest.fixture
def jan(testapp, login, factories, dbsession):
    citizen = factories.citizen(rrn=JAN)
    team = factories.team(name="Sociale dienst")
    own = factories.dossier(applicant=citizen, team=team)
    other = factories.dossier(applicant=factories.citizen(rrn=SOFIE))
    handler = factories.staff(Role.HANDLER, team=team)
    _consulted(dbsession, JAN, own.reference, actor=f"user:{citizen.id}")
    _consulted(dbsession, JAN, own.reference, actor=f"user:{handler.id}",
               service="GeefAanslagbiljetPersonenbelasting", purpose="inkomenscontrole")
    _consulted(dbsession, JAN, own.reference, service="citizenEboxConsents")  # before sending
    _consulted(dbsession, JAN, other.reference)  # about Jan, for someone else's dossier
    _consulted(dbsession, SOFIE, own.reference)  # a household member, for Jan's dossier
    _consulted(dbsession, JAN, None)  # no dossier
    login(citizen)
    testapp.set_cookie(LOCALE_COOKIE, "en")
    return {"citizen": citizen, "own": own, "other": other}


def test_only_own_consultations_for_own_dossiers(testapp, jan):
    page = testapp.get("/raadplegingen")
    rows = page.html.find("tbody").find_all("tr")
    assert len(rows) == 3
    text = " ".join(r.get_text(" ", strip=True) for r in rows)
    assert "Your income tax assessment (FPS Finance)" in text
    assert "To check whether you meet the income conditions" in text
    assert "A staff member of Sociale dienst" in text
    assert "Your identity and address (national register)" in text
    assert "You, while applying" in text
    assert "Whether you receive letters in your eBox (Documentendienst)" in text
    assert "citizenEboxConsents" not in text  # no service's technical name
    assert jan["other"].reference not in page.text
    assert SOFIE not in page.text and JAN not in page.text  # never a register number


def test_filtered_on_one_dossier(testapp, jan, factories):
    page = testapp.get(f"/raadplegingen?dossier={jan['own'].reference}")
    assert len(page.html.find("tbody").find_all("tr")) == 3
    empty = factories.dossier(applicant=jan["citizen"])
    assert "Nobody consulted your data" in testapp.get(
        f"/raadplegingen?dossier={empty.reference}").text


def test_someone_elses_dossier_is_404(testapp, jan):
    testapp.get(f"/raadplegingen?dossier={jan['other'].reference}", status=404)
    testapp.get("/raadplegingen?dossier=2026-999999", status=404)


def test_a_citizen_without_register_number_sees_none(testapp, login, factories):
    citizen = factories.citizen()
    factories.dossier(applicant=citizen)
    login(citizen)
    testapp.set_cookie(LOCALE_COOKIE, "en")
    assert "Nobody consulted your data" in testapp.get("/raadplegingen").text


def test_staff_cannot_open_it(testapp, login, factories):
    login(factories.staff())
    testapp.get("/raadplegingen", status=403)
