"""The PDF receipt of a submitted application: what the citizen sent, as they can keep it.

Rendered by WeasyPrint from ``templates/receipt.jinja2`` in the request's language. Nothing
remote is ever fetched: :class:`ReceiptFetcher` serves the municipality's logo from memory and
``data:`` URIs, and refuses every other URL (no network, no file system), so a definition or
an answer holding a URL cannot make the server fetch anything.

The answers are those of the summary page, per step and formatted alike
(:func:`loket.applications.presentation.summary_sections`: dates dd/mm/yyyy, amounts
``€ 1.234,56``, choices and yes/no by their label, repeats one line per item).
"""

import logging
import warnings

from pyramid.renderers import render

# WeasyPrint warns at import when the system lacks HarfBuzz-Subset (Debian's
# libharfbuzz-subset0): fonts are then embedded whole, which is fine for a receipt.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "HarfBuzz-Subset will be required", DeprecationWarning)
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

from loket.applications.presentation import summary_sections
from loket.catalogue.definition import text
from loket.catalogue.formbuilder import locale_of
from loket.documents.services import blobstore
from loket.i18n import format_datetime

log = logging.getLogger(__name__)

TEMPLATE = "loket:applications/templates/receipt.jinja2"
LOGO_URL = "loket-logo:logo"  # the only non-data: URL the template may name


class RemoteFetchRefused(ValueError):
    pass


class ReceiptFetcher(URLFetcher):
    """WeasyPrint's fetcher for one receipt: the logo from memory and data: URIs, nothing
    else (no network, no file system)."""

    def __init__(self, logo: tuple[bytes, str] | None):
        super().__init__(allowed_protocols=("data",), allow_redirects=False)
        self.logo = logo

    def fetch(self, url, headers=None):
        if url == LOGO_URL and self.logo is not None:
            return URLFetcherResponse(url, self.logo[0], {"Content-Type": self.logo[1]})
        if url.startswith("data:"):
            return super().fetch(url, headers)
        log.warning("receipt: refused to fetch a resource (scheme %s)", url.split(":", 1)[0])
        raise RemoteFetchRefused("the receipt fetches nothing remote")


def _logo(request) -> tuple[bytes, str] | None:
    municipality = request.municipality
    if not municipality.logo_sha256 or not municipality.logo_media_type:
        return None
    try:
        return blobstore(request).get(municipality.logo_sha256), municipality.logo_media_type
    except OSError:  # a missing logo never stops the receipt
        log.warning("receipt: the municipality's logo is not in the blob store")
        return None


def receipt_values(request, dossier) -> dict:
    locale = locale_of(request)
    definition = dossier.type_version.definition
    documents = sorted((d for d in dossier.documents if d.direction == "in"),
                       key=lambda d: d.number)
    logo = _logo(request)
    return {
        "locale": locale,
        "municipality": request.municipality,
        "logo_url": LOGO_URL if logo else None,
        "dossier": dossier,
        "type_title": text(definition.get("title"), locale) or dossier.title,
        "submitted": format_datetime(dossier.submitted, locale) or None,
        "applicant": dossier.applicant.name,
        "sections": summary_sections(request, dossier),
        "documents": [{"title": d.title, "filename": d.current.filename,
                       "sha256": d.current.sha256[:12]} for d in documents],
        "_logo": logo,
    }


def render_receipt(request, dossier) -> bytes:
    """The receipt of ``dossier`` as PDF bytes, in the request's language."""
    values = receipt_values(request, dossier)
    logo = values.pop("_logo")
    html = render(TEMPLATE, values, request=request)
    return HTML(string=html, url_fetcher=ReceiptFetcher(logo), base_url=None).write_pdf()
