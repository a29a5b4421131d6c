"""The handler's dossier page: the application as a person reads it, panels, previews,
the complete timeline, deadlines and steps; and who may not see it."""

import pytest

from loket.outbox import enqueue
from loket.outbox.models import DEAD, DELIVERED
from loket.security import Role
from loket.workflow.models import HistoryEntry
from tests.documents.corpus import PNG


def _text(node):
    return " ".join(node.get_text(" ").split())


def test_application_data_with_labels_and_formatted_values(testapp, login, handler,
                                                            submitted):
    login(handler)
    page = testapp.get(f"/dossiers/{submitted.reference}")
    data = _text(page.html.find(id="gegevens-titel").parent)
    assert "Je gegevens" in data and "De levering" in data  # the form's steps
    assert "Datum van de levering 12/01/2026" in data
    assert "Bedrag van de factuur € 1.420,50" in data
    assert "Brandstof Gasolie verwarming (stookolie)" in data  # the choice's label
    assert "Aantal geleverde liter 1.500" in data
    assert "Kerkstraat 12 bus 2, 3999 Heidebeek" in data
    assert "BE68 5390 0754 7034" in data
    assert "gasolie" not in data.replace("Gasolie", "")  # never the stored code
    # The household as a table, dates formatted.
    table = page.html.find("caption", string=lambda s: s and "Gezinslid" in s).parent
    rows = [[_text(c) for c in tr.find_all(["th", "td"])] for tr in table.tbody.find_all("tr")]
    assert rows == [["An", "Peeters", "04/03/1980"], ["Bo", "Peeters", "30/11/2012"]]


def test_prefilled_values_are_marked(testapp, login, handler, submitted, dutch):
    from loket.i18n import _

    login(handler)
    page = testapp.get(f"/dossiers/{submitted.reference}")
    marker = dutch(_("from the person register"))
    rows = {_text(div.dt): _text(div.dd) for div in
            page.html.find(id="gegevens-titel").parent.select("dl.facts > div")}
    assert marker in rows["Voornaam"] and marker in rows["Adres"]
    assert marker not in rows["E-mailadres"] and marker not in rows["Brandstof"]
    assert dutch(_("Prefill failed: the person register did not answer when the citizen "
                   "applied. Check the personal details yourself.")) not in page.text


def test_failed_prefill_is_shown(testapp, login, handler, submitted, dutch, dbsession):
    from loket.i18n import _

    submitted.prefill = {"status": "failed", "fields": []}
    dbsession.flush()
    login(handler)
    page = testapp.get(f"/dossiers/{submitted.reference}")
    assert dutch(_("Prefill failed: the person register did not answer when the citizen "
                   "applied. Check the personal details yourself.")) in page.text


def test_unexpected_data_is_shown_raw_not_an_error(testapp, login, handler, submitted,
                                                   dbsession):
    submitted.data = {**submitted.data, "factuurbedrag": "1.420,00", "leveringsdatum": "gisteren",
                      "oud_veld": "iets"}
    dbsession.flush()
    login(handler)
    data = _text(testapp.get(f"/dossiers/{submitted.reference}").html.find(
        id="gegevens-titel").parent)
    assert "1.420,00" in data and "gisteren" in data and "Oud veld iets" in data


def test_documents_have_an_inline_preview(testapp, login, handler, submitted):
    login(handler)
    page = testapp.get(f"/dossiers/{submitted.reference}")
    preview = f"/dossiers/{submitted.reference}/documenten/1/bekijken"
    frame = page.html.find("iframe", src=preview)
    assert frame is not None and frame["title"] == "Factuur stookolie"
    response = testapp.get(preview)
    assert response.content_type == "application/pdf"
    assert response.headers["Content-Disposition"] == 'inline; filename="bewijs.pdf"'
    csp = response.headers["Content-Security-Policy"]
    assert "sandbox" in csp.split("; ") and "default-src 'none'" in csp
    assert "script-src" not in csp and "frame-ancestors 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_image_preview_is_an_img(testapp, login, handler, submitted, factories):
    # A real image (the hand-made one here had a wrong IDAT checksum: refused now).
    factories.document(submitted, title="Foto meter", data=PNG, filename="meter.png")
    login(handler)
    page = testapp.get(f"/dossiers/{submitted.reference}")
    image = page.html.find("img", src=f"/dossiers/{submitted.reference}/documenten/2/bekijken")
    assert image is not None and image["alt"] == "Foto meter"
    assert testapp.get(image["src"]).content_type == "image/png"


