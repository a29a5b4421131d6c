"""Submitting notifies the citizen in the channel they chose, through a real SMTP server."""

from sqlalchemy import select

from loket.demo import demo_pdf
from loket.notifications.models import NotificationPreference
from loket.outbox import deliverers
from loket.outbox.models import OutboxMessage
from tests.applications.helpers import fill_everything, form_posting_to, start
from tests.applications.test_submit import upload


def test_submission_is_notified_by_email(testapp, dbsession, app, jan, magda_on, smtp):
    dbsession.add(NotificationPreference(user_id=jan.id, by_email=True, by_sms=False,
                                         email="jan@example.org", language="nl"))
    dbsession.flush()
    path = start(testapp)
    fill_everything(testapp, path)
    upload(testapp, path, "factuur.pdf", demo_pdf("Factuur"))
    form_posting_to(testapp.get(f"{path}/controleren"), "controleren").submit(status=302)
    messages = list(dbsession.scalars(select(OutboxMessage).where(
        OutboxMessage.kind.in_(("email", "sms")))))
    assert [(m.kind, m.payload["to"], m.payload["transition"]) for m in messages] == [
        ("email", "jan@example.org", "indienen")]
    before = smtp.mailbox.count
    deliverers(app.registry)["email"](messages[0], None)
    assert smtp.mailbox.count == before + 1
    received = smtp.mailbox.messages[-1]
    assert received.rcpt_tos == ["jan@example.org"]
    assert path.rsplit("/", 1)[-1] in received.message.get_body(("plain",)).get_content()
