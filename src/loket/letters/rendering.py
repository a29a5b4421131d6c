"""Rendering letters, in the worker: ``to_render`` → screened, rendered to PDF/A, stored as a
document of the dossier (direction "out") → ``to_sign`` (with its signatories) or ``ready``.

Each letter is its own short transaction. A letter that cannot be rendered (its dossier lacks
a decision, nobody can sign, a wording with an error) stays ``to_render`` with the problem
noted on it (the letters panel shows it) and is tried again later, at most
:data:`MAX_ATTEMPTS` times until the handler asks again: nothing is lost.
"""

import logging
from dataclasses import dataclass

import transaction
from pyramid.renderers import render
from pyramid.request import Request
from pyramid.scripting import prepare
from sqlalchemy import select

from loket.db import get_tm_session
from loket.documents import services as documents
from loket.documents.files import CheckedFile
from loket.i18n import LOCALE_COOKIE, _
from loket.letters import wording
from loket.letters.context import MissingData, common, language_of
from loket.letters.kinds import letter_kinds
from loket.letters.models import READY, TO_RENDER, TO_SIGN, Letter
from loket.letters.pdf import LOGO_URL, LetterTooLarge, write_pdf
from loket.letters.screening import screen, signatory_rows
from loket.letters.services import move

log = logging.getLogger(__name__)

TEMPLATE = "loket:letters/templates/letter.jinja2"
PARTS = {"receipt": "receipt", "completion.request": "completion",
         "completion.reminder": "completion", "admissibility.refused": "refusal",
         "decision.granted": "decision", "decision.refused": "decision"}
RECEIPT_DOCUMENT_TYPE = "ontvangstbewijs"  # the applications package finds the receipt by it
LETTER_DOCUMENT_TYPE = "brief"
INTERVAL_SECONDS = 5.0
BATCH = 50
MAX_ATTEMPTS = 5


