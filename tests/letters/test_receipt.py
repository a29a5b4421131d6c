"""The receipt, a letter the worker renders after the submission: what the citizen sent (the
reference, every answer formatted for people, the attached documents), in the language they
applied in, with the municipality's logo, fetching nothing remote."""

import io
from datetime import UTC, datetime

import pypdf
import pytest

from loket.letters import pdf, services
from tests.letters.conftest import pdf_of, pdf_text, render_waiting

FORM = {"steps": [{"title": {"nl": "Aanvraag", "en": "Application"}, "fields": [
    {"name": "naam", "type": "text", "label": {"nl": "Naam", "en": "Name"}},
    {"name": "geboortedatum", "type": "date",
     "label": {"nl": "Geboortedatum", "en": "Date of birth"}},
    {"name": "bedrag", "type": "amount", "label": {"nl": "Bedrag factuur", "en": "Invoice"}},
    {"name": "brandstof", "type": "choice", "label": {"nl": "Brandstof", "en": "Fuel"},
     "choices": [{"value": "stookolie", "label": {"nl": "Stookolie", "en": "Heating oil"}},
                 {"value": "gas", "label": {"nl": "Aardgas", "en": "Natural gas"}}]},
    {"name": "huurder", "type": "yesno", "label": {"nl": "Huurder", "en": "Tenant"}},
    {"name": "adres", "type": "address", "label": {"nl": "Adres", "en": "Address"},
     "prefill": {"source": "person_register", "attribute": "address"}},
    {"name": "kinderen", "type": "repeat", "label": {"nl": "Kind", "en": "Child"}, "fields": [
        {"name": "voornaam", "type": "text", "label": {"nl": "Voornaam", "en": "First name"}},
    ]},
    {"name": "opmerking", "type": "textarea", "label": {"nl": "Opmerking", "en": "Remark"}},
]}]}
ANSWERS = {
    "naam": "Jan Peeters", "geboortedatum": "1985-03-14", "bedrag": "1234.56",
    "brandstof": "stookolie", "huurder": True,
    "adres": {"street": "Kerkstraat", "number": "12", "box": "", "postcode": "2999",
              "municipality": "Heidebeek"},
    "kinderen": [{"voornaam": "Mila"}, {"voornaam": "Lars"}],
    # An answer holding a URL or markup is text, never fetched nor rendered.
    "opmerking": '<img src="http://127.0.0.1:9/tracker.png"> zie http://example.org',
}


@pytest.fixture
def submitted_now(factories):
    applicant = factories.citizen("Jan", "Peeters")
    version = factories.type_version(
        title={"nl": "Verwarmingstoelage", "en": "Heating allowance"}, form=FORM)
    dossier = factories.dossier(applicant=applicant, type_version=version, data=ANSWERS)
    dossier.submitted = datetime(2026, 3, 2, 13, 5, tzinfo=UTC)  # 14:05 in Brussels
    factories.document(dossier, title="Factuur stookolie", filename="factuur.pdf")
    factories.dbsession.flush()
    factories.dbsession.refresh(dossier)
    return dossier


def receipt_text(request, dossier, **details) -> str:
    letter = services.create_letter(request.dbsession, dossier, "receipt", **details)
    render_waiting(request)
    return pdf_text(pdf_of(request, letter))


def test_the_receipt_holds_reference_answers_and_documents_in_dutch(render_request,
                                                                    submitted_now):
    text = receipt_text(render_request, submitted_now)
    document = submitted_now.documents[0].current
    for expected in (submitted_now.reference, "Verwarmingstoelage", "02/03/2026 14:05",
                     "Jan Peeters", "14/03/1985", "€ 1.234,56", "Stookolie",
                     "Kerkstraat 12, 2999 Heidebeek", "Mila", "Lars", "Factuur stookolie",
                     document.filename, document.sha256[:12], "<img src=\"http://127.0.0.1:9/",
                     "Ontvangstbewijs van je aanvraag", "Je antwoorden", "2999 Heidebeek"):
        assert expected in text, expected


def test_the_receipt_is_in_the_language_the_citizen_applied_in(render_request, submitted_now):
    text = receipt_text(render_request, submitted_now, language="en")
    for expected in ("Receipt of your application", "Heating allowance", "€1,234.56",
                     "Heating oil", "Yes", "Your answers", "Application", "Kind regards"):
        assert expected in text, expected


def test_nothing_remote_is_fetched():
    fetcher = pdf.LetterFetcher(logo=(b"\x89PNG...", "image/png"))
    assert fetcher.fetch(pdf.LOGO_URL).read() == b"\x89PNG..."
    assert fetcher.fetch("data:text/plain,hallo").read() == b"hallo"
    for url in ("http://127.0.0.1:9/x.png", "https://example.org/logo.png",
                "file:///etc/passwd", "ftp://example.org/x"):
        with pytest.raises(pdf.RemoteFetchRefused):
            fetcher.fetch(url)
    assert pytest.raises(pdf.RemoteFetchRefused, pdf.LetterFetcher(None).fetch, pdf.LOGO_URL)


def test_the_municipalitys_logo_is_embedded(render_request, submitted_now, municipality):
    from loket.documents.services import blobstore

    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
           b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05"
           b"\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
    municipality.logo_sha256 = blobstore(render_request).put(png)
    municipality.logo_media_type = "image/png"
    letter = services.create_letter(render_request.dbsession, submitted_now, "receipt")
    render_waiting(render_request)
    reader = pypdf.PdfReader(io.BytesIO(pdf_of(render_request, letter)))
    assert any(reader.pages[0].images), "the logo is in the PDF"


def test_an_oversized_letter_is_refused_clearly(render_request, submitted_now, monkeypatch):
    from loket.letters.rendering import RenderFailed

    monkeypatch.setattr(pdf, "MAX_BYTES", 1000)
    letter = services.create_letter(render_request.dbsession, submitted_now, "receipt")
    with pytest.raises(RenderFailed) as raised:
        render_waiting(render_request)
    assert "too large" in str(raised.value.message)
    assert letter.document_id is None
