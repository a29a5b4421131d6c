"""Uploading, versioning and downloading documents; every refusal changes nothing."""

import hashlib

import pytest
from sqlalchemy import func, select

from loket.audit.models import AuditEvent
from loket.demo import demo_pdf
from loket.documents.blobstore import BlobStore
from loket.documents.files import FileRejected, check_upload, safe_filename
from loket.documents.models import Document, DocumentVersion
from tests.conftest import csrf_token
from tests.documents.corpus import PNG  # a real, decodable image


@pytest.fixture
def own_dossier(testapp, login, factories):
    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen)
    login(citizen)
    return dossier


def _upload(testapp, dossier, filename, data, title="Bewijs van betaling", status=302):
    form = testapp.get(f"/dossiers/{dossier.reference}/documenten/toevoegen").forms["upload"]
    form["title"] = title
    form["upload"] = (filename, data)
    return form.submit("send", status=status)


def _count(dbsession, model):
    return dbsession.scalar(select(func.count()).select_from(model))


def test_upload_stores_bytes_by_hash_and_audits(testapp, own_dossier, dbsession, app):
    data = demo_pdf("factuur")
    response = _upload(testapp, own_dossier, "Factuur mazout 2026.PDF", data)
    assert response.location.endswith(f"/dossiers/{own_dossier.reference}/")
    document = dbsession.scalars(select(Document).where(
        Document.dossier_id == own_dossier.id)).one()
    version = document.current
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    assert version.filename == "Factuur-mazout-2026.pdf"
    assert app.registry["loket.blobstore"].get(version.sha256) == data
    event = dbsession.scalars(select(AuditEvent).where(
        AuditEvent.action == "document.added")).one()
    assert event.object_id == own_dossier.reference


@pytest.mark.parametrize("filename,data,message", [
    ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 200, "type of file"),
    ("plaatje.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>',
     "type of file"),
    ("leeg.pdf", b"", "empty"),
    ("tekst.pdf", b"just text pretending to be a PDF", "type of file"),
])
def test_disguised_or_empty_files_are_refused(testapp, own_dossier, dbsession, filename, data,
                                              message):
    before = _count(dbsession, DocumentVersion)
    response = _upload(testapp, own_dossier, filename, data, status=400)
    assert "Bewijs van betaling" in response.text  # what the citizen typed is kept
    assert _count(dbsession, DocumentVersion) == before


def test_oversized_file_is_refused(testapp, own_dossier, dbsession):
    before = _count(dbsession, DocumentVersion)
    big = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)
    _upload(testapp, own_dossier, "groot.pdf", big, status=413)
    assert _count(dbsession, DocumentVersion) == before


def test_missing_title_shows_error_next_to_field(testapp, own_dossier, dbsession):
    response = _upload(testapp, own_dossier, "bewijs.pdf", demo_pdf("x"), title="", status=400)
    assert response.html.select(".is-invalid")
    assert _count(dbsession, Document) == 0


def test_download_is_an_attachment_with_safe_name(testapp, own_dossier, factories):
    document = factories.document(own_dossier, filename="../../etc/pass\r\nwd.pdf")
    response = testapp.get(
        f"/dossiers/{own_dossier.reference}/documenten/{document.number}/download")
    assert response.content_type == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="pass-wd.pdf"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.body.startswith(b"%PDF-")


def test_new_version_keeps_the_old_one(testapp, own_dossier, factories, dbsession):
    document = factories.document(own_dossier)
    base = f"/dossiers/{own_dossier.reference}/documenten/{document.number}"
    form = testapp.get(f"{base}/nieuwe-versie").forms["upload"]
    form["upload"] = ("scan.png", PNG)
    form.submit("send", status=302)
    dbsession.refresh(document)
    assert [v.version for v in document.versions] == [1, 2]
    assert testapp.get(f"{base}/download").content_type == "image/png"
    assert testapp.get(f"{base}/download", {"versie": "1"}).content_type == "application/pdf"
    testapp.get(f"{base}/download", {"versie": "7"}, status=404)


def test_citizen_cannot_add_documents_once_decided(testapp, login, factories):
    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen, state="goedgekeurd")
    login(citizen)
    assert "toevoegen" not in testapp.get(f"/dossiers/{dossier.reference}").text
    testapp.get(f"/dossiers/{dossier.reference}/documenten/toevoegen", status=403)
    testapp.post(f"/dossiers/{dossier.reference}/documenten/toevoegen",
                 {"csrf_token": csrf_token(testapp)}, status=403)


def test_check_upload_by_content_not_name():
    assert check_upload(PNG, "foto.pdf").filename == "foto.png"
    with pytest.raises(FileRejected):
        check_upload(b"%PDF-1.4 " + b"x" * 100, "a.pdf", max_size=50)


@pytest.mark.parametrize("name,expected", [
    ("Aanvraag é à.pdf", "Aanvraag-e-a.pdf"), ("C:\\Users\\x\\scan.PDF", "scan.pdf"),
    ("....pdf", "document.pdf"), ('a"b;c.pdf', "a-b-c.pdf"),
])
def test_safe_filename(name, expected):
    assert safe_filename(name, "pdf") == expected


def test_blobstore_is_content_addressed(tmp_path):
    store = BlobStore(tmp_path)
    digest = store.put(b"abc")
    assert store.put(b"abc") == digest
    assert store.get(digest) == b"abc"
    with pytest.raises(ValueError):
        store.path("../../etc/passwd")


def test_missing_file_is_a_clear_error(testapp, own_dossier, dbsession):
    form = testapp.get(f"/dossiers/{own_dossier.reference}/documenten/toevoegen").forms["upload"]
    form["title"] = "Bewijs"
    response = form.submit("send", status=400)
    error = response.html.select_one(".invalid-feedback").text
    assert "pstruct" not in error and "FieldStorage" not in error
    assert _count(dbsession, Document) == 0
