"""Content checks in depth: every file of the corpus is refused with a clear message at every
upload point, and real files still pass."""

import pytest
from sqlalchemy import func, select

from loket.documents.content import MAX_PIXELS
from loket.documents.files import FileRejected, check_upload
from loket.documents.models import DocumentVersion
from tests.documents.corpus import BROKEN, JPEG, PDF, PNG

DAMAGED_NL = "beschadigd of onvolledig"


@pytest.mark.parametrize("data,media_type", [(PNG, "image/png"), (JPEG, "image/jpeg"),
                                             (PDF, "application/pdf")])
def test_real_files_pass(data, media_type):
    assert check_upload(data, "bestand").media_type == media_type


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_and_disguised_files_are_refused(name):
    with pytest.raises(FileRejected) as refused:
        check_upload(BROKEN[name], name)
    assert refused.value.reason == ("type" if name.startswith("zip") else "content")


def test_the_messages_name_the_problem():
    def message(name):
        with pytest.raises(FileRejected) as refused:
            check_upload(BROKEN[name], name)
        return refused.value.message

    assert "damaged or incomplete" in message("jpeg-11-bytes")
    assert message("png-bomb").mapping == {"pixels": MAX_PIXELS // 1_000_000}
    assert "password" in message("pdf-encrypted")


def _versions(dbsession):
    return dbsession.scalar(select(func.count()).select_from(DocumentVersion))


@pytest.mark.parametrize("name", ["jpeg-11-bytes", "png-bad-crc", "pdf-half",
                                  "pdf-broken-stream"])
def test_a_document_upload_refuses_a_broken_file_in_dutch(testapp, login, factories,
                                                          dbsession, name):
    citizen = factories.citizen()
    dossier = factories.dossier(applicant=citizen)
    login(citizen)
    before = _versions(dbsession)
    form = testapp.get(f"/dossiers/{dossier.reference}/documenten/toevoegen").forms["upload"]
    form["title"] = "Bewijs van betaling"
    form["upload"] = (f"{name}.pdf", BROKEN[name])
    response = form.submit("send", status=400)
    assert DAMAGED_NL in response.text
    assert "Bewijs van betaling" in response.text  # what was typed is kept
    assert _versions(dbsession) == before
