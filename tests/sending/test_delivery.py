"""From the outbox to the citizen: the deliverer hands letters to the Documentendienst
(simulator over HTTP), the tracking job follows them to delivered, read or returned.

Rows are committed: the deliverer and the tracking job work in their own transactions, as in
the worker."""

import pytest
from sqlalchemy import select

from loket.documents.models import Document
from loket.dossiers.models import Dossier
from loket.letters import models as letters
from loket.outbox.models import DEAD, DELIVERED, RETRYING
from loket.sending import delivery, services, tracking
from loket.sending.models import ACCEPTED, EBOX, FAILED, PAPER, QUEUED, READ, RETURNED
from loket.sending.models import DELIVERED as DISPATCH_DELIVERED
from loket.sending.outgoing import Address
from loket.sending.worklist import mail_returned
from tests.fixtures.magda import JAN, SOFIE
from tests.sending.conftest import drain


@pytest.fixture
def sending(app, committed, use_delivery, use_magda, docdienst):
    """``send(letter_id, **kw)`` as the handler's press, committed."""
    def send(letter_id, override=None):
        def press(session):
            letter = session.get(letters.Letter, letter_id)
            return services.send(app.registry, session, letter, override=override).id

        return committed.run(press)

    return send


def test_jan_reads_his_letter_in_the_ebox_and_sofie_gets_hers_by_registered_post(
        app, committed, sending, relay, outbox, docdienst):
    jan = committed.letter(JAN)
    sofie = committed.letter(SOFIE, given_name="Sofie")
    sending(jan), sending(sofie)
    assert drain(relay) == 2
    assert outbox.count(DELIVERED) == 2
    [jan_d], [sofie_d] = committed.dispatches(jan), committed.dispatches(sofie)
    assert (jan_d.status, jan_d.channel) == (ACCEPTED, EBOX) and jan_d.message_id
    assert (sofie_d.status, sofie_d.channel, sofie_d.registered) == (ACCEPTED, PAPER, True)
    published = {m["messageId"]: m for m in docdienst.state()["messages"]}
    assert published[jan_d.message_id]["deliveryChannel"] == "EBOX"
    assert published[sofie_d.message_id]["deliveryChannel"] == "PAPER"

    assert tracking.track(app.registry)["changed"] == 2
    [jan_d], [sofie_d] = committed.dispatches(jan), committed.dispatches(sofie)
    assert jan_d.status == READ and jan_d.delivered and jan_d.read
    assert [e["status"] for e in jan_d.history] == ["accepted", "delivered", "read"]
    assert sofie_d.status == DISPATCH_DELIVERED and sofie_d.barcode.startswith("JJBEA")
    assert [e["status"] for e in sofie_d.history] == ["accepted", "printed", "at_bpost",
                                                      "delivered"]
    assert sofie_d.proof_document_id is not None  # the deposit proof of registered mail
    proof = committed.read(lambda s: s.get(Document, sofie_d.proof_document_id)
                           .current.sha256)
    assert app.registry["loket.blobstore"].get(proof).startswith(b"%PDF-")
    assert committed.letter_status(jan) == committed.letter_status(sofie) == letters.DELIVERED
    # Delivered decision letters: the dossiers took their decision.send step, as the system.
    states = committed.read(lambda s: [s.get(letters.Letter, i).dossier.state
                                       for i in (jan, sofie)])
    assert states == ["beslissing_verzonden", "beslissing_verzonden"]
    # Nothing more to ask: delivered paper and read eBox letters are done.
    assert tracking.track(app.registry)["tracked"] == 0


def test_the_citizen_hears_the_decision_only_when_the_letter_is_delivered(
        app, committed, sending, relay, docdienst):
    docdienst.control(pace=30)  # still on its way
    jan = committed.letter(JAN)
    sending(jan)
    drain(relay)
    tracking.track(app.registry)
    state = committed.read(lambda s: s.get(letters.Letter, jan).dossier.state)
    assert state == "goedgekeurd"
    assert committed.letter_status(jan) == letters.SENDING


