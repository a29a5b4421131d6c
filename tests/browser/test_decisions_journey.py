"""Decisions end to end in a browser (issue #13): Els proposes two dossiers, both land on the
college's next meeting; the secretariat holds the meeting in the minutes software (simulator),
grants one with an amended amount and postpones the other; Loket records the decision (by the
package's callback) and the postponed item sits on the following meeting. The same through
Loket's own meeting screen; then the public list of decisions; then a delegated decision by the
general director. Real HTTP everywhere, the outbox delivered by the real relay."""

from datetime import timedelta
from decimal import Decimal

import pytest
import transaction
from playwright.sync_api import expect
from sqlalchemy import select

import tests.browser.conftest as browser_conftest
from loket.catalogue.services import current_version, get_type
from loket.db import get_tm_session, utcnow
from loket.decisions.models import AgendaItem, Decision, Meeting
from loket.dossiers.models import Dossier, next_reference
from loket.identity.models import Team, User
from loket.outbox.relay import Relay
from tests.browser.conftest import DESKTOP, _page, log_in, running_loket

MINUTES_KEY = "notulen-browser-key"


@pytest.fixture(scope="module")
def live(tmp_path_factory, app_settings):
    """Its own Loket (state stays here) that hands agenda items to the minutes simulator."""
    extra = {"loket.integrations.minutes": "notulen-api",
             "loket.integrations.notulen-api.api_key": MINUTES_KEY}
    made = []

    def make_simulators(settings):
        made.append(dispatcher := real_make_simulators(settings))
        return dispatcher

    def addresses(simulators):
        # The minutes simulator was made before the issuer's address was known.
        made[0].apps["notulen"].issuer = f"{simulators}/acmidm/op"
        return {"loket.integrations.notulen-api.base_url": f"{simulators}/notulen"}

    real_make_simulators = browser_conftest.make_simulators
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(browser_conftest, "make_simulators", make_simulators)
        with running_loket(tmp_path_factory.mktemp("live-decisions"), app_settings, extra,
                           addresses) as running:
            yield running


@pytest.fixture(scope="module")
def relay(live):
    relay = Relay(live.app.registry)
    yield relay
    relay.close()


@pytest.fixture
def secretariat(browser, live):
    yield from _page(browser, live, DESKTOP)


@pytest.fixture
def public(browser, live):
    yield from _page(browser, live, DESKTOP)


def change(live, work):
    """``work(dbsession)`` in its own committed transaction of the live app's database."""
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        return work(get_tm_session(live.app.registry["dbsession_factory"], manager))


def ready(live, type_code: str, count: int) -> list[str]:
    """``count`` of Jan's dossiers of ``type_code``, ready for decision in Els's team."""
    def make(db):
        jan = db.scalar(select(User).where(User.given_name == "Jan"))
        team = db.scalar(select(Team).where(Team.code == "sociale-dienst"))
        version = current_version(get_type(db, type_code))
        references = []
        for _ in range(count):
            dossier = Dossier(reference=next_reference(db, utcnow().year),
                              type_version_id=version.id, title=type_code.capitalize(),
                              state="klaar_voor_beslissing", applicant_id=jan.id,
                              team_id=team.id, data={}, submitted=utcnow() - timedelta(days=9))
            db.add(dossier)
            db.flush()
            references.append(dossier.reference)
        return references
    return change(live, make)


def items_of(live, reference) -> list[dict]:
    return change(live, lambda db: [
        {"id": i.id, "meeting": i.meeting_id, "status": i.status, "starts": i.meeting.starts}
        for i in db.scalars(select(AgendaItem).join(Dossier, Dossier.id == AgendaItem.dossier_id)
                            .where(Dossier.reference == reference).order_by(AgendaItem.id))])


def decisions_of(live, reference) -> list[dict]:
    return change(live, lambda db: [
        {"outcome": d.outcome, "amended": d.amended, "amount": d.amount, "body": d.body_code,
         "delegation": d.delegation_reference, "publication": d.publication_uri}
        for d in db.scalars(select(Decision).join(Dossier, Dossier.id == Decision.dossier_id)
                            .where(Dossier.reference == reference))])


def propose(page, reference):
    page.visit(f"/dossiers/{reference}/beslissing")
    page.get_by_role("heading", level=1).wait_for()
    page.check_accessibility()
    page.get_by_role("button", name="Voorleggen aan de zitting").click()
    expect(page.get_by_text("De beslissing werd aan de zitting voorgelegd.")).to_be_visible()