def test_preview_of_an_unknown_version_is_404(testapp, login, handler, submitted):
    login(handler)
    testapp.get(f"/dossiers/{submitted.reference}/documenten/1/bekijken?versie=7", status=404)


def test_citizen_gets_no_preview(testapp, login, applicant, submitted):
    login(applicant)
    testapp.get(f"/dossiers/{submitted.reference}/documenten/1/bekijken", status=404)
    # Their own download still works as before.
    testapp.get(f"/dossiers/{submitted.reference}/documenten/1/download", status=200)


def test_timeline_has_steps_documents_and_messages_with_delivery_state(
        testapp, login, handler, submitted, dbsession, dutch):
    from loket.dossiers.timeline import DELIVERY_STATES

    dbsession.add(HistoryEntry(dossier_id=submitted.id, actor_id=handler.id,
                               transition="vervollediging_vragen", from_state="ingediend",
                               to_state="vervollediging_gevraagd",
                               comment="Voeg de factuur toe."))
    mail = enqueue(dbsession, "email", {"to": "jan@example.org", "subject": "Je dossier",
                                        "text": "x", "html": "x"}, dossier_id=submitted.id)
    mail.status = DELIVERED
    push = enqueue(dbsession, "dosis.push", {"x": 1}, dossier_id=submitted.id)
    push.status = DEAD
    enqueue(dbsession, "email", {"to": "ander@example.org", "subject": "Ander dossier",
                                 "text": "x", "html": "x"})  # another dossier's: not shown
    dbsession.flush()
    login(handler)
    timeline = testapp.get(f"/dossiers/{submitted.reference}").html.find(id="tijdlijn")
    entries = [_text(li) for li in timeline.find_all("li")]
    text = "\n".join(entries)
    assert "Vervollediging vragen" in text and "Voeg de factuur toe." in text
    assert "Indienen" in text and "Factuur stookolie" in text
    assert any("Je dossier" in e and dutch(DELIVERY_STATES[DELIVERED]) in e for e in entries)
    assert any("DOSIS" in e and dutch(DELIVERY_STATES[DEAD]) in e for e in entries)
    assert "Ander dossier" not in text and "jan@example.org" not in text


def test_deadline_with_time_left(testapp, login, handler, submitted):
    login(handler)
    status = _text(testapp.get(f"/dossiers/{submitted.reference}").html.find(
        id="status-titel").parent)
    # Submitted three days ago, 30 days to decide on admissibility.
    assert "Ontvankelijkheid beoordelen" in status and "27" in status


def test_plain_admissibility_steps_give_way_to_the_decision_form(testapp, login, handler,
                                                                 submitted):
    login(handler)
    page = testapp.get(f"/dossiers/{submitted.reference}")
    transitions = {i["value"] for i in page.html.select("form.step-form input[name=transition]")}
    assert "ontvankelijk_verklaren" not in transitions
    assert "onontvankelijk_verklaren" not in transitions
    assert page.html.find(id="ontvankelijkheid") is not None


@pytest.mark.parametrize("who", ["adviser", "other_handler", "other_citizen"])
def test_others_get_404(testapp, login, factories, submitted, who):
    if who == "adviser":
        user = factories.staff(Role.ADVISER)
    elif who == "other_handler":
        user = factories.staff(Role.HANDLER)
    else:
        user = factories.citizen()
    login(user)
    testapp.get(f"/dossiers/{submitted.reference}", status=404)
    testapp.get(f"/dossiers/{submitted.reference}/documenten/1/bekijken", status=404)


def test_applicant_gets_the_citizen_page(testapp, login, applicant, submitted):
    login(applicant)
    page = testapp.get(f"/dossiers/{submitted.reference}")
    assert page.html.find(id="tijdlijn") is None and page.html.find(id="notities") is None


def test_handler_takes_the_dossier_from_its_page(testapp, login, handler, submitted,
                                                  factories, dbsession):
    login(handler)
    page = testapp.get(f"/dossiers/{submitted.reference}")
    [form] = [f for f in page.forms.values() if "neem" in f.fields]
    form.submit(status=302)
    assert submitted.handler_id == handler.id
    dbsession.expire_all()  # the next request's own session would not know the old handler
    page = testapp.get(f"/dossiers/{submitted.reference}")
    assert page.html.find(id="behandelaar").text == handler.name
    assert not [f for f in page.forms.values() if "neem" in f.fields]
    # Someone who only reads the dossier cannot take it.
    login(factories.staff(Role.SECRETARIAT))
    page = testapp.get(f"/dossiers/{submitted.reference}")
    assert not [f for f in page.forms.values() if "neem" in f.fields]
