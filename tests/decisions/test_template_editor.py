"""The functional administrator edits a type version's decision template, previews it on a
real dossier, and cannot save (nor publish) a template that names an unknown variable."""

import copy

import pytest
from sqlalchemy import select

from loket.audit.models import AuditEvent
from loket.catalogue.models import CONCEPT, DossierTypeVersion
from loket.decisions import drafting
from loket.security import Role


@pytest.fixture
def admin(login, factories):
    return login(factories.staff(Role.ADMIN))


@pytest.fixture
def concept(dbsession, submitted):
    """A concept version of the heating allowance, of which ``submitted`` is a dossier."""
    published = submitted.type_version
    version = DossierTypeVersion(dossier_type=published.dossier_type,
                                 number=published.number + 1, status=CONCEPT,
                                 definition=copy.deepcopy(published.definition))
    dbsession.add(version)
    dbsession.flush()
    return version


def _editor(testapp, version):
    code = version.dossier_type.code
    return testapp.get(f"/catalogus/{code}/{version.number}/@@beslissingssjabloon")


def test_the_preview_renders_the_edited_template_on_a_real_dossier(testapp, admin, concept,
                                                                   submitted, dbsession):
    form = _editor(testapp, concept).forms["sjabloon"]
    form["title"] = "Toelage voor {{ applicant_name }} <b>vet</b>"
    form["dossier"] = str(submitted.id)
    page = form.submit("action", value="preview")
    preview = page.html.select_one("#voorbeeld")
    assert preview is not None and submitted.reference in page.text
    assert preview.h3.text == "Toelage voor Jan Peeters <b>vet</b>"  # shown as text
    assert "&lt;b&gt;vet&lt;/b&gt;" in page.text and "<b>vet</b>" not in page.text
    dbsession.expire_all()
    assert drafting.KEY not in concept.definition  # a preview saves nothing


def test_an_unknown_variable_is_named_at_preview_and_at_save_and_nothing_changes(
        testapp, admin, concept, submitted, dbsession):
    before = copy.deepcopy(concept.definition)
    form = _editor(testapp, concept).forms["sjabloon"]
    form["motivation"] = "Goed.\n{{ inkomen }}"
    form["dossier"] = str(submitted.id)
    page = form.submit("action", value="preview", status=422)
    assert "motivation, regel 2" in page.text and "inkomen" in page.text
    assert page.forms["sjabloon"]["motivation"].value == "Goed.\n{{ inkomen }}"  # kept
    page = page.forms["sjabloon"].submit("action", value="save", status=400)
    assert "inkomen" in page.text
    dbsession.expire_all()
    assert concept.definition == before


def test_a_runtime_error_is_named_at_preview(testapp, admin, concept, submitted):
    form = _editor(testapp, concept).forms["sjabloon"]
    form["grounds"] = "Regel een\n{{ answers.bestaat_niet }}"
    form["dossier"] = str(submitted.id)
    page = form.submit("action", value="preview", status=422)
    assert "grounds, regel 2" in page.text and "bestaat_niet" in page.text


def test_saving_a_valid_template_changes_the_concept_and_is_audited(testapp, admin, concept,
                                                                    dbsession):
    form = _editor(testapp, concept).forms["sjabloon"]
    form["title"] = "Besluit {{ reference }}"
    form.set("article", "Toegekend aan {{ applicant_name }}.", index=0)
    form.submit("action", value="save", status=302)
    dbsession.expire_all()
    template = concept.definition[drafting.KEY]
    assert template["title"] == "Besluit {{ reference }}"
    assert template["articles"][0] == "Toegekend aan {{ applicant_name }}."
    assert dbsession.scalar(select(AuditEvent).where(AuditEvent.action == "catalogue.update"))


def test_a_published_version_is_previewed_not_changed(testapp, admin, submitted, dbsession):
    published = submitted.type_version
    page = _editor(testapp, published)
    assert page.html.select("button[value=save]") == []
    form = page.forms["sjabloon"]
    form["dossier"] = str(submitted.id)
    assert form.submit("action", value="preview").html.select_one("#voorbeeld") is not None
    fields = dict(form.submit_fields())
    testapp.post(form.action, {**fields, "action": "save"}, status=400)  # posted by hand
    dbsession.expire_all()
    assert drafting.KEY not in published.definition


def test_only_the_functional_administrator_edits(testapp, login, handler, concept):
    login(handler)
    code = concept.dossier_type.code
    testapp.get(f"/catalogus/{code}/{concept.number}/@@beslissingssjabloon", status=403)
