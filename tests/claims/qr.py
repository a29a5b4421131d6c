"""Decoding a QR code from an image, as a banking app does (zxing-cpp)."""

import base64
import io

import zxingcpp
from PIL import Image

from loket.claims import epc


def decode_png(data: bytes) -> dict:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))
    assert len(results) == 1, results
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    return epc.payload(results[0].text)


def decode_data_uri(uri: str) -> dict:
    prefix = "data:image/png;base64,"
    assert uri.startswith(prefix)
    return decode_png(base64.b64decode(uri[len(prefix):]))
