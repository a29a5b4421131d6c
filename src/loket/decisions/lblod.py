"""Decisions published as HTML+RDFa in the LBLOD ``besluit`` vocabulary (the publication duty
of local governments; INTEGRATIONS.md §5).

One template, :data:`TEMPLATE`, renders a meeting (``besluit:Zitting``) with its treated agenda
items (``besluit:Agendapunt``, ``besluit:BehandelingVanAgendapunt``), the decision each one
generated (``besluit:Besluit``) and its vote (``besluit:Stemming``), from plain data
(:class:`Publication`): Loket's public list of decisions per meeting (``full=False``: the
reference and the kind of decision, no personal data) and the minutes simulator's published
minutes (``full=True``: motivation, operative part and articles too). Everything is escaped.
"""

from dataclasses import dataclass, field
from datetime import datetime

import jinja2
from markupsafe import Markup

from loket.i18n import local

BESLUIT = "http://data.vlaanderen.be/ns/besluit#"
PREFIXES = {
    "besluit": BESLUIT, "eli": "http://data.europa.eu/eli/ontology#",
    "prov": "http://www.w3.org/ns/prov#", "dct": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#", "xsd": "http://www.w3.org/2001/XMLSchema#",
    "mandaat": "http://data.vlaanderen.be/ns/mandaat#", "foaf": "http://xmlns.com/foaf/0.1/",
}
DUTCH = "http://publications.europa.eu/resource/authority/language/NLD"
# The agenda item type "gepland" (a planned item) of the LBLOD concept scheme.
PLANNED_ITEM = "http://lblod.data.gift/concepts/bdf68a65-ce15-42c8-ae1b-19eeb39e20d0"
RESULTS = {"approved": "goedgekeurd", "amended": "goedgekeurd (geamendeerd)",
           "refused": "afgewezen"}

_ENV = jinja2.Environment(loader=jinja2.PackageLoader("loket.decisions", "templates"),
                          autoescape=True, undefined=jinja2.StrictUndefined,
                          trim_blocks=True, lstrip_blocks=True)


@dataclass
class Member:
    """A mandatary present at the meeting (``mandaat:Mandataris``)."""

    uri: str
    name: str
    title: str = ""


@dataclass
class Treatment:
    """One agenda item as treated: the item, the decision it generated, its vote."""

    uri: str  # of the treatment; the item, decision and vote hang off it
    title: str
    decision_title: str
    result: str  # approved | amended | refused
    motivation: str = ""
    articles: list[str] = field(default_factory=list)
    votes: tuple[int, int, int] | None = None  # for, against, abstaining

    @property
    def item_uri(self) -> str:
        return self.uri + "-agendapunt"

    @property
    def decision_uri(self) -> str:
        return self.uri + "-besluit"

    @property
    def vote_uri(self) -> str:
        return self.uri + "-stemming"

    @property
    def outcome(self) -> str:
        return RESULTS[self.result]


@dataclass
class Publication:
    uri: str  # of the meeting (besluit:Zitting)
    body_uri: str
    body_name: str
    planned: datetime
    started: datetime
    ended: datetime
    treatments: list[Treatment]
    members: list[Member] = field(default_factory=list)
    full: bool = False  # the minutes: motivation and articles; else the list of decisions


def _moment(value: datetime) -> str:
    return local(value).isoformat(timespec="seconds")


def render(publication: Publication) -> Markup:
    """The HTML+RDFa of ``publication`` (a fragment to place in a page)."""
    html = _ENV.get_template("publication.jinja2").render(
        p=publication, prefixes=" ".join(f"{k}: {v}" for k, v in PREFIXES.items()),
        moment=_moment, dutch=DUTCH, planned_item=PLANNED_ITEM,
        day=lambda value: local(value).strftime("%d/%m/%Y %H:%M"))
    return Markup(html)  # noqa: S704 - rendered by an autoescaping environment
