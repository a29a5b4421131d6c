"""A kind another package registers (the payments' letters): its context, its default wording
naming its own variables, and its fixed part, rendered like this package's own; a type version
may replace the wording."""

import pytest

from loket.letters import services
from loket.letters.kinds import REGISTRY_KEY, LetterKind
from tests.letters.conftest import pdf_of, pdf_text, render_waiting

WORDING = {"subject": {"nl": "Betaalverzoek {{ reference }}"},
           "body": {"nl": "Geachte {{ recipient.name }},\n\nBetaal {{ claim.amount }}."}}


@pytest.fixture
def payment_kind(app, monkeypatch):
    kinds = dict(app.registry.get(REGISTRY_KEY, {}))
    kinds["payment.request"] = LetterKind(
        "payment.request", "Betaalverzoek",
        context=lambda dbsession, letter: {"claim": {"amount": "€ 25,00",
                                                     "reference": "+++090/9337/55493+++"}},
        wording=WORDING, part="tests:letters/templates/payment.jinja2", variables=("claim",))
    monkeypatch.setitem(app.registry, REGISTRY_KEY, kinds)


def test_a_registered_kind_renders_with_its_wording_and_part(render_request, payment_kind,
                                                            dbsession, factories):
    dossier = factories.dossier()
    letter = services.create_letter(dbsession, dossier, "payment.request")
    render_waiting(render_request)
    text = pdf_text(pdf_of(render_request, letter))
    assert letter.title == f"Betaalverzoek {dossier.reference}"
    assert "Betaal € 25,00." in text and "+++090/9337/55493+++" in text
    assert letter.status == "ready"  # no rule for it: no signature


def test_its_variables_are_known_at_publication(app, payment_kind):
    from loket.letters import wording

    assert wording.static_problems("payment.request", WORDING,
                                   wording.known_variables("payment.request", app.registry)) \
        == []
    assert wording.static_problems("decision.granted", WORDING,
                                   wording.known_variables("decision.granted", app.registry))
