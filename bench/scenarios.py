"""What is measured, and against which bare page.

Each scenario names the Loket requests and the matching baseline requests (both cycle through
the same dossiers or teams), the target ratio of Loket's throughput to the baseline's, and
what a correct Loket answer contains (checked once before measuring: a benchmark of error
pages measures nothing).

Pages that later issues added (the meeting, the signing folder, finance's claims, the
objections' worklist) are here too, each against a bare list of as many rows; the figures
that are no page against a bare page have modules of their own (the comment at the end).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from bench.load import Request


@dataclass(frozen=True)
class Dossier:
    id: int
    reference: str
    applicant_id: int
    team_id: int


@dataclass
class Targets:
    """What the scenarios point at, picked from the database of a run (:mod:`bench.run`)."""

    dossiers: list[Dossier]  # with documents and a timeline
    citizen_cookies: dict[int, str]  # applicant id → Cookie header
    handler_cookies: dict[int, str]  # team id → Cookie header of one of its handlers
    teams: list[int]
    api_cursors: dict[int, str]  # team id → API cursor halfway down the team's list
    bare_cursors: dict[int, str]  # team id → baseline ``after`` at the same position
    deep_positions: dict[int, int] = field(default_factory=dict)  # team id → rows skipped
    # team id → /werkbank cursor halfway down the team's open list (sorted by last change)
    worklist_cursors: dict[int, str] = field(default_factory=dict)
    meeting: int = 0  # a college meeting of 200 items being held (bench.meetings)
    secretariat_cookie: str = ""
    signatory_cookie: str = ""  # the mayor, 100 letters in the signing folder (bench.pages)
    finance_cookie: str = ""
    claims_shown: int = 50  # rows of /vorderingen: the open claims, at most 200


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    loket: Callable[[Targets], list[Request]]
    baseline: Callable[[Targets], list[Request]]
    baseline_title: str
    target: float | None  # Loket throughput / baseline throughput, at least
    expect: Callable[[Targets, Request], str] | None = None  # text a correct answer holds
    # Which server answers the "baseline" side: the bare app, or Loket itself (to compare two
    # Loket pages with each other in the same interleaved rounds).
    baseline_server: str = "baseline"


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


MEETING_ITEMS = 200  # bench.meetings.ITEMS
FOLDER_LETTERS = 100  # bench.pages.LETTERS
WORKLIST_FILTER = "lijst=team&status=in_behandeling&sorteer=gewijzigd"
SEARCHES = ("Peeters", "Janssens", "Maes")  # family names of bench.generate (applicants)

SCENARIOS = [
    Scenario(
        "dossier_page", "Citizen's dossier page (logged in; documents, timeline)",
        lambda t: [Request(f"/dossiers/{d.reference}", t.citizen_cookies[d.applicant_id])
                   for d in t.dossiers],
        lambda t: [Request(f"/dossier/{d.id}") for d in t.dossiers],
        "bare single-row page", 0.50,
        expect=lambda t, r: r.path.rsplit("/", 1)[-1],
    ),
    Scenario(
        "staff_dossier_page", "Handler's dossier page (panels, notes, steps, timeline)",
        lambda t: [Request(f"/dossiers/{d.reference}", t.handler_cookies[d.team_id])
                   for d in t.dossiers],
        lambda t: [Request(f"/dossier/{d.id}") for d in t.dossiers],
        "bare single-row page", 0.40,
        expect=lambda t, r: r.path.rsplit("/", 1)[-1],
    ),
    Scenario(
        "dossier_json", "Integrator JSON of a dossier (/api/v1/dossiers/<ref>)",
        lambda t: [Request(f"/api/v1/dossiers/{d.reference}", t.handler_cookies[d.team_id])
                   for d in t.dossiers],
        lambda t: [Request(f"/dossier/{d.id}.json") for d in t.dossiers],
        "bare JSON of one row", 0.60,
        expect=lambda t, r: '"reference"',
    ),
    Scenario(
        "worklist", "Handler's worklist (/werkbank, first page)",
        lambda t: [Request("/werkbank", t.handler_cookies[team]) for team in t.teams],
        lambda t: [Request(f"/list?team={team}") for team in t.teams],
        "bare keyset list (HTML)", 0.70,
        expect=lambda t, r: "<tbody>",
    ),
    Scenario(
        "api_list_first", "API list /api/v1/dossiers, first page",
        lambda t: [Request("/api/v1/dossiers", t.handler_cookies[team]) for team in t.teams],
        lambda t: [Request(f"/list.json?team={team}") for team in t.teams],
        "bare keyset list (JSON)", 0.70,
        expect=lambda t, r: '"next"',
    ),
    Scenario(
        "api_list_deep", "API list /api/v1/dossiers, a deep page (cursor halfway down)",
        lambda t: [Request(f"/api/v1/dossiers?cursor={_quote(t.api_cursors[team])}",
                           t.handler_cookies[team]) for team in t.teams],
        lambda t: [Request(f"/list.json?team={team}&after={_quote(t.bare_cursors[team])}")
                   for team in t.teams],
        "bare keyset list (JSON), same depth", 0.70,
        expect=lambda t, r: '"next"',
    ),
    Scenario(
        "worklist_filtered", "Worklist filtered (team, state in handling, by last change)",
        lambda t: [Request(f"/werkbank?{WORKLIST_FILTER}", t.handler_cookies[team])
                   for team in t.teams],
        lambda t: [Request(f"/list?team={team}") for team in t.teams],
        "bare keyset list (HTML)", 0.50,  # at 1 M (issue 18)
        expect=lambda t, r: 'class="worklists"',
    ),
    Scenario(
        "worklist_search", "Worklist full-text search (a common family name)",
        lambda t: [Request(f"/werkbank?lijst=team&zoek={_quote(name)}", t.handler_cookies[team])
                   for team in t.teams for name in SEARCHES],
        lambda t: [Request(f"/list?team={team}") for team in t.teams for _ in SEARCHES],
        "bare keyset list (HTML)", 0.50,  # at 1 M (issue 18)
        expect=lambda t, r: "<tbody>",
    ),
    Scenario(
        "worklist_deep_vs_first", "Worklist: a deep keyset page against its first page",
        lambda t: [Request(f"/werkbank?lijst=team&sorteer=gewijzigd"
                           f"&na={_quote(t.worklist_cursors[team])}", t.handler_cookies[team])
                   for team in t.teams],
        lambda t: [Request("/werkbank?lijst=team&sorteer=gewijzigd", t.handler_cookies[team])
                   for team in t.teams],
        "Loket's worklist, first page", 0.90,
        expect=lambda t, r: "<tbody>", baseline_server="loket",
    ),
    Scenario(
        "meeting_page", "Secretariat's meeting page (/zittingen/<id>, 200 items to record)",
        lambda t: [Request(f"/zittingen/{t.meeting}", t.secretariat_cookie)],
        lambda t: [Request(f"/list?team={team}&size={MEETING_ITEMS}") for team in t.teams],
        # Each item is a recording form of seven controls: six times a bare row's
        # expressions, so a fifth of the bare list's rate is what such a page can reach.
        f"bare list of {MEETING_ITEMS} rows (HTML)", 0.20,
        expect=lambda t, r: 'id="notulen"',
    ),
    Scenario(
        "signing_folder", f"Signatory's folder (/handtekenmap, {FOLDER_LETTERS} letters of a "
        "meeting)",
        lambda t: [Request("/handtekenmap", t.signatory_cookie)],
        lambda t: [Request(f"/list?team={team}&size={FOLDER_LETTERS}") for team in t.teams],
        # A letter is a row plus an option of the decline menu (twice a bare row) and whose
        # turn it is comes from the signatories: half the worklist's 0.70.
        f"bare list of {FOLDER_LETTERS} rows (HTML)", 0.35,
        expect=lambda t, r: 'name="meeting"',
    ),
    Scenario(
        "claims_list", "Finance's open claims (/vorderingen, up to 200, three counts)",
        lambda t: [Request("/vorderingen", t.finance_cookie)],
        lambda t: [Request(f"/list?team={team}&size={t.claims_shown}") for team in t.teams],
        # A list with the counts of its three lists in the menu: what a filtered worklist is.
        "bare list of as many rows (HTML)", 0.50,
        expect=lambda t, r: 'id="vorderingen"',
    ),
    Scenario(
        "objections_worklist", "Objections' worklist (/werkbank?lijst=bezwaren)",
        lambda t: [Request("/werkbank?lijst=bezwaren", t.handler_cookies[team])
                   for team in t.teams],
        lambda t: [Request(f"/list?team={team}") for team in t.teams],
        # A worklist with a list condition: the filtered worklist's target.
        "bare keyset list (HTML)", 0.50,
        expect=lambda t, r: "Bezwaar",
    ),
    # "Deep page the same as the first page": Loket against Loket, interleaved.
    Scenario(
        "api_deep_vs_first", "API list: deep page against Loket's own first page",
        lambda t: [Request(f"/api/v1/dossiers?cursor={_quote(t.api_cursors[team])}",
                           t.handler_cookies[team]) for team in t.teams],
        lambda t: [Request("/api/v1/dossiers", t.handler_cookies[team]) for team in t.teams],
        "Loket's API list, first page", 0.90,
        expect=lambda t, r: '"next"', baseline_server="loket",
    ),
]

# Scaling (PostgreSQL): p50 at the largest size over p50 at the smallest, at most.
SCALING = {"worklist": 1.3, "dossier_page": 1.3}

# Figures that are not a page against a bare page: their own modules, run by `make bench`
# (targets there): application submissions per second (bench.submissions), outbox deliveries
# per second per worker (bench.outbox), decision letters (bench.letters), sending and the
# register of outgoing mail at 1 M rows (bench.sending), signing (bench.signing), payment
# orders (bench.payments); resident memory per worker after 10,000 mixed requests is read by
# bench.run (MEMORY_AIM_MB).
