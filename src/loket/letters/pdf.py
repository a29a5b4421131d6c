"""HTML to a PDF citizens can read and archives can keep: PDF/A-3b, tagged (headings, lists,
tables; ``/Lang``), fonts embedded, XMP metadata and the sRGB output intent (WeasyPrint's
``pdf_variant`` and ``pdf_tags``).

Nothing remote is ever fetched: :class:`LetterFetcher` serves the municipality's logo from
memory and ``data:`` URIs and refuses every other URL (no network, no file system), so a
wording or an answer holding a URL cannot make the server fetch anything.
"""

import functools
import io
import logging
import warnings
from importlib.resources import files

log = logging.getLogger(__name__)

LOGO_URL = "loket-logo:logo"  # the only non-data: URL a layout may name
PDF_VARIANT = "pdf/a-3b"
MAX_BYTES = 5 * 1024 * 1024  # a letter bigger than this is a mistake (a pasted novel …)
# The output intent: WeasyPrint's own sRGB profile, read once. (Its ``output_intent="srgb"``
# opens the file for every PDF and never closes it.)
OUTPUT_INTENT = "loket-srgb"


class RemoteFetchRefused(ValueError):
    pass


class LetterTooLarge(ValueError):
    pass


@functools.cache
def _weasyprint():
    """WeasyPrint (26 MB) is imported where letters are rendered (the worker), not in every
    web process: (HTML, ColorProfile, LetterFetcher, the sRGB profile's bytes)."""
    # It warns at import when the system lacks HarfBuzz-Subset (Debian's
    # libharfbuzz-subset0): fonts are then embedded whole, which is fine for a letter.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "HarfBuzz-Subset will be required",
                                DeprecationWarning)
        from weasyprint import HTML
        from weasyprint.css import ColorProfile
        from weasyprint.urls import URLFetcher, URLFetcherResponse

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

    srgb = files("weasyprint.pdf").joinpath("sRGB2014.icc").read_bytes()
    return HTML, ColorProfile, LetterFetcher, srgb


def __getattr__(name):
    if name == "LetterFetcher":  # the class, for tests of what a letter may fetch
        return _weasyprint()[2]
    raise AttributeError(name)


def write_pdf(html: str, logo: tuple[bytes, str] | None = None) -> bytes:
    """The PDF/A of ``html`` (its ``<html lang>``, ``<title>`` and ``<meta name=author|
    description|keywords>`` become ``/Lang`` and the XMP metadata)."""
    html_document, color_profile, fetcher, srgb = _weasyprint()
    options = {"pdf_variant": PDF_VARIANT, "pdf_tags": True, "output_intent": OUTPUT_INTENT}
    document = html_document(string=html, url_fetcher=fetcher(logo), base_url=None).render(
        **options)
    document.color_profiles[OUTPUT_INTENT] = color_profile(
        io.BytesIO(srgb), "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"]))
    data = document.write_pdf(**options)
    if len(data) > MAX_BYTES:
        raise LetterTooLarge(len(data))
    return data
