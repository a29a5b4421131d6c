"""The corpus of broken and disguised files (tests/documents/corpus.py) through every upload
point of Loket, pages and API: each file is refused with a clear Dutch message, and nothing is
stored (no document, no version, no file in the store, no logo)."""

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from loket.db import utcnow
from loket.documents import content
from loket.documents.models import Document, DocumentVersion
from loket.municipality.models import Municipality
from loket.security import Role
from tests.completion.conftest import DOCUMENTS as ASKED_DOCUMENTS
from tests.completion.conftest import service_request
from tests.conftest import csrf_token
from tests.documents.corpus import BROKEN, PNG
from tests.municipality.test_settings_page import VALID

# What each refusal says, by the start of the corpus name; damaged files say content.BROKEN.
# A file of a type the point does not take (a ZIP anywhere, a PDF as logo) is refused for its
# type, in words that differ per point (each names what it takes) but share "aanvaard".
EXPECTED = {"polyglot": content.HIDDEN_CONTENT, "png-bomb": content.TOO_LARGE_IMAGE,
            "jpeg-bomb": content.TOO_LARGE_IMAGE, "pdf-encrypted": content.ENCRYPTED_PDF}


# An invoice in any of the three accepted types: each file reaches the content check.
DOCUMENTS = [{**ASKED_DOCUMENTS[0], "media_types": ["application/pdf", "image/png",
                                                    "image/jpeg"]}]


@dataclass
class UploadPoint:
    send: object  # (filename, data) -> response
    stored: object  # () -> something that changes when anything is stored
    accepts: tuple = ("pdf", "png", "jpeg")  # other files are refused for their type


def _count(dbsession, model) -> int:
    dbsession.flush()
    return dbsession.scalar(select(func.count()).select_from(model))


def _blobs(app) -> int:
    return sum(1 for p in app.registry["loket.blobstore"].root.rglob("*") if p.is_file())


def _documents(dbsession, app):
    return lambda: (_count(dbsession, Document), _count(dbsession, DocumentVersion), _blobs(app))


def _form(page, name=None, ending=None):
    if name is not None:
        return page.forms[name]
    return next(f for f in page.forms.values()
                if (f.action or "").split("?")[0].rstrip("/").endswith(ending))


def _citizen_dossier(factories, login, state="ingediend", **kw):
    citizen = factories.citizen(given_name="Jan")
    dossier = factories.dossier(applicant=citizen, state=state, **kw)
    login(citizen)
    return citizen, dossier


def document_added(testapp, login, factories, dbsession, app):
    _, dossier = _citizen_dossier(factories, login)

    def send(name, data):
        form = testapp.get(f"/dossiers/{dossier.reference}/documenten/toevoegen").forms["upload"]
        form["title"] = "Bewijs van betaling"
        form["upload"] = (name, data)
        return form.submit("send", status="*")

    return UploadPoint(send, _documents(dbsession, app))


def document_added_by_staff(testapp, login, factories, dbsession, app):
    team = factories.team()
    dossier = factories.dossier(team=team, state="in_behandeling")
    login(factories.staff(Role.HANDLER, team=team))

    def send(name, data):
        form = testapp.get(f"/dossiers/{dossier.reference}/documenten/toevoegen").forms["upload"]
        form["title"] = "Verslag huisbezoek"
        form["upload"] = (name, data)
        return form.submit("send", status="*")

    return UploadPoint(send, _documents(dbsession, app))


def document_version(testapp, login, factories, dbsession, app):
    _, dossier = _citizen_dossier(factories, login)
    factories.document(dossier)

    def send(name, data):
        form = testapp.get(f"/dossiers/{dossier.reference}/documenten/1/nieuwe-versie"
                           ).forms["upload"]
        form["upload"] = (name, data)
        return form.submit("send", status="*")

    return UploadPoint(send, _documents(dbsession, app))


def application_page(testapp, login, factories, dbsession, app):
    type_version = factories.type_version(documents=DOCUMENTS)
    _, draft = _citizen_dossier(factories, login, state="concept", type_version=type_version)

    def send(name, data):
        form = _form(testapp.get(f"/dossiers/{draft.reference}/bijlagen"), ending="bijlagen")
        form["bestand"] = (name, data)
        return form.submit("opladen", status="*")

    return UploadPoint(send, _documents(dbsession, app))


def application_api(testapp, login, factories, dbsession, app):
    type_version = factories.type_version(documents=DOCUMENTS)
    _, draft = _citizen_dossier(factories, login, state="concept", type_version=type_version)

    def send(name, data):
        return testapp.post(f"/api/v1/dossiers/{draft.reference}/bijlagen/factuur",
                            upload_files=[("bestand", name, data)], status="*",
                            headers={"X-CSRF-Token": csrf_token(testapp)})

    return UploadPoint(send, _documents(dbsession, app))


