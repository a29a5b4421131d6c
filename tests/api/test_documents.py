"""/api/v1/dossiers/<reference>/documenten: metadata, versions and the bytes."""

import hashlib

import pytest

from loket.demo import demo_pdf
from loket.documents.models import DocumentVersion


@pytest.fixture
def owned_document(login, factories):
    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen)
    document = factories.document(dossier, title="Factuur stookolie")
    login(citizen)
    return dossier, document


def add_version(factories, document, data: bytes):
    version = DocumentVersion(
        version=len(document.versions) + 1, filename="factuur-v2.pdf",
        media_type="application/pdf", size=len(data), sha256=factories.blobstore.put(data))
    document.versions.append(version)
    factories.dbsession.flush()
    return version


def test_documents_of_a_dossier(testapp, owned_document, factories):
    dossier, document = owned_document
    factories.document(dossier, title="Identiteitsbewijs")
    body = testapp.get(f"/api/v1/dossiers/{dossier.reference}/documenten").json
    assert body["dossier"] == dossier.reference
    assert [(d["number"], d["title"]) for d in body["items"]] == [
        (1, "Factuur stookolie"), (2, "Identiteitsbewijs")]
    assert body["items"][0]["links"]["content"].endswith(
        f"/api/v1/dossiers/{dossier.reference}/documenten/1/inhoud")


def test_document_with_versions(testapp, owned_document, factories):
    dossier, document = owned_document
    second = demo_pdf("Factuur, verbeterd")
    add_version(factories, document, second)
    body = testapp.get(f"/api/v1/dossiers/{dossier.reference}/documenten/1").json
    assert body["current_version"] == 2
    assert [v["version"] for v in body["versions"]] == [1, 2]
    latest = body["versions"][1]
    assert latest["sha256"] == hashlib.sha256(second).hexdigest()
    assert latest["size"] == len(second)
    assert latest["media_type"] == "application/pdf"
    assert latest["links"]["content"].endswith("/documenten/1/inhoud?versie=2")


def test_content_downloads_as_attachment(testapp, owned_document, factories):
    dossier, document = owned_document
    original = factories.blobstore.get(document.current.sha256)
    second = demo_pdf("Tweede versie")
    add_version(factories, document, second)
    url = f"/api/v1/dossiers/{dossier.reference}/documenten/1/inhoud"

    current = testapp.get(url)
    assert current.body == second
    assert current.content_type == "application/pdf"
    assert current.headers["Content-Disposition"] == 'attachment; filename="factuur-v2.pdf"'
    assert current.headers["X-Content-Type-Options"] == "nosniff"

    first = testapp.get(url + "?versie=1")
    assert first.body == original
    assert hashlib.sha256(first.body).hexdigest() == document.versions[0].sha256
    assert first.headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize("query,status", [("versie=3", 404), ("versie=0", 400),
                                          ("versie=abc", 400)])
def test_content_of_a_missing_or_bad_version(testapp, owned_document, query, status):
    dossier, _ = owned_document
    response = testapp.get(
        f"/api/v1/dossiers/{dossier.reference}/documenten/1/inhoud?{query}", status=status)
    assert response.json["error"]["status"] == status


def test_missing_document_is_404(testapp, owned_document):
    dossier, _ = owned_document
    for path in ("documenten/9", "documenten/9/inhoud", "documenten/abc", "documenten/0",
                 "documenten/1/inhoud/x", "documenten/1/x"):
        testapp.get(f"/api/v1/dossiers/{dossier.reference}/{path}", status=404)
