"""Every letter kind of this package as a document citizens can read and archives keep:
PDF/A-3b named in the XMP metadata, the sRGB output intent, every font embedded, a structure
tree (headings, tables, lists) and the language; and the letter says what it must (letterhead,
recipient, reference, date, the kind's own part, the signatories)."""

import io

import pikepdf
import pytest

from loket.letters import OWN_KINDS
from loket.letters.models import READY, TO_SIGN
from tests.letters.conftest import pdf_of, pdf_text, render_waiting

PDFA = "{http://www.aiim.org/pdfa/ns/id/}"
DC = "{http://purl.org/dc/elements/1.1/}"


def structure_tags(pdf) -> set[str]:
    found, todo = set(), [pdf.Root.StructTreeRoot]
    while todo:
        node = todo.pop()
        if isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                found.add(str(node.S))
            kids = node.get("/K")
            if isinstance(kids, pikepdf.Array):
                todo.extend(kids)
            elif isinstance(kids, pikepdf.Dictionary):
                todo.append(kids)
    return found


def fonts(pdf):
    for page in pdf.pages:
        for font in page.Resources.Font.values():
            yield from font.DescendantFonts if "/DescendantFonts" in font else [font]


@pytest.mark.parametrize("kind", [code for code, _title, _context in OWN_KINDS])
def test_every_kind_is_a_tagged_pdfa(render_request, letter_of_kind, kind, municipality):
    letter = letter_of_kind(kind)
    render_waiting(render_request)
    data = pdf_of(render_request, letter)
    pdf = pikepdf.open(io.BytesIO(data))

    with pdf.open_metadata() as xmp:
        assert (xmp[f"{PDFA}part"], xmp[f"{PDFA}conformance"]) == ("3", "B")
        assert xmp[f"{DC}title"] == letter.title
        assert xmp[f"{DC}creator"] == ["Gemeente Heidebeek"]
    intent = pdf.Root.OutputIntents[0]
    assert intent.S == "/GTS_PDFA1" and intent.DestOutputProfile.read_bytes()[36:40] == b"acsp"
    embedded = [f for f in fonts(pdf)]
    assert embedded and all(any(k in f.FontDescriptor for k in ("/FontFile", "/FontFile2",
                                                                 "/FontFile3"))
                            for f in embedded)
    assert str(pdf.Root.Lang) == "nl" and pdf.Root.MarkInfo.Marked
    tags = structure_tags(pdf)
    assert {"/Document", "/H1", "/P", "/Table", "/TH", "/TD"} <= tags
    if kind.startswith("decision."):
        assert {"/H2", "/L", "/LI"} <= tags  # the articles are a list

    text = pdf_text(data)
    for expected in ("Gemeente Heidebeek", "Kerkstraat 1", "0207500123", "Jan Peeters",
                     "Kerkstraat 12 bus 2", "3999 Heidebeek", letter.dossier.reference,
                     "Sociale dienst"):
        assert expected in text, expected
    assert letter.title in text


def test_the_decision_letter_holds_articles_objection_and_signatories(
        render_request, letter_of_kind, municipality):
    letter = letter_of_kind("decision.refused")
    render_waiting(render_request)
    assert letter.status == TO_SIGN
    text = pdf_text(pdf_of(render_request, letter))
    for expected in ("geweigerd", "De toelage van 150 euro wordt toegekend.",
                     "Het bedrag wordt binnen 30 dagen betaald.", "30 dagen",
                     "Luc Janssens", "burgemeester", "Hilde Goossens", "algemeen directeur",
                     "College van burgemeester en schepenen"):
        assert expected in text, expected


def test_the_objection_term_is_the_types(render_request, dbsession, factories, college):
    from datetime import timedelta

    from loket.i18n import format_date, local_now
    from loket.letters import services
    from tests.letters.conftest import record_decision

    dossier = factories.dossier(type_version=factories.type_version(objection={"days": 45}))
    record_decision(dbsession, dossier, "refused")
    letter = services.create_letter(dbsession, dossier, "decision.refused")
    render_waiting(render_request)
    text = pdf_text(pdf_of(render_request, letter))
    until = format_date(local_now().date() + timedelta(days=45), "nl")
    assert "45 dagen" in text and until in text


def test_a_receipt_needs_no_signature(render_request, letter_of_kind):
    letter = letter_of_kind("receipt")
    render_waiting(render_request)
    assert (letter.status, letter.needs_signature, letter.signatories) == (READY, False, [])
    assert letter.document.document_type == "ontvangstbewijs"
    assert letter.document.direction == "out"
