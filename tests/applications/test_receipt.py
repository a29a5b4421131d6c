"""The PDF receipt: a real PDF (parsed with pypdf) holding the reference, every answer formatted
for people, the attached documents, in Dutch or English, and fetching nothing remote."""

import io
from datetime import UTC, datetime

import pypdf
import pytest
from pyramid.request import Request
from pyramid.scripting import prepare

from loket.applications import receipt
from loket.i18n import LOCALE_COOKIE

FORM = {"steps": [{"title": {"nl": "Aanvraag", "en": "Application"}, "fields": [
    {"name": "naam", "type": "text", "label": {"nl": "Naam", "en": "Name"}},
    {"name": "geboortedatum", "type": "date",
     "label": {"nl": "Geboortedatum", "en": "Date of birth"}},
    {"name": "bedrag", "type": "amount", "label": {"nl": "Bedrag factuur", "en": "Invoice"}},
    {"name": "brandstof", "type": "choice", "label": {"nl": "Brandstof", "en": "Fuel"},
     "choices": [{"value": "stookolie", "label": {"nl": "Stookolie", "en": "Heating oil"}},
                 {"value": "gas", "label": {"nl": "Aardgas", "en": "Natural gas"}}]},
    {"name": "huurder", "type": "yesno", "label": {"nl": "Huurder", "en": "Tenant"}},
    {"name": "adres", "type": "address", "label": {"nl": "Adres", "en": "Address"}},
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
def submitted(factories):
    applicant = factories.citizen("Jan", "Peeters")
    version = factories.type_version(
        title={"nl": "Verwarmingstoelage", "en": "Heating allowance"}, form=FORM)
    dossier = factories.dossier(applicant=applicant, type_version=version, data=ANSWERS)
    dossier.submitted = datetime(2026, 3, 2, 13, 5, tzinfo=UTC)  # 14:05 in Brussels
    factories.document(dossier, title="Factuur stookolie", filename="factuur.pdf")
    factories.dbsession.flush()
    factories.dbsession.refresh(dossier)
    return dossier


def make_request(app, dbsession, locale=None):
    request = Request.blank("/", environ={"HTTP_HOST": "localhost", "app.dbsession": dbsession})
    if locale:
        request.cookies[LOCALE_COOKIE] = locale
    env = prepare(request=request, registry=app.registry)
    return env


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_receipt_holds_reference_answers_and_documents_in_dutch(app, dbsession, submitted):
    env = make_request(app, dbsession)
    try:
        text = pdf_text(receipt.render_receipt(env["request"], submitted))
    finally:
        env["closer"]()
    document = submitted.documents[0].current
    for expected in (submitted.reference, "Verwarmingstoelage", "02/03/2026 14:05",
                     "Jan Peeters", "14/03/1985", "€ 1.234,56", "Stookolie",
                     "Kerkstraat 12, 2999 Heidebeek", "Mila", "Lars", "Factuur stookolie",
                     document.filename, document.sha256[:12], "<img src=\"http://127.0.0.1:9/"):
        assert expected in text, expected


def test_the_receipt_is_in_english_for_an_english_request(app, dbsession, submitted):
    env = make_request(app, dbsession, locale="en")
    try:
        text = pdf_text(receipt.render_receipt(env["request"], submitted))
    finally:
        env["closer"]()
    for expected in ("Receipt of your application", "Heating allowance", "€1,234.56",
                     "Heating oil", "Yes", "Your answers", "Application"):
        assert expected in text, expected


def test_nothing_remote_is_fetched():
    fetcher = receipt.ReceiptFetcher(logo=(b"\x89PNG...", "image/png"))
    assert fetcher.fetch(receipt.LOGO_URL).read() == b"\x89PNG..."
    assert fetcher.fetch("data:text/plain,hallo").read() == b"hallo"
    for url in ("http://127.0.0.1:9/x.png", "https://example.org/logo.png",
                "file:///etc/passwd", "ftp://example.org/x"):
        with pytest.raises(receipt.RemoteFetchRefused):
            fetcher.fetch(url)
    assert pytest.raises(receipt.RemoteFetchRefused, receipt.ReceiptFetcher(None).fetch,
                         receipt.LOGO_URL)


def test_the_municipalitys_logo_is_embedded(app, dbsession, submitted):
    from loket.documents.services import blobstore

    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00"
           b"\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05"
           b"\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
    env = make_request(app, dbsession)
    try:
        request = env["request"]
        municipality = request.municipality
        municipality.logo_sha256 = blobstore(request).put(png)
        municipality.logo_media_type = "image/png"
        data = receipt.render_receipt(request, submitted)
    finally:
        env["closer"]()
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert any(reader.pages[0].images), "the logo is in the PDF"
