"""Completion (vervollediging): the handler asks for what is missing, the citizen answers.

Two services, used by the HTML pages and the JSON API alike:

- :func:`request_completion` (the handler's page): performs ``vervollediging_vragen`` with the
  question as its comment (the workflow's ``suspends_deadlines`` stops the legal clock), stores
  a :class:`CompletionRequest` and audits it. The existing subscribers notify the citizen in
  their chosen channel and tell DOSIS that action is needed.
- :func:`answer_completion` (the citizen): stores the uploaded documents, records the answer
  and performs ``vervolledigen`` (back to ``ingediend``, to the handler; the clock resumes).

Both raise :class:`CompletionRefused` (a :class:`TransitionRefused`, so the existing error
views answer it) with a translatable message, and change nothing then. The question and the
answer are the citizen's and the handler's own words: never in audit details or logs.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from loket import audit
from loket.completion.models import CompletionRequest
from loket.db import utcnow
from loket.documents import services as documents
from loket.documents.files import ALLOWED_TYPES, DEFAULT_MAX_SIZE, CheckedFile
from loket.i18n import _
from loket.workflow.engine import (
    TransitionConflict,
    TransitionRefused,
    perform,
    refusal,
    workflow_of,
)
from loket.workflow.presentation import actor_for, localized

REQUEST = "vervollediging_vragen"
ANSWER = "vervolledigen"
WAITING_STATE = "vervollediging_gevraagd"
OTHER_DOCUMENT = "bijlage"  # any other document than the type's own document types
MAX_QUESTION = 4000
MAX_ANSWER = 4000


class CompletionRefused(TransitionRefused):
    """The request or answer is not acceptable; nothing changed."""


@dataclass(frozen=True)
class RequestedDocument:
    """A document type the handler asked for, as the citizen's form needs it."""

    code: str
    title: dict  # {nl, en}
    help: dict
    media_types: tuple[str, ...]
    max_size: int  # bytes

    def allowed(self) -> dict[str, str]:
        return {t: ALLOWED_TYPES[t] for t in self.media_types if t in ALLOWED_TYPES}


def document_types(dossier) -> dict[str, RequestedDocument]:
    """The document types one may ask for on this dossier: its type's, and "any other"."""
    found = {}
    for spec in (dossier.type_version.definition or {}).get("documents") or []:
        found[spec["code"]] = RequestedDocument(
            spec["code"], spec.get("title") or {}, spec.get("help") or {},
            tuple(spec.get("media_types") or ALLOWED_TYPES),
            int(float(spec.get("max_size_mb") or DEFAULT_MAX_SIZE // 2**20) * 2**20))
    found.setdefault(OTHER_DOCUMENT, RequestedDocument(
        OTHER_DOCUMENT, {"nl": "Ander document", "en": "Other document"}, {},
        tuple(ALLOWED_TYPES), DEFAULT_MAX_SIZE))
    return found


def requested_documents(dossier, completion: CompletionRequest) -> list[RequestedDocument]:
    known = document_types(dossier)
    return [known.get(code) or known[OTHER_DOCUMENT] for code in completion.document_codes]


def open_request(dbsession, dossier) -> CompletionRequest | None:
    """The request the citizen must answer now, if the dossier waits for one."""
    if dossier.state != WAITING_STATE:
        return None
    return dbsession.scalars(
        select(CompletionRequest)
        .where(CompletionRequest.dossier_id == dossier.id, CompletionRequest.answered.is_(None))
        .order_by(CompletionRequest.requested.desc(), CompletionRequest.id.desc()).limit(1)
    ).first()


def request_completion(request, dossier, question: str, document_codes: list[str],
                       due: date | None, expected_version: int | None) -> CompletionRequest:
    """Ask the applicant for more information or documents (see the module docstring)."""
    question = (question or "").strip()
    codes = list(dict.fromkeys(document_codes or []))  # in order, without repeats
    if not question:
        raise CompletionRefused(_("Say what the applicant must add or explain."))
    if len(question) > MAX_QUESTION:
        raise CompletionRefused(_("The question is too long: at most ${max} characters.",
                                  mapping={"max": MAX_QUESTION}))
    unknown = [c for c in codes if c not in document_types(dossier)]
    if unknown:
        raise CompletionRefused(_("Unknown document type: ${codes}.",
                                  mapping={"codes": ", ".join(unknown)}))
    if due is not None and due <= utcnow().date():
        raise CompletionRefused(_("The date to answer by must be after today."))
    perform(request.registry, request.dbsession, dossier, REQUEST, actor_for(request),
            expected_version, question)
    user = request.user
    completion = CompletionRequest(
        dossier_id=dossier.id, question=question, document_codes=codes, due=due,
        requested_by_id=user.id if user is not None else None)
    request.dbsession.add(completion)
    request.dbsession.flush()
    audit.record(request, "completion.requested", "dossier", dossier.reference,
                 completion=completion.id, documents=codes,
                 due=due.isoformat() if due else None)
    return completion


@dataclass(frozen=True)
class Upload:
    """One file the citizen sent for a requested document type, already checked."""

    code: str
    file: CheckedFile


def answerable(request, dossier) -> CompletionRequest:
    """The open request the logged-in user may answer now, or :class:`CompletionRefused`."""
    completion = open_request(request.dbsession, dossier)
    if completion is None:
        raise CompletionRefused(_("No information or documents are asked for this dossier."))
    transition = workflow_of(dossier).transitions[ANSWER]
    problem = refusal(dossier, transition, actor_for(request))
    if problem is not None:
        raise problem
    return completion


def answer_problems(completion, answer: str, uploads: list[Upload]) -> dict[str, object]:
    """What is wrong with an answer, per field ("answer" or a document code); empty if fine.

    The citizen sends every requested document, or explains in the answer why not; with no
    document asked, the answer itself is required."""
    problems = {}
    if len(answer) > MAX_ANSWER:
        problems["answer"] = _("Your answer is too long: at most ${max} characters.",
                               mapping={"max": MAX_ANSWER})
    sent = {u.code for u in uploads}
    missing = [c for c in completion.document_codes if c not in sent]
    if answer:
        return problems
    if not completion.document_codes:
        problems["answer"] = _("Write your answer to the question.")
    for code in missing:
        problems[code] = _("Add this document, or explain in your answer why you cannot.")
    return problems


def answer_completion(request, dossier, answer: str, uploads: list[Upload],
                      expected_version: int | None) -> tuple[CompletionRequest, list]:
    """Record the citizen's answer and documents and give the dossier back to the handler;
    returns the request and the documents added."""
    completion = answerable(request, dossier)
    answer = (answer or "").strip()
    problems = answer_problems(completion, answer, uploads)
    if problems:
        raise CompletionRefused(next(iter(problems.values())))
    if expected_version is not None and expected_version != dossier.version:
        # Checked before anything is stored; perform checks it again with the flush.
        raise TransitionConflict(_("This dossier was changed by someone else in the meantime. "
                                   "Reload the page and try again."))
    known = document_types(dossier)
    added = []
    for upload in uploads:
        spec = known.get(upload.code) or known[OTHER_DOCUMENT]
        added.append(documents.add_document(
            request, dossier, upload.file, title=localized(spec.title, "nl") or upload.code,
            document_type=upload.code, direction="in"))
    completion.answer = answer
    completion.answered = utcnow()
    perform(request.registry, request.dbsession, dossier, ANSWER, actor_for(request),
            expected_version, answer)
    audit.record(request, "completion.answered", "dossier", dossier.reference,
                 completion=completion.id, documents=[d.number for d in added])
    return completion, added