class RenderFailed(Exception):
    """``message``: a translation string saying what to fix."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass
class Rendered:
    subject: str
    html: str
    pdf: bytes


def worker_request(registry, dbsession, language: str = "nl"):
    """A request for rendering outside a web request (the worker, the bench): the
    application's templates, translations and settings, the caller's database session."""
    base = registry.settings.get("loket.public_url") or "http://localhost"
    request = Request.blank("/", base_url=base, environ={"app.dbsession": dbsession})
    request.cookies[LOCALE_COOKIE] = language
    return prepare(request=request, registry=registry)


def _logo(request) -> tuple[bytes, str] | None:
    municipality = request.municipality
    if not municipality.logo_sha256 or not municipality.logo_media_type:
        return None
    try:
        return documents.blobstore(request).get(municipality.logo_sha256), \
            municipality.logo_media_type
    except OSError:  # a missing logo never stops a letter
        log.warning("letter: the municipality's logo is not in the blob store")
        return None


def values_for(request, letter, signatories=()) -> dict:
    """Everything the wording and the layout read; raises :class:`MissingData`."""
    dbsession = request.dbsession
    language = language_of(letter)
    values = common(request.municipality, letter, language)
    kind = letter_kinds(request.registry).get(letter.kind)
    if kind is None:
        raise MissingData(_("Unknown letter kind ${kind}.", mapping={"kind": letter.kind}))
    if kind.context is not None:
        values.update(kind.context(dbsession, letter))
    values.update(kind=letter.kind, kind_title=request.localizer.translate(kind.title),
                  language=language, signatories=list(signatories))
    return values


def render_pdf(request, letter, signatories=(), own_wording: dict | None = None) -> Rendered:
    """The letter's subject, HTML and PDF; raises :class:`MissingData`,
    :class:`wording.WordingError` or :class:`RenderFailed`."""
    if request.locale_name != language_of(letter):  # the letter's language, not the reader's
        env = worker_request(request.registry, request.dbsession, language_of(letter))
        try:
            return render_pdf(env["request"], letter, signatories, own_wording)
        finally:
            env["closer"]()
    values = values_for(request, letter, signatories)
    definition = letter.dossier.type_version.definition
    kind = letter_kinds(request.registry)[letter.kind]  # values_for checked it exists
    text = own_wording or wording.wording_of(definition, letter.kind, kind.wording)
    if text is None:
        raise MissingData(_("The letter kind ${kind} has no wording.",
                            mapping={"kind": letter.kind}))
    words = wording.render(letter.kind, text, values, values["language"])
    logo = _logo(request)
    part = kind.part or (f"loket:letters/templates/parts/{PARTS[letter.kind]}.jinja2"
                         if letter.kind in PARTS else None)
    titles = {d.get("code"): (d.get("title") or {}).get(values["language"]) or
              (d.get("title") or {}).get("nl") for d in definition.get("documents") or ()}
    html = render(TEMPLATE, {
        **values, "subject": words.subject, "paragraphs": words.paragraphs,
        "part": part,
        "logo_url": LOGO_URL if logo else None, "document_titles": titles,
    }, request=request)
    try:
        pdf = write_pdf(html, logo)
    except LetterTooLarge as too_large:
        raise RenderFailed(_("The letter is too large (${size} bytes): shorten its texts.",
                             mapping={"size": too_large.args[0]})) from too_large
    return Rendered(words.subject, html, pdf)


def _store(request, letter, rendered: Rendered) -> None:
    dossier = letter.dossier
    filename = f"{letter.kind.replace('.', '-')}-{dossier.reference}-{letter.id}.pdf"
    checked = CheckedFile(rendered.pdf, "application/pdf", filename)
    if letter.document is not None:  # rendered again (after a decline): a new version
        documents.add_version(request, letter.document, checked)
        return
    document_type = RECEIPT_DOCUMENT_TYPE if letter.kind == "receipt" else LETTER_DOCUMENT_TYPE
    document = documents.add_document(request, dossier, checked, title=rendered.subject[:300],
                                      document_type=document_type, direction="out")
    # A decision's outcome reaches the applicant with the letter's delivery, not before.
    kind = letter_kinds(request.registry).get(letter.kind)
    document.withheld = kind is not None and kind.withheld
    letter.document_id, letter.document = document.id, document
    request.dbsession.expire(dossier, ["documents"])


def render_letter(request, letter: Letter) -> None:
    """Screen, render, store and move one ``to_render`` letter; raises on a problem (the
    caller's transaction is then rolled back)."""
    dbsession = request.dbsession
    outcome = screen(dbsession, letter)
    rendered = render_pdf(request, letter, outcome.signers)
    _store(request, letter, rendered)
    letter.title = rendered.subject[:300]
    letter.needs_signature = outcome.needs_signature
    letter.screening_reason = request.localizer.translate(outcome.reason)
    if letter.signatories:  # rendered again after a decline: the new round replaces them
        letter.signatories = []
        dbsession.flush()  # the old positions go before the new ones take them
    letter.signatories = signatory_rows(outcome)
    letter.details = {k: v for k, v in (letter.details or {}).items()
                      if k not in ("problem", "attempts")}
    move(dbsession, letter, TO_SIGN if outcome.needs_signature else READY,
         sha256=letter.document.current.sha256, rule=outcome.rule,
         overridden=outcome.overridden)
    log.info("letter %s of dossier %s rendered (%s, sha256 %s)", letter.id,
             letter.dossier.reference, letter.kind, letter.document.current.sha256)


def problem_of(error: Exception):
    return getattr(error, "message", None) or _("The letter could not be rendered.")


def _note_problem(registry, letter_id: int, error: Exception) -> None:
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        dbsession = get_tm_session(registry["dbsession_factory"], manager)
        letter = dbsession.get(Letter, letter_id)
        if letter is None or letter.status != TO_RENDER:
            return
        env = worker_request(registry, dbsession, language_of(letter))
        try:
            text = env["request"].localizer.translate(problem_of(error))
        finally:
            env["closer"]()
        details = dict(letter.details or {})
        details["problem"] = text[:500]
        details["attempts"] = int(details.get("attempts") or 0) + 1
        letter.details = details


def _pending(registry, limit: int) -> list[int]:
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        dbsession = get_tm_session(registry["dbsession_factory"], manager)
        # Letters wait here for seconds; only those with a problem stay (few, and bounded by
        # the handlers' attention), so their details are read whole rather than in SQL.
        rows = dbsession.execute(select(Letter.id, Letter.details).where(
            Letter.status == TO_RENDER).order_by(Letter.id))
        return [number for number, details in rows
                if int((details or {}).get("attempts") or 0) < MAX_ATTEMPTS][:limit]


def render_one(registry, letter_id: int) -> bool:
    """Render one letter in its own transaction; False when it was not (taken by another
    worker, or a problem, noted on the letter)."""
    manager = transaction.TransactionManager(explicit=True)
    try:
        with manager:
            dbsession = get_tm_session(registry["dbsession_factory"], manager)
            # Another worker renders it: skip (PostgreSQL; SQLite has one worker).
            letter = dbsession.scalar(select(Letter).where(
                Letter.id == letter_id, Letter.status == TO_RENDER)
                .with_for_update(skip_locked=True))
            if letter is None:
                return False
            env = worker_request(registry, dbsession, language_of(letter))
            try:
                render_letter(env["request"], letter)
            finally:
                env["closer"]()
        return True
    except Exception as error:  # noqa: BLE001 - noted on the letter, retried, never lost
        expected = isinstance(error, MissingData | wording.WordingError | RenderFailed)
        (log.warning if expected else log.exception)(
            "letter %s not rendered: %s", letter_id, type(error).__name__)
        _note_problem(registry, letter_id, error)
        return False


def job(registry, limit: int = BATCH) -> dict:
    """The worker job: render what waits."""
    rendered = sum(render_one(registry, number) for number in _pending(registry, limit))
    return {"letters_rendered": rendered}