def test_the_service_down_leaves_the_letter_pending_and_retried_never_lost(
        app, committed, sending, relay, outbox, docdienst):
    jan = committed.letter(JAN)
    sending(jan)
    docdienst.control(down=True)
    drain(relay)
    assert outbox.count(RETRYING) == 1
    [dispatch] = committed.dispatches(jan)
    assert dispatch.status == QUEUED and committed.letter_status(jan) == letters.SENDING
    docdienst.control(down=False)
    outbox.make_due()
    drain(relay)
    assert outbox.count(DELIVERED) == 1
    assert committed.dispatches(jan)[0].status == ACCEPTED
    assert docdienst.state()["counters"]["published"] == 1


def test_a_refusal_is_a_dead_letter_in_the_register_and_can_be_sent_after_correction(
        app, committed, sending, relay, outbox, docdienst):
    sofie = committed.letter(SOFIE, given_name="Sofie")
    docdienst.control(publish_status=400)
    sending(sofie)
    drain(relay)
    assert outbox.count(DEAD) == 1  # at once: a 4xx is not retried
    [dispatch] = committed.dispatches(sofie)
    assert dispatch.status == FAILED and "HTTP 400" in dispatch.error
    assert committed.letter_status(sofie) == letters.READY  # to be sent again
    docdienst.control(publish_status=0)
    sending(sofie, services.Override(PAPER, "adres verbeterd",
                                     Address("Kerkstraat", "12", "9000", "Gent")))
    drain(relay)
    first, second = committed.dispatches(sofie)
    assert first.resolved and (second.status, second.attempt) == (ACCEPTED, 2)
    assert second.address["street"] == "Kerkstraat"


def test_returned_mail_becomes_a_task_and_goes_again_to_another_address(
        app, committed, sending, relay, docdienst):
    docdienst.control(paper_outcome="address_unknown")
    sofie = committed.letter(SOFIE, given_name="Sofie")
    sending(sofie)
    drain(relay)
    tracking.track(app.registry)
    [dispatch] = committed.dispatches(sofie)
    assert (dispatch.status, dispatch.return_reason) == (RETURNED, "address_unknown")
    assert dispatch.returned and dispatch.barcode
    assert committed.letter_status(sofie) == letters.RETURNED
    on_list = committed.read(lambda s: s.scalars(select(Dossier.id).where(
        mail_returned())).all())
    assert on_list == [dispatch.dossier_id]
    docdienst.control(paper_outcome="delivered")

    def again(session):
        returned = session.get(type(dispatch), dispatch.id)
        return services.resend(app.registry, session, returned, override=services.Override(
            PAPER, "nieuw adres via de burger", Address("Dorpsplein", "3", "9000", "Gent"))).id

    committed.run(again)
    drain(relay)
    tracking.track(app.registry)
    first, second = committed.dispatches(sofie)
    assert first.resolved and second.status == DISPATCH_DELIVERED
    assert committed.letter_status(sofie) == letters.DELIVERED
    assert not committed.read(lambda s: s.scalars(select(Dossier.id).where(
        mail_returned())).all())


def test_a_redelivered_message_is_published_once(app, committed, sending, relay, outbox,
                                                 docdienst, use_delivery):
    """A worker that crashed after the service took the message delivers it again with the
    same Idempotency-Key: the service answers the first message id, nothing new."""
    jan = committed.letter(JAN)
    sending(jan)
    [message] = outbox.all()
    outgoing = delivery.prepare(app.registry, committed.dispatches(jan)[0].id)
    once = use_delivery.publish(outgoing, idempotency_key=message.idempotency_key)
    drain(relay)  # the outbox delivers it (again, as after a crash)
    assert committed.dispatches(jan)[0].message_id == once
    assert docdienst.state()["counters"]["published"] == 1


def test_a_letter_withdrawn_before_it_left_is_not_sent(app, committed, sending, relay,
                                                       outbox, docdienst):
    jan = committed.letter(JAN)
    sending(jan)
    committed.run(lambda s: setattr(s.get(letters.Letter, jan), "status", letters.CANCELLED))
    drain(relay)
    assert outbox.count(DELIVERED) == 1  # nothing left to do
    [dispatch] = committed.dispatches(jan)
    assert dispatch.status == FAILED and "withdrawn" in dispatch.error and dispatch.resolved
    assert docdienst.state()["counters"]["published"] == 0
