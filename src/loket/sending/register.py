"""The register of outgoing mail: every dispatch, searchable, filtered, newest first.

Keyset pagination on the dispatch id (``before``): a page is one index range however large
the register grows. A handler sees their teams' dossiers' mail; the secretariat all of it.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager

from loket.dossiers.models import Dossier
from loket.i18n import end_of_local_day, format_datetime, start_of_local_day
from loket.security import Role
from loket.sending.models import CHANNELS, FAILED, RETURNED, STATUSES, Dispatch
from loket.web.inputs import parse_id

PAGE = 50
CSV_LIMIT = 100_000


@dataclass(frozen=True)
class Filters:
    q: str = ""
    channel: str = ""
    status: str = ""
    kind: str = ""
    since: date | None = None
    until: date | None = None
    open_tasks: bool = False  # returned or refused mail nobody dealt with yet
    batch: str = ""  # one bulk sending
    before: int | None = None

    @classmethod
    def from_params(cls, params) -> "Filters":
        def day(name):
            try:
                return date.fromisoformat(params.get(name) or "")
            except ValueError:
                return None

        q = (params.get("q") or "").strip()[:100]
        return cls(q=q if q.isprintable() else "",
                   channel=params.get("channel") if params.get("channel") in CHANNELS else "",
                   status=params.get("status") if params.get("status") in STATUSES else "",
                   kind=(params.get("kind") or "")[:64] if (params.get("kind") or "")
                   .replace(".", "").replace("_", "").isalnum() else "",
                   since=day("since"), until=day("until"),
                   open_tasks=params.get("taken") == "open",
                   batch=batch if (batch := (params.get("batch") or "")[:32]).isalnum()
                   else "",
                   before=parse_id(params.get("before")))

    def query(self) -> dict:
        """As query parameters again (for the next page and the CSV link)."""
        found = {"q": self.q, "channel": self.channel, "status": self.status,
                 "kind": self.kind, "since": self.since.isoformat() if self.since else "",
                 "until": self.until.isoformat() if self.until else "",
                 "taken": "open" if self.open_tasks else "", "batch": self.batch}
        return {k: v for k, v in found.items() if v}


def visible_teams(user) -> set[int] | None:
    """None: every team (the secretariat); else the teams the user handles for."""
    if any(a.role == Role.SECRETARIAT for a in user.roles):
        return None
    return {a.team_id for a in user.roles if a.role == Role.HANDLER and a.team_id}


def statement(filters: Filters, teams: set[int] | None):
    query = (select(Dispatch).join(Dispatch.dossier).options(contains_eager(Dispatch.dossier))
             .order_by(Dispatch.id.desc()))
    if teams is not None:
        query = query.where(Dossier.team_id.in_(sorted(teams) or [-1]))
    if filters.before:
        query = query.where(Dispatch.id < filters.before)
    if filters.channel:
        query = query.where(Dispatch.channel == filters.channel)
    if filters.status:
        query = query.where(Dispatch.status == filters.status)
    if filters.kind:
        query = query.where(Dispatch.letter_kind == filters.kind)
    if filters.since:
        query = query.where(Dispatch.queued >= start_of_local_day(filters.since))
    if filters.until:
        query = query.where(Dispatch.queued < end_of_local_day(filters.until))
    if filters.batch:
        query = query.where(Dispatch.batch == filters.batch)
    if filters.open_tasks:
        query = query.where(Dispatch.status.in_((RETURNED, FAILED)),
                            Dispatch.resolved.is_(False))
    if filters.q:
        like = "%" + filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") \
            + "%"
        query = query.where(or_(Dossier.reference == filters.q, Dispatch.barcode == filters.q,
                                Dispatch.recipient_name.ilike(like, escape="\\")))
    return query


def page(dbsession, filters: Filters, teams) -> tuple[list[Dispatch], int | None]:
    """One page and the ``before`` of the next (None: the last page)."""
    rows = list(dbsession.scalars(statement(filters, teams).limit(PAGE + 1)))
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return rows, (rows[-1].id if more and rows else None)


HEADER = ("id", "dossier", "letter", "kind", "recipient", "channel", "registered", "status",
          "queued", "sent", "delivered", "read", "returned", "return_reason", "barcode",
          "proof", "error")


def csv_text(dbsession, filters: Filters, teams, locale) -> str:
    """The register as CSV (the filters, without paging), in Belgian time."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADER)
    query = statement(Filters(**{**filters.__dict__, "before": None}), teams).limit(CSV_LIMIT)
    for d in dbsession.execute(query.execution_options(yield_per=1000)).scalars():
        writer.writerow([
            d.id, d.dossier.reference, d.title, d.letter_kind, _safe(d.recipient_name),
            d.channel, "ja" if d.registered else "nee", d.status,
            *(format_datetime(t, locale) if t else "" for t in (d.queued, d.sent, d.delivered,
                                                                d.read, d.returned)),
            d.return_reason, d.barcode or "", "ja" if d.proof_document_id else "",
            _safe(d.error)])
    return out.getvalue()


def _safe(text: str) -> str:
    """No spreadsheet formulas from a cell (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


