"""The temporary files of a large request body (pyramid_retry's seekable copy, multipart file
parts) are closed when the request ends, not left to the garbage collector."""

import pytest
import webob.request
from webtest import TestApp

from tests.documents.corpus import PNG

LARGE = b"x" * (64 * 1024)  # above WebOb's limit for keeping a body in memory


@pytest.fixture
def temporary_files(monkeypatch):
    made = []
    original = webob.request.BaseRequest.make_tempfile

    def make_tempfile(self):
        made.append(original(self))
        return made[-1]

    monkeypatch.setattr(webob.request.BaseRequest, "make_tempfile", make_tempfile)
    return made


def test_a_large_body_is_closed_when_the_request_ends(app, temporary_files):
    browser = TestApp(app)
    browser.post("/api/v1/dossiers/2026-000001/notities", LARGE,
                 headers={"Content-Type": "application/json"}, status=401)
    browser.post("/dossiers/2026-000001/documenten/toevoegen",
                 upload_files=[("upload", "groot.png", PNG + LARGE)], status="*")
    assert len(temporary_files) == 2 and all(f.closed for f in temporary_files)
