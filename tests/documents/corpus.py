"""Real files and a corpus of broken and disguised ones, made here (no third-party samples).

Each broken file starts with a valid signature, so only a decoder or parser can refuse it."""

import io
import re
import struct
import zipfile
import zlib

import pikepdf
from PIL import Image

from loket.demo import demo_pdf


def _image(fmt: str, size=(24, 16)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


PNG = _image("PNG")
JPEG = _image("JPEG")
PDF = demo_pdf("Factuur")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data))


def _png_claiming(width: int, height: int) -> bytes:
    """A PNG header that promises a huge image (a decompression bomb's first step)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + _png_chunk(b"IEND", b""))


def _bad_crc_png() -> bytes:
    data = bytearray(PNG)
    data[29] ^= 0xFF  # inside IHDR: its CRC no longer matches
    return bytes(data)


def _encrypted_pdf() -> bytes:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(PDF)) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(owner="o", user="geheim"))
    return out.getvalue()


def _broken_content_pdf() -> bytes:
    # The page's content stream claims a filter its bytes are not: a viewer shows nothing.
    return PDF.replace(b"<< /Length", b"<< /Filter /FlateDecode /Length", 1)


def _no_pages_pdf() -> bytes:
    out = io.BytesIO()
    pikepdf.new().save(out)
    return out.getvalue()


def _shifted_xref_pdf() -> bytes:
    # Every cross-reference entry points 7 bytes past its object.
    start = PDF.index(b"\nxref\n")
    return PDF[:start] + re.sub(rb"(\d{10}) (\d{5}) n", lambda m: b"%010d %s n" % (
        int(m.group(1)) + 7, m.group(2)), PDF[start:])


def _jpeg_claiming(width: int, height: int) -> bytes:
    data = bytearray(JPEG)
    struct.pack_into(">HH", data, data.index(b"\xff\xc0") + 5, height, width)
    return bytes(data)


def _zip_bomb() -> bytes:
    """20 MB of zeros in a 20 kB archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("nullen.txt", b"\0" * (20 * 1024 * 1024))
    return buffer.getvalue()


ZIP_BOMB = _zip_bomb()
PAGE = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"

# name → bytes; every one must be refused as damaged, too large, protected, of a type not
# accepted, or hiding another format.
BROKEN = {
    "jpeg-11-bytes": JPEG[:11],
    "jpeg-half": JPEG[: len(JPEG) // 2],
    "png-header-only": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40,
    "png-bad-crc": _bad_crc_png(),
    "png-truncated": PNG[:-20],
    "png-bomb": _png_claiming(50_000, 50_000),
    "pdf-half": PDF[: len(PDF) // 2],
    "pdf-no-trailer": PDF[: PDF.rindex(b"trailer")],
    "pdf-html-inside": b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n",
    "pdf-broken-stream": _broken_content_pdf(),
    "pdf-no-pages": _no_pages_pdf(),
    "pdf-encrypted": _encrypted_pdf(),
    "pdf-broken-xref": _shifted_xref_pdf(),
    "pdf-wrong-startxref": re.sub(rb"startxref\n\d+", b"startxref\n123", PDF),
    "jpeg-bomb": _jpeg_claiming(60_000, 60_000),
    "zip-bomb-named-pdf": ZIP_BOMB,
    "polyglot-png-html": PNG + PAGE,
    "polyglot-jpeg-zip": JPEG + ZIP_BOMB,
    "polyglot-pdf-html": PDF + PAGE,
}
