"""The dossier shows each letter's signatories and the validated signatures of its current
PDF; the timeline shows each signature."""

from datetime import UTC, datetime

from loket.letters.models import SIGNED
from loket.security import Role
from loket.signing.models import Signature


def test_the_dossier_shows_signatures_and_their_validity(testapp, login, dbsession, factories,
                                                         make_letter, luc, hilde):
    letter = make_letter()
    dossier = letter.dossier
    when = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    for signatory in letter.signatories:
        signatory.status, signatory.signed = SIGNED, when
    version = letter.document.current
    dbsession.add_all([
        Signature(document_version_id=version.id, field_name="Handtekening1",
                  signer="Luc Janssens", function="burgemeester", signed_at=when,
                  level="PAdES B-T", intact=True, trusted=True, valid=True,
                  whole_document=True),
        Signature(document_version_id=version.id, field_name="Handtekening2",
                  signer="Hilde Goossens", function="algemeen directeur", signed_at=when,
                  level="PAdES B-T", intact=False, trusted=True, valid=False,
                  whole_document=False)])
    dbsession.flush()
    handler = factories.staff(Role.HANDLER)
    dossier.team_id = handler.roles[0].team_id
    dbsession.flush()
    login(handler)
    page = testapp.get(f"/dossiers/{dossier.reference}")
    panel = page.html.find(id="handtekeningen")
    rows = [[cell.text.strip() for cell in row.find_all("td")]
            for row in panel.select("tr.signature")]
    assert rows[0][:2] == ["Luc Janssens", "burgemeester"] and rows[0][3] == "PAdES B-T"
    assert rows[1][:2] == ["Hilde Goossens", "algemeen directeur"]
    assert panel.select("tr.signature--valid") and panel.select("tr.signature--invalid")
    assert "2026" in rows[0][2]
    entries = [e.text for e in page.html.select("#tijdlijn .timeline__entry--signature")]
    assert len(entries) == 2
    assert any("Luc Janssens, burgemeester" in e for e in entries)
    assert any("Hilde Goossens, algemeen directeur" in e for e in entries)


def test_a_dossier_without_letters_to_sign_has_no_panel(testapp, login, factories):
    handler = factories.staff(Role.HANDLER)
    dossier = factories.dossier()
    dossier.team_id = handler.roles[0].team_id
    login(handler)
    assert testapp.get(f"/dossiers/{dossier.reference}").html.find(id="handtekeningen") is None
