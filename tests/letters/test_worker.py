"""The worker job on its own committed database, as in production: it renders what waits, each
letter in its own transaction; a letter it cannot render keeps its problem and is tried again
(a bounded number of times), and never stops the others."""

import pytest
import transaction
from sqlalchemy import select

from loket.db import get_tm_session
from loket.letters import rendering, services
from loket.letters.models import READY, TO_RENDER, TO_SIGN, Letter
from loket.main import main
from loket.worker import worker_jobs
from tests.conftest import migrate
from tests.factories import Factories
from tests.letters.conftest import record_decision


@pytest.fixture
def own_app(tmp_path_factory, app_settings):
    directory = tmp_path_factory.mktemp("letters-worker")
    url = f"sqlite:///{directory / 'loket.sqlite'}"
    migrate(url)
    app = main({}, **{**app_settings, "sqlalchemy.url": url,
                      "loket.blob_dir": str(directory / "blobs")})
    yield app
    app.registry["db_engine"].dispose()


def committed(app):
    manager = transaction.TransactionManager(explicit=True)
    manager.begin()
    return manager, get_tm_session(app.registry["dbsession_factory"], manager)


def test_the_worker_renders_waiting_letters_and_keeps_the_ones_it_cannot(own_app):
    from loket.decisions.services import add_member, ensure_bodies
    from loket.security import Role

    registry = own_app.registry
    assert worker_jobs(registry)["letters.render"][1] is rendering.job
    manager, dbsession = committed(own_app)
    factories = Factories(dbsession, registry["loket.blobstore"])
    body = ensure_bodies(dbsession)["college"]
    add_member(dbsession, body, "Luc Janssens", "chair", "burgemeester",
               factories.staff(Role.SIGNATORY))
    add_member(dbsession, body, "Hilde Goossens", "secretary", "algemeen directeur",
               factories.staff(Role.SIGNATORY))
    decided = [factories.dossier() for _ in range(3)]
    for dossier in decided:
        record_decision(dbsession, dossier)
        services.create_letter(dbsession, dossier, "decision.granted")
    receipt = services.create_letter(dbsession, factories.dossier(), "receipt")
    orphan = services.create_letter(dbsession, factories.dossier(), "decision.refused")
    ids = {"receipt": receipt.id, "orphan": orphan.id}
    manager.commit()

    assert rendering.job(registry) == {"letters_rendered": 4}
    manager, dbsession = committed(own_app)
    statuses = {letter.id: letter.status for letter in dbsession.scalars(select(Letter))}
    assert statuses[ids["receipt"]] == READY
    assert sorted(statuses.values()).count(TO_SIGN) == 3
    orphan = dbsession.get(Letter, ids["orphan"])
    assert orphan.status == TO_RENDER and orphan.document_id is None
    assert orphan.details["attempts"] == 1
    assert orphan.details["problem"] == "Over dit dossier is nog niet beslist."
    manager.abort()

    for _ in range(rendering.MAX_ATTEMPTS):  # tried again, until the budget is spent
        assert rendering.job(registry) == {"letters_rendered": 0}
    manager, dbsession = committed(own_app)
    assert dbsession.get(Letter, ids["orphan"]).details["attempts"] == rendering.MAX_ATTEMPTS
    manager.abort()
    # Rendering twice changes nothing: a rendered letter is not rendered again.
    assert rendering.render_one(registry, ids["receipt"]) is False


def test_the_demo_letters_render(own_app):
    """The demo's receipts, as ``make run``'s worker renders them (its decision letter is
    ready to send already, for the sending demo)."""
    from loket.demo import load_demo_data

    manager, dbsession = committed(own_app)
    load_demo_data(dbsession, own_app.registry.settings)
    manager.commit()
    assert rendering.job(own_app.registry) == {"letters_rendered": 8}
    manager, dbsession = committed(own_app)
    receipts = list(dbsession.scalars(select(Letter).where(Letter.kind == "receipt")))
    assert len(receipts) == 8
    assert all(r.status == READY and r.document.document_type == "ontvangstbewijs"
               for r in receipts)
    manager.abort()
