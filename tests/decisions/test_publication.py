"""The public list of decisions per meeting (besluitenlijst) as HTML+RDFa that passes the
LBLOD SHACL shapes, without personal data."""

from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

from loket.decisions import services
from loket.workflow.engine import Actor
from tests.decisions.conftest import on_agenda
from tests.decisions.lblod import graph_of, report
from tests.decisions.test_outcome_told import _Request

BESLUIT = Namespace("http://data.vlaanderen.be/ns/besluit#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")


def _held(app, factories, dbsession, meeting, outcomes):
    """Items decided with ``outcomes`` (outcome, votes) on ``meeting``, recorded at once."""
    citizen = factories.citizen(given_name="Jan", family_name="Geheimnaam")
    entries, items = [], []
    for outcome, votes in outcomes:
        item = on_agenda(factories, dbsession, meeting,
                         factories.dossier(applicant=citizen))
        item.title = f"Beslissing over de aanvraag van {citizen.name}"
        item.motivation = "Jan Geheimnaam verdient <b>weinig</b>."
        items.append(item)
        entries.append(services.ItemOutcome(
            item_id=item.id, outcome=outcome, amount="123,45" if outcome == "amended" else "",
            votes_for=str(votes[0]) if votes else "", votes_against=str(votes[1]) if votes else "",
            votes_abstaining=str(votes[2]) if votes else ""))
    services.record_meeting(_Request(app, dbsession), meeting, meeting.version, entries,
                            Actor.system())
    dbsession.flush()
    return items


def test_the_list_of_decisions_passes_the_lblod_shapes(app, testapp, factories, dbsession,
                                                        held_meeting, bodies):
    services.add_member(dbsession, bodies["college"], "Luc Janssens", "chair", "burgemeester")
    services.add_member(dbsession, bodies["college"], "Hilde Goossens", "secretary",
                        "algemeen directeur")
    dbsession.flush()
    dbsession.expire(bodies["college"], ["members"])
    items = _held(app, factories, dbsession, held_meeting,
                  [("approved", (5, 0, 1)), ("amended", (4, 1, 1)), ("refused", None),
                   ("postponed", None)])
    page = testapp.get(f"/besluitenlijsten/{held_meeting.id}")  # public: nobody logged in
    graph = graph_of(page.text)
    conforms, text = report(graph, "decision-list")
    assert conforms, text
    decisions = sorted(graph.subjects(RDF.type, BESLUIT.Besluit))
    assert len(decisions) == 3  # the postponed item generated none
    titles = {str(t) for t in graph.objects(None, ELI.title)}
    assert any(items[0].dossier.reference in t and "goedgekeurd" in t for t in titles)
    assert any(items[2].dossier.reference in t and "afgewezen" in t for t in titles)
    [vote] = [v for v in graph.subjects(RDF.type, BESLUIT.Stemming)
              if (v, BESLUIT.aantalVoorstanders, Literal(5, datatype=XSD.integer)) in graph]
    assert (vote, BESLUIT.aantalOnthouders, Literal(1, datatype=XSD.integer)) in graph
    assert len(set(graph.subjects(RDF.type, URIRef("http://data.vlaanderen.be/ns/mandaat#"
                                                     "Mandataris")))) == 2
    # No personal data: not the applicant's name, nor the motivation, nor the amount.
    for secret in ("Geheimnaam", "weinig", "123,45", "123.45", "€ 123"):
        assert secret not in page.text


def test_the_list_fails_the_shapes_when_a_decision_lacks_its_title(app, testapp, factories,
                                                                  dbsession, held_meeting):
    """The validation can fail: the same list with its titles taken out does not conform."""
    _held(app, factories, dbsession, held_meeting, [("approved", None)])
    page = testapp.get(f"/besluitenlijsten/{held_meeting.id}")
    graph = graph_of(page.text)
    graph.remove((None, ELI.title, None))
    conforms, text = report(graph, "decision-list")
    assert not conforms and "eli/ontology#title" in text


def test_a_meeting_without_decisions_has_no_list(testapp, held_meeting):
    testapp.get(f"/besluitenlijsten/{held_meeting.id}", status=404)
    testapp.get("/besluitenlijsten/999999", status=404)
    testapp.get("/besluitenlijsten/%C2%B2", status=404)


def test_markup_in_a_published_decision_is_escaped():
    from datetime import UTC, datetime

    from loket.decisions import lblod

    moment = datetime(2026, 12, 8, 18, 30, tzinfo=UTC)
    html = lblod.render(lblod.Publication(
        uri="https://x/z", body_uri="https://x/b", body_name="<i>College</i>", planned=moment,
        started=moment, ended=moment, full=True, treatments=[lblod.Treatment(
            uri="https://x/t1", title="<script>alert(1)</script>", decision_title="T",
            result="approved", motivation="<b>vet</b>", articles=["<img src=x>"])]))
    assert "<script>" not in html and "<b>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;vet" in html and "&lt;img" in html
    graph = graph_of(str(html))
    assert "<b>vet</b>" in {str(o) for o in graph.objects(None, BESLUIT.motivering)}
