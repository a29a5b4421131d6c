"""HTML to a PDF citizens can read and archives can keep: PDF/A-3b, tagged (headings, lists,
tables; ``/Lang``), fonts embedded, XMP metadata and the sRGB output intent (WeasyPrint's
``pdf_variant`` and ``pdf_tags``).

Nothing remote is ever fetched: :class:`LetterFetcher` serves the municipality's logo from
memory and ``data:`` URIs and refuses every other URL (no network, no file system), so a
wording or an answer holding a URL cannot make the server fetch anything.
"""

import io
import logging
import warnings
from importlib.resources import files

# WeasyPrint warns at import when the system lacks HarfBuzz-Subset (Debian's
# libharfbuzz-subset0): fonts are then embedded whole, which is fine for a letter.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "HarfBuzz-Subset will be required", DeprecationWarning)
    from weasyprint import HTML
    from weasyprint.css import ColorProfile
    from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)

LOGO_URL = "loket-logo:logo"  # the only non-data: URL a layout may name
PDF_VARIANT = "pdf/a-3b"
MAX_BYTES = 5 * 1024 * 1024  # a letter bigger than this is a mistake (a pasted novel …)
# The output intent: WeasyPrint's own sRGB profile, read once. (Its ``output_intent="srgb"``
# opens the file for every PDF and never closes it.)
OUTPUT_INTENT = "loket-srgb"
SRGB = files("weasyprint.pdf").joinpath("sRGB2014.icc").read_bytes()


class RemoteFetchRefused(ValueError):
    pass


class LetterTooLarge(ValueError):
    pass


class LetterFetcher(URLFetcher):
    """WeasyPrint's fetcher for one letter: the logo from memory and data: URIs, nothing
    else."""

    def __init__(self, logo: tuple[bytes, str] | None):
        super().__init__(allowed_protocols=("data",), allow_redirects=False)
        self.logo = logo

    def fetch(self, url, headers=None):
        if url == LOGO_URL and self.logo is not None:
            return URLFetcherResponse(url, self.logo[0], {"Content-Type": self.logo[1]})
        if url.startswith("data:"):
            return super().fetch(url, headers)
        log.warning("letter: refused to fetch a resource (scheme %s)", url.split(":", 1)[0])
        raise RemoteFetchRefused("a letter fetches nothing remote")


def write_pdf(html: str, logo: tuple[bytes, str] | None = None) -> bytes:
    """The PDF/A of ``html`` (its ``<html lang>``, ``<title>`` and ``<meta name=author|
    description|keywords>`` become ``/Lang`` and the XMP metadata)."""
    options = {"pdf_variant": PDF_VARIANT, "pdf_tags": True, "output_intent": OUTPUT_INTENT}
    document = HTML(string=html, url_fetcher=LetterFetcher(logo), base_url=None).render(
        **options)
    document.color_profiles[OUTPUT_INTENT] = ColorProfile(
        io.BytesIO(SRGB), "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"]))
    data = document.write_pdf(**options)
    if len(data) > MAX_BYTES:
        raise LetterTooLarge(len(data))
    return data
