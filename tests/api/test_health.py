"""/-/health: database, blob store and integrations."""

from sqlalchemy import event

from loket.security import Role


def test_health_ok(make_app, browser_for, fake_op):
    browser = browser_for(make_app(**{"loket.acmidm.issuer": fake_op.issuer}))
    response = browser.get("/-/health", status=200)
    body = response.json
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["database"]["latency_ms"] >= 0
    assert body["blobstore"]["status"] == "ok"
    assert body["integrations"]["acmidm"]["status"] == "ok"
    assert response.headers["Cache-Control"] == "no-store"


def test_health_degraded_when_acmidm_is_unreachable(testapp, app_settings):
    # The test settings point the issuer at 127.0.0.1:9, where nothing listens.
    response = testapp.get("/-/health", status=200)
    body = response.json
    assert body["status"] == "degraded"
    assert body["database"]["status"] == "ok"
    assert body["integrations"]["acmidm"]["status"] == "error"
    assert body["integrations"]["acmidm"]["error"] == "ConnectionError"
    for secret in (app_settings["loket.acmidm.client_secret"], "127.0.0.1", "acmidm/op"):
        assert secret not in response.text


def test_health_degraded_when_acmidm_names_another_issuer(make_app, browser_for, fake_op):
    fake_op.issuer_override = "https://elsewhere.example/op"
    browser = browser_for(make_app(**{"loket.acmidm.issuer": fake_op.issuer}))
    body = browser.get("/-/health", status=200).json
    assert body["status"] == "degraded"
    assert body["integrations"]["acmidm"]["error"] == "IssuerMismatch"


def test_health_probes_integrations_at_most_once_per_interval(make_app, browser_for, fake_op):
    browser = browser_for(make_app(**{"loket.acmidm.issuer": fake_op.issuer,
                                      "loket.health.cache_seconds": "60"}))
    for _ in range(3):
        assert browser.get("/-/health").json["status"] == "ok"
    assert fake_op.hits == 1


def test_health_503_when_the_database_is_unreachable(make_app, tmp_path):
    from tests.api.conftest import ValidatingTestApp

    app = make_app(**{"sqlalchemy.url": f"sqlite:///{tmp_path}/no/such/dir/loket.sqlite"})
    # Not the test's session: this app has to reach (and fail to reach) its own database.
    browser = ValidatingTestApp(app, extra_environ={"HTTP_HOST": "localhost"})
    response = browser.get("/-/health", status=503)
    body = response.json
    assert body["status"] == "unavailable"
    assert body["database"] == {"status": "error", "error": "OperationalError",
                                "latency_ms": body["database"]["latency_ms"]}
    assert str(tmp_path) not in response.text
    app.registry["db_engine"].dispose()


def test_health_503_when_the_blob_store_fails(make_app, browser_for, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    browser = browser_for(make_app(**{"loket.blob_dir": str(blocker / "blobs")}))
    body = browser.get("/-/health", status=503).json
    assert body["status"] == "unavailable"
    assert body["blobstore"]["status"] == "error"
    assert body["database"]["status"] == "ok"


def test_api_gets_write_nothing(testapp, login, factories, app):
    """GET requests to the API and the health endpoint never write to the database."""
    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen)
    factories.document(dossier)
    login(citizen)
    base = f"/api/v1/dossiers/{dossier.reference}"
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = app.registry["db_engine"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        for url in ("/api/v1/", "/api/v1/dossiers", "/api/v1/dossiers?limit=1", base,
                    base + "/documenten", base + "/documenten/1", base + "/documenten/1/inhoud",
                    "/api/v1/openapi.json", "/-/health"):
            testapp.get(url)
        login(factories.staff(Role.HANDLER, team=dossier.team))
        statements.clear()
        testapp.get(base)
        testapp.get("/api/v1/dossiers")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert statements, "the listener saw no statements"
    writes = [s for s in statements if not s.lstrip().upper().startswith("SELECT")]
    assert writes == []
