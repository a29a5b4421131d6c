"""Full-text search on dossiers: what is searchable, keeping it current, and the query.

Each dossier has one ``dossier_search`` row: its reference, title, the applicant's name and
the answers to the form's text fields (``text``, ``textarea``; never numbers, amounts, IBANs or
national register numbers). The row is rewritten after every flush that creates a dossier or
changes its reference, title, applicant or answers, whoever changed it (the application
flow, a transition, an assignment, the worker): a session event, not a call each feature must
remember.

Searching never hands the user's words to a query language: they are cut into words of
letters and digits (:func:`terms`), each quoted as a prefix term (for SQLite's FTS5 a double
quote inside is doubled), with its singular when it looks like a Dutch plural. PostgreSQL
stems them with the Dutch configuration. Both use the index of migration ``0002_search``.
"""

import functools
import re

from sqlalchemy import delete, event, exists, func, insert, inspect, literal_column, select, text
from sqlalchemy.orm import Session

from loket.dossiers.models import Dossier
from loket.identity.models import User
from loket.worklists.models import FTS_TABLE, DossierSearch

TEXT_TYPES = ("text", "textarea")
WATCHED = ("reference", "title", "applicant_id", "data")
MAX_TERMS = 8
_TERM = re.compile(r"[^\W_]+(?:[-/.][^\W_]+)*", re.UNICODE)


def text_fields(definition: dict) -> list[str]:
    """Names of the form's free-text fields, sub-fields of repeats included."""
    names = []
    for step in (definition or {}).get("form", {}).get("steps", []) or []:
        for field in step.get("fields", []) or []:
            if field.get("type") in TEXT_TYPES:
                names.append(field["name"])
            elif field.get("type") == "repeat":
                names.extend(sub["name"] for sub in field.get("fields", []) or []
                             if sub.get("type") in TEXT_TYPES)
    return names


def answers_text(dossier) -> list[str]:
    names = set(text_fields(dossier.type_version.definition if dossier.type_version else {}))
    parts = []
    for name, value in (dossier.data or {}).items():
        if name in names and isinstance(value, str):
            parts.append(value)
        elif isinstance(value, list):  # a repeat: its items' text sub-fields
            parts.extend(item[n] for item in value if isinstance(item, dict)
                         for n in sorted(names) if isinstance(item.get(n), str))
    return parts


def search_body(dossier, applicant_name: str) -> str:
    return " ".join(p for p in (dossier.reference, dossier.title, applicant_name,
                                *answers_text(dossier)) if p)


def _needs_indexing(dossier) -> bool:
    state = inspect(dossier)
    if state.pending or not state.has_identity:
        return True
    return any(state.attrs[name].history.has_changes() for name in WATCHED)


def reindex(connection, dossiers) -> None:
    """Rewrite the search rows of ``dossiers`` (flushed; their ids are known)."""
    if not dossiers:
        return
    applicant_ids = {d.applicant_id for d in dossiers}
    names = dict(connection.execute(
        select(User.id, User.given_name + " " + User.family_name)
        .where(User.id.in_(applicant_ids))).all())
    ids = [d.id for d in dossiers]
    connection.execute(delete(DossierSearch).where(DossierSearch.dossier_id.in_(ids)))
    connection.execute(insert(DossierSearch), [
        {"dossier_id": d.id, "body": search_body(d, names.get(d.applicant_id, ""))}
        for d in dossiers])


def _collect(session, flush_context, instances):
    session.info.setdefault("loket.worklists.reindex", set()).update(
        d for d in (*session.new, *session.dirty)
        if isinstance(d, Dossier) and _needs_indexing(d))


def _after_flush(session, flush_context):
    pending = session.info.pop("loket.worklists.reindex", set())
    dossiers = [d for d in pending if inspect(d).persistent or inspect(d).has_identity]
    reindex(session.connection(), [d for d in dossiers if d.id is not None])


def watch(session_class=Session) -> None:
    """Keep the search rows current for every session (idempotent)."""
    if not event.contains(session_class, "before_flush", _collect):
        event.listen(session_class, "before_flush", _collect)
        event.listen(session_class, "after_flush", _after_flush)


# ---------------------------------------------------------------------------------------------
# Querying


def terms(query: str) -> list[str]:
    """The words of a search, at most :data:`MAX_TERMS` (a reference ``2026-000123`` is one)."""
    return _TERM.findall(query or "")[:MAX_TERMS]


def variants(word: str) -> list[str]:
    """The word and its singular when it looks like a Dutch plural ("premies" → "premie",
    "aanvragen" → "aanvrag"): the Dutch stemmer leaves many plurals alone, and each variant is
    a prefix query, so the singular finds the plural too."""
    found = [word]
    lower = word.lower()
    if len(lower) > 4 and lower.endswith("en"):
        found.append(word[:-2])
    elif len(lower) > 4 and lower.endswith("s"):
        found.append(word[:-1])
    return found


def fts5_query(words: list[str]) -> str:
    """Each word as quoted FTS5 strings with prefix match: no operator can slip in."""
    return " AND ".join("(" + " OR ".join('"' + v.replace('"', '""') + '"*' for v in variants(w))
                    + ")" for w in words)


def tsquery(words: list[str]):
    """The same for PostgreSQL: per word, its Dutch stem (``aanvragen`` finds ``aanvraag``)
    or, unstemmed, a prefix (``stook`` finds ``stookolie``; stemming a prefix would spoil it).
    A term holds only letters, digits and ``-/.`` (:data:`_TERM`): quoting cannot be escaped."""
    parts = []
    for word in words:
        forms = variants(word)
        stemmed = func.to_tsquery(_config("dutch"), " | ".join(f"'{v}'" for v in forms))
        prefix = func.to_tsquery(_config("simple"), " | ".join(f"'{v}':*" for v in forms))
        parts.append(stemmed.op("||")(prefix))
    return functools.reduce(lambda a, b: a.op("&&")(b), parts)


def _config(name: str):
    return literal_column(f"'{name}'::regconfig")


def matches(dialect_name: str, query: str):
    """A WHERE clause on :class:`Dossier` for a search, or None when it has no words."""
    words = terms(query)
    if not words:
        return None
    if dialect_name == "postgresql":
        # Literally the indexed expression (a bound 'dutch' would not match the index).
        return exists(select(DossierSearch.dossier_id).where(
            DossierSearch.dossier_id == Dossier.id,
            func.to_tsvector(_config("dutch"), DossierSearch.body).op("@@")(tsquery(words))))
    if dialect_name == "sqlite":
        return Dossier.id.in_(
            select(literal_column("rowid")).select_from(text(FTS_TABLE))
            .where(literal_column(FTS_TABLE).op("MATCH")(fts5_query(words))))
    # Any other database: a plain (unindexed) substring search.
    condition = [DossierSearch.body.contains(w, autoescape=True) for w in words]
    return exists(select(DossierSearch.dossier_id).where(
        DossierSearch.dossier_id == Dossier.id, *condition))
