"""Reading published HTML+RDFa (pyRdfa3: rdflib dropped its RDFa parser in version 6) and
validating it with pyshacl against the public LBLOD shapes in tests/fixtures/lblod."""

import io
from pathlib import Path

from pyRdfa import pyRdfa
from pyshacl import validate
from rdflib import Graph

SHAPES = Path(__file__).parent.parent / "fixtures" / "lblod"
# besluit-shape.ttl uses these prefixes without declaring them (see the README there).
MISSING_PREFIXES = ("@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
                    "@prefix qb: <http://purl.org/linked-data/cube#> .\n")


def graph_of(html: str, base: str = "http://localhost/") -> Graph:
    return pyRdfa(media_type="text/html", base=base).graph_from_source(io.StringIO(html))


def shapes(*names: str) -> Graph:
    graph = Graph()
    for name in names:
        text = (SHAPES / f"{name}.ttl").read_text(encoding="utf-8")
        if "@prefix sh:" not in text:
            text = MISSING_PREFIXES + text
        graph.parse(data=text, format="turtle")
    return graph


def report(data: Graph, *names: str) -> tuple[bool, str]:
    conforms, _graph, text = validate(data, shacl_graph=shapes(*names))
    return conforms, text
