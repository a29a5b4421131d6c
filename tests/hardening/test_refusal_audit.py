"""A refused API request's audit row, written after the request's rollback, joins the hash
chain like every other row and keeps the time of the refusal."""

from sqlalchemy import select
from webtest import TestApp

from loket.audit.chain import verify
from loket.audit.models import AuditEvent
from loket.db import utcnow


def test_a_refusal_written_after_the_rollback_is_chained(make_committed_app):
    app = make_committed_app()
    before = utcnow()
    TestApp(app).get("/api/v1/dossiers", headers={"Authorization": "Bearer not-a-token"},
                     status=401)
    with app.registry["dbsession_factory"]() as session:
        [event] = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "api.token_rejected")).all()
        assert event.chain_seq is not None and event.chain_hash
        assert before <= event.occurred <= utcnow()
        assert list(verify(session, "audit")) == []