def test_decisions_through_the_minutes_software_loket_and_a_delegate(
        live, relay, desktop, secretariat, public):
    # Els proposes two dossiers: both land on the college's next open meeting.
    granted, postponed = ready(live, "mantelzorgpremie", 2)
    log_in(desktop, "Els Maes")
    propose(desktop, granted)
    propose(desktop, postponed)
    [first], [second] = items_of(live, granted), items_of(live, postponed)
    assert first["meeting"] == second["meeting"]
    assert first["starts"] - utcnow() < timedelta(days=8)  # this coming week's college
    desktop.check_accessibility()  # the dossier page with its decision panel

    # The outbox hands both items to the minutes software.
    relay.process()
    secretariat.goto(f"{live.simulators}/notulen/")
    expect(secretariat.get_by_role("cell", name=granted, exact=True)).to_be_visible()
    expect(secretariat.get_by_role("cell", name=postponed, exact=True)).to_be_visible()
    # The secretariat holds the meeting there: granted with an amended amount, one postponed.
    secretariat.locator(f"select[name='outcome-{first['id']}']").select_option("amended")
    secretariat.locator(f"input[name='amount-{first['id']}']").fill("275,00")
    secretariat.locator(f"input[name='for-{first['id']}']").fill("5")
    secretariat.locator(f"input[name='against-{first['id']}']").fill("0")
    secretariat.locator(f"input[name='abstaining-{first['id']}']").fill("1")
    secretariat.locator(f"select[name='outcome-{second['id']}']").select_option("postponed")
    secretariat.get_by_role("button", name="Zitting afsluiten en besluiten doorsturen").first\
        .click()
    expect(secretariat.get_by_role("link", name="gepubliceerd besluit")).to_be_visible()

    # Loket recorded the decision from the package's callback.
    [decision] = decisions_of(live, granted)
    assert (decision["outcome"], decision["amended"], decision["amount"], decision["body"]) == \
        ("approved", True, Decimal("275.00"), "college")
    assert decision["publication"].startswith(f"{live.simulators}/notulen/besluiten/")
    desktop.visit(f"/dossiers/{granted}")
    expect(desktop.locator("#beslissing")).to_contain_text("275,00")
    desktop.check_accessibility()
    # The postponed item sits on the following meeting.
    old, moved = items_of(live, postponed)
    assert (old["status"], moved["status"]) == ("postponed", "proposed")
    assert moved["starts"] > old["starts"]
    assert decisions_of(live, postponed) == []

    # The same through Loket's own meeting screen: two more on the next open meeting (the
    # first one is held), which is then being held (its start moved into the past, as the
    # evening of the meeting comes).
    granted_here, postponed_here = ready(live, "mantelzorgpremie", 2)
    propose(desktop, granted_here)
    propose(desktop, postponed_here)
    [here], [later] = items_of(live, granted_here), items_of(live, postponed_here)
    assert here["meeting"] == later["meeting"] != first["meeting"]

    def start_now(db):
        meeting = db.get(Meeting, here["meeting"])
        meeting.starts, meeting.agenda_closes = utcnow() - timedelta(minutes=5), \
            utcnow() - timedelta(days=2)
    change(live, start_now)
    secretariat.context.clear_cookies()
    log_in(secretariat, "Karin Willems")
    secretariat.visit(f"/zittingen/{here['meeting']}")
    secretariat.check_accessibility()
    secretariat.get_by_label(f"Uitkomst van punt {here_position(live, here)}")\
        .select_option("amended")
    secretariat.locator(f"input[name='amount-{here['id']}']").fill("310,00")
    secretariat.locator(f"input[name='for-{here['id']}']").fill("4")
    secretariat.get_by_label(f"Uitkomst van punt {here_position(live, later)}")\
        .select_option("postponed")
    secretariat.get_by_role("button", name="Beslissingen registreren").click()
    expect(secretariat.get_by_text("De beslissingen van de zitting werden geregistreerd."))\
        .to_be_visible()
    secretariat.check_accessibility()
    [decision] = decisions_of(live, granted_here)
    assert (decision["amended"], decision["amount"]) == (True, Decimal("310.00"))
    old, moved = items_of(live, postponed_here)
    assert (old["status"], moved["status"]) == ("postponed", "proposed")
    secretariat.visit(f"/zittingen/{moved['meeting']}")
    expect(secretariat.get_by_role("link", name=postponed_here)).to_be_visible()

    # The public lists of decisions of both meetings: no login, no personal data.
    for meeting, reference in ((first["meeting"], granted), (here["meeting"], granted_here)):
        public.visit(f"/besluitenlijsten/{meeting}")
        expect(public.locator("main")).to_contain_text(f"dossier {reference}")
        expect(public.locator("main")).not_to_contain_text("Jan Peeters")
        public.check_accessibility()

    # A delegated decision: the general director decides a birth premium herself.
    [delegated] = ready(live, "geboortepremie", 1)
    public.context.clear_cookies()
    log_in(public, "Hilde Goossens")
    public.visit(f"/dossiers/{delegated}/beslissing")
    public.check_accessibility()
    public.get_by_label("Referentie van het delegatiebesluit").fill("GR/2025/041")
    public.get_by_label("Goedkeuren").check()
    public.get_by_role("button", name="Beslissing opslaan").click()
    expect(public.locator("#beslissing")).to_contain_text("GR/2025/041")
    public.check_accessibility()
    [decision] = decisions_of(live, delegated)
    assert (decision["outcome"], decision["body"], decision["delegation"]) == \
        ("approved", "official", "GR/2025/041")


def here_position(live, item) -> int:
    return change(live, lambda db: db.get(AgendaItem, item["id"]).position)
