"""The channel per recipient, and one press of "Verzenden": what goes out, and what does not."""

import pytest
from sqlalchemy import func, select

from loket.integrations.magda.models import MagdaConsultation
from loket.letters import models as letters
from loket.outbox.models import OutboxMessage
from loket.sending import channel, services
from loket.sending.models import CONSENT, EBOX, NO_CONSENT, OVERRIDE, PAPER, Dispatch
from loket.sending.outgoing import Address
from tests.fixtures.magda import JAN, SOFIE, UNKNOWN


def log_rows(dbsession, service="citizenEboxConsents"):
    return dbsession.scalars(select(MagdaConsultation).where(
        MagdaConsultation.service == service)).all()


def test_jan_consented_so_his_letter_goes_to_his_ebox(app, dbsession, ready_letter,
                                                      use_delivery, use_magda):
    letter = ready_letter(JAN)
    choice = channel.choose(app.registry, dbsession, letter)
    assert (choice.channel, choice.reason, choice.consent) == (EBOX, CONSENT, True)
    assert not choice.problems
    # The lookup is in the legal MAGDA log: whom, for which dossier, for which purpose.
    [row] = log_rows(dbsession)
    assert (row.subject_insz, row.dossier_reference, row.outcome) == (
        JAN, letter.dossier.reference, "ok")
    assert row.purpose == channel.DEFAULT_PURPOSE


def test_sofie_did_not_so_hers_goes_registered_on_paper_to_her_main_residence(
        app, dbsession, ready_letter, use_delivery, use_magda):
    letter = ready_letter(SOFIE)
    choice = channel.choose(app.registry, dbsession, letter)
    assert (choice.channel, choice.reason, choice.consent) == (PAPER, NO_CONSENT, False)
    assert choice.registered  # a decision: it opens a term to object
    assert choice.address is not None and choice.address.postcode.isdigit()
    # Her address came from the person register, logged too.
    assert log_rows(dbsession, "GeefPersoon")


def test_a_letter_without_a_term_to_object_goes_by_ordinary_mail(app, dbsession,
                                                                 ready_letter, use_delivery,
                                                                 use_magda):
    choice = channel.choose(app.registry, dbsession,
                            ready_letter(SOFIE, kind="completion.request",
                                         state="vervollediging_gevraagd"))
    assert (choice.channel, choice.registered) == (PAPER, False)


def test_the_consent_is_cached_briefly(app, dbsession, ready_letter, use_delivery, use_magda,
                                       docdienst):
    letter = ready_letter(JAN)
    channel.choose(app.registry, dbsession, letter)
    channel.choose(app.registry, dbsession, letter)
    assert docdienst.state()["counters"]["consent_lookups"] == 1
    assert len(log_rows(dbsession)) == 1  # an answer from the cache is no consultation


def test_a_failed_consent_lookup_is_shown_and_paper_can_be_chosen_with_a_reason(
        app, dbsession, ready_letter, use_delivery, use_magda, docdienst):
    docdienst.control(consent_status=503)
    letter = ready_letter(JAN)
    choice = channel.choose(app.registry, dbsession, letter)
    assert choice.channel is None and choice.consent is None
    assert "could not be looked up" in str(choice.problems[0])
    [row] = log_rows(dbsession)
    assert row.outcome == "unavailable"  # the failed lookup is logged as well
    with pytest.raises(services.SendRefused) as refused:
        services.send(app.registry, dbsession, letter)
    assert refused.value.status == 409 and letter.status == letters.READY
    assert dbsession.scalar(select(func.count()).select_from(Dispatch)) == 0
    # The handler chooses paper, with a reason: it goes (registered, to the register's address).
    dispatch = services.send(app.registry, dbsession, letter, override=services.Override(
        PAPER, "eBox-raadpleging onbeschikbaar, beslissing moet vandaag weg"))
    assert (dispatch.channel, dispatch.reason, dispatch.registered) == (PAPER, OVERRIDE, True)
    assert dispatch.override_reason.startswith("eBox-raadpleging")
    assert dispatch.address["postcode"]


