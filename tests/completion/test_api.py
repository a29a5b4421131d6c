"""Completion as JSON: the open request, and the citizen's answer as a multipart body."""

from sqlalchemy import func, select

from loket.demo import demo_pdf
from loket.documents.models import Document
from loket.security import Role
from tests.completion.conftest import QUESTION
from tests.conftest import csrf_token


def _url(dossier):
    return f"/api/v1/dossiers/{dossier.reference}/vervollediging"


def _post(testapp, dossier, fields, files=(), status=200, token=None):
    return testapp.post(_url(dossier), [(k, str(v)) for k, v in fields.items()],
                        upload_files=list(files), status=status,
                        headers={"X-CSRF-Token": token or csrf_token(testapp)})


def test_get_the_open_request(testapp, login, asked):
    login(asked["citizen"])
    body = testapp.get(_url(asked["dossier"])).json
    assert body["question"] == QUESTION
    assert body["version"] == asked["dossier"].version
    assert body["due"] == asked["due"].isoformat()
    [document] = body["documents"]
    assert document["code"] == "factuur"
    assert document["media_types"] == ["application/pdf", "image/png"]
    assert document["max_size"] == 1024 * 1024  # the installation's limit is the smaller


def test_nothing_asked_or_not_theirs_is_404(testapp, login, world, asked, factories):
    login(asked["citizen"])
    other = factories.dossier(applicant=asked["citizen"])
    testapp.get(_url(other), status=404)
    login(factories.citizen())
    testapp.get(_url(asked["dossier"]), status=404)
    testapp.post(_url(asked["dossier"]), {"version": "1"}, status=404,
                 headers={"X-CSRF-Token": csrf_token(testapp)})


def test_answer_with_the_document(testapp, login, asked, dbsession):
    login(asked["citizen"])
    body = _post(testapp, asked["dossier"],
                 {"version": asked["dossier"].version, "answer": "Hierbij."},
                 [("factuur", "factuur.pdf", demo_pdf("factuur"))]).json
    assert body["state"] == "ingediend"
    assert body["version"] == asked["dossier"].version
    [link] = body["documents"]
    number = dbsession.scalars(select(Document.number)).one()
    assert link.endswith(f"/dossiers/{asked['dossier'].reference}/documenten/{number}")
    assert asked["completion"].answer == "Hierbij."


def test_bad_answers_change_nothing(testapp, login, asked, dbsession):
    login(asked["citizen"])
    dossier, version = asked["dossier"], asked["dossier"].version
    cases = [
        ({"version": version}, [], "factuur"),  # nothing sent, nothing explained
        ({"version": version}, [("factuur", "f.pdf", b"not a pdf at all")], "factuur"),
        ({"version": version, "answer": "x"}, [("paspoort", "p.pdf", demo_pdf("p"))],
         "paspoort"),
        ({"answer": "x"}, [], "version"),
    ]
    for fields, files, name in cases:
        error = _post(testapp, dossier, fields, files, status=400).json["error"]
        assert name in [d.get("name") for d in error["details"]], error
    _post(testapp, dossier, {"version": version - 1, "answer": "x"}, status=409)
    assert dossier.state == "vervollediging_gevraagd"
    assert asked["completion"].answered is None
    assert dbsession.scalar(select(func.count()).select_from(Document)) == 0


def test_the_handler_cannot_answer(testapp, login, asked):
    login(asked["handler"])
    testapp.get(_url(asked["dossier"]))  # may read what was asked
    _post(testapp, asked["dossier"], {"version": asked["dossier"].version, "answer": "x"},
          status=403)
    login(asked["citizen"])
    assert asked["dossier"].state == "vervollediging_gevraagd"


def test_staff_of_another_team_sees_nothing(testapp, login, asked, factories):
    login(factories.staff(Role.HANDLER))
    testapp.get(_url(asked["dossier"]), status=404)