def _asked(app, dbsession, factories, login):
    from loket.completion.services import request_completion

    team = factories.team()
    type_version = factories.type_version(documents=DOCUMENTS)
    citizen, dossier = _citizen_dossier(factories, login, team=team, type_version=type_version)
    handler = factories.staff(Role.HANDLER, team=team)
    request_completion(service_request(app, dbsession, handler), dossier, "Bezorg de factuur.",
                       ["factuur"], utcnow().date() + timedelta(days=14), dossier.version)
    return dossier


def completion_page(testapp, login, factories, dbsession, app):
    dossier = _asked(app, dbsession, factories, login)

    def send(name, data):
        form = testapp.get(f"/dossiers/{dossier.reference}").forms["vervollediging"]
        form["answer"] = "Hierbij de factuur."
        form["upload"] = (name, data)
        return form.submit("send", status="*")

    return UploadPoint(send, _documents(dbsession, app))


def completion_api(testapp, login, factories, dbsession, app):
    dossier = _asked(app, dbsession, factories, login)

    def send(name, data):
        return testapp.post(f"/api/v1/dossiers/{dossier.reference}/vervollediging",
                            [("version", str(dossier.version)), ("answer", "Hierbij.")],
                            upload_files=[("factuur", name, data)], status="*",
                            headers={"X-CSRF-Token": csrf_token(testapp)})

    return UploadPoint(send, _documents(dbsession, app))


def advice_answer(testapp, login, factories, dbsession, app):
    team, advice_team = factories.team(), factories.team()
    dossier = factories.dossier(team=team, state="in_behandeling")
    shared_doc = factories.document(dossier, title="Aanslagbiljet")
    adviser = factories.staff(Role.ADVISER, team=advice_team)  # a team with advisers
    login(factories.staff(Role.HANDLER, team=team))
    testapp.post(f"/dossiers/{dossier.reference}/adviezen/aanvragen", [
        ("csrf_token", csrf_token(testapp)), ("target", f"team:{advice_team.code}"),
        ("email", ""), ("question", "Klopt het inkomen?"), ("due", "2099-01-31"),
        ("__start__", "fields:sequence"), ("__end__", "fields:sequence"),
        ("__start__", "documents:sequence"), ("checkbox", str(shared_doc.number)),
        ("__end__", "documents:sequence")], status=302)
    login(adviser)

    def send(name, data):
        form = testapp.get(f"/dossiers/{dossier.reference}/adviezen/1/").forms["advies"]
        form["opinion"] = "favourable"
        form["upload"] = (name, data)
        return form.submit("answer", status="*")

    return UploadPoint(send, _documents(dbsession, app))


def municipality_logo(testapp, login, factories, dbsession, app):
    login(factories.staff(Role.ADMIN))

    def send(name, data):
        form = testapp.get("/beheer/gemeente").forms["gemeente"]
        for key, value in VALID.items():
            form[key] = value
        form["upload"] = (name, data)
        return form.submit("save", status="*")

    def stored():
        row = dbsession.get(Municipality, 1)
        return (row.logo_sha256 if row else None), _blobs(app)

    return UploadPoint(send, stored, accepts=("png", "jpeg"))


UPLOAD_POINTS = [document_added, document_added_by_staff, document_version, application_page,
                 application_api, completion_page, completion_api, advice_answer,
                 municipality_logo]


def _said(response) -> str:
    if response.content_type == "application/json":
        return json.dumps(response.json, ensure_ascii=False)
    return BeautifulSoup(response.text, "html.parser").get_text(" ", strip=True)


def _expected(name, accepts, dutch) -> str:
    kind = name.split("-")[1 if name.startswith("polyglot") else 0]
    if kind not in accepts:
        return "aanvaard"
    message = next((m for start, m in EXPECTED.items() if name.startswith(start)),
                   content.BROKEN)
    return dutch(message)


@pytest.mark.parametrize("point", UPLOAD_POINTS, ids=lambda p: p.__name__)
def test_every_upload_point_refuses_every_bad_file_in_dutch(point, testapp, login, factories,
                                                            dbsession, app, dutch):
    upload = point(testapp, login, factories, dbsession, app)
    before = upload.stored()
    wrong = {}
    for name, data in sorted(BROKEN.items()):
        response = upload.send(f"{name}.pdf", data)
        expected = _expected(name, upload.accepts, dutch)
        if response.status_int not in (400, 413, 422) or expected not in _said(response):
            wrong[name] = (response.status_int, _said(response)[:300])
        if upload.stored() != before:
            wrong[name] = "stored"
            before = upload.stored()
    assert not wrong, wrong
    # The measure of "stored" is real: a good file is taken, and shows in it.
    assert upload.send("goed.png", PNG).status_int in (200, 201, 302)
    assert upload.stored() != before