def test_a_second_press_sends_nothing_twice(app, dbsession, ready_letter, use_delivery,
                                            use_magda):
    letter = ready_letter(JAN)
    first = services.send(app.registry, dbsession, letter, expected_version=letter.version)
    assert letter.status == letters.SENDING and first.channel == EBOX
    with pytest.raises(services.SendRefused) as refused:
        services.send(app.registry, dbsession, letter)
    assert refused.value.status == 409
    assert "not sent twice" in str(refused.value.message)
    assert dbsession.scalar(select(func.count()).select_from(Dispatch)) == 1
    assert dbsession.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.kind == services.OUTBOX_KIND)) == 1


def test_a_page_shown_before_a_change_cannot_send(app, dbsession, ready_letter, use_delivery,
                                                  use_magda):
    letter = ready_letter(JAN)
    with pytest.raises(services.SendRefused) as refused:
        services.send(app.registry, dbsession, letter, expected_version=letter.version + 5)
    assert refused.value.status == 409 and letter.status == letters.READY


@pytest.mark.parametrize("override, message", [
    (services.Override(PAPER, ""), "Give the reason"),
    (services.Override("fax", "omdat"), "Choose eBox or paper"),
    (services.Override(PAPER, "ander adres", Address("Kerkstraat", "1", "12", "Gent")),
     "four digits"),
    (services.Override(PAPER, "ander adres", Address("", "1", "9000", "Gent")), "a street"),
    (services.Override(PAPER, "ander adres", Address("Kerk\x00straat", "1", "9000", "Gent")),
     "cannot be printed"),
])
def test_a_bad_override_is_refused_and_changes_nothing(app, dbsession, ready_letter,
                                                       use_delivery, use_magda, override,
                                                       message):
    letter = ready_letter(SOFIE)
    with pytest.raises(services.SendRefused) as refused:
        services.send(app.registry, dbsession, letter, override=override)
    assert message in str(refused.value.message)
    assert letter.status == letters.READY
    assert dbsession.scalar(select(func.count()).select_from(Dispatch)) == 0


def test_the_ebox_needs_consent_even_when_the_handler_chooses_it(app, dbsession, ready_letter,
                                                                 use_delivery, use_magda):
    with pytest.raises(services.SendRefused) as refused:
        services.send(app.registry, dbsession, ready_letter(SOFIE),
                      override=services.Override(EBOX, "liever digitaal"))
    assert "consent" in str(refused.value.message)


def test_a_recipient_without_an_address_cannot_get_paper(app, dbsession, ready_letter,
                                                         use_delivery, use_magda):
    letter = ready_letter(UNKNOWN)  # the register knows nobody by this number
    choice = channel.choose(app.registry, dbsession, letter)
    assert choice.channel is None
    assert any("no address" in str(p) for p in choice.problems)
    with pytest.raises(services.SendRefused):
        services.send(app.registry, dbsession, letter)
    # With an address the handler enters (and a reason), it goes.
    dispatch = services.send(app.registry, dbsession, letter, override=services.Override(
        PAPER, "adres gekend via het OCMW", Address("Kerkstraat", "12", "9000", "Gent")))
    assert dispatch.address["street"] == "Kerkstraat"


def test_a_letter_over_the_limits_is_refused_before_sending(app, dbsession, ready_letter,
                                                            use_delivery, use_magda,
                                                            monkeypatch):
    letter = ready_letter(JAN)
    monkeypatch.setattr(use_delivery, "max_bytes", letter.document.current.size - 1)
    with pytest.raises(services.SendRefused) as refused:
        services.send(app.registry, dbsession, letter)
    assert "larger than the delivery service accepts" in str(refused.value.message)
    assert letter.status == letters.READY


def test_bulk_sending_decides_each_channel_with_one_lookup(app, dbsession, ready_letter,
                                                           use_delivery, use_magda, docdienst):
    jan, sofie = ready_letter(JAN), ready_letter(SOFIE)
    sent_already = ready_letter(JAN)
    services.send(app.registry, dbsession, sent_already)
    result = services.send_many(app.registry, dbsession, [jan.id, sofie.id, sent_already.id,
                                                          999999])
    channels = {d.letter_id: d.channel for d in result.sent}
    assert channels == {jan.id: EBOX, sofie.id: PAPER}
    assert [(letter.id, "not sent twice" in str(m)) for letter, m in result.refused] == [
        (sent_already.id, True)]
    assert {d.batch for d in result.sent} == {result.batch}
    # Sofie's address is looked up when her letter goes out (the worker), not now.
    assert dict((d.letter_id, d.address) for d in result.sent)[sofie.id] is None
    assert docdienst.state()["counters"]["consent_lookups"] <= 2
