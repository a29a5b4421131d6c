"""The citizen's answer to a completion request: a text and one upload per requested document.

Files are checked by content (:func:`loket.documents.files.check_upload`) inside the form's
validation, so a wrong type or size is shown next to its field like any other error, and the
typed answer stays. A file is only stored when the whole answer is accepted: after an error
the citizen chooses the files again (the form says so).
"""

import colander
import deform

from loket.completion.services import (
    MAX_ANSWER,
    RequestedDocument,
    Upload,
    answer_problems,
    requested_documents,
)
from loket.documents.files import DEFAULT_MAX_SIZE, FileRejected, check_upload
from loket.documents.forms import MemoryTmpStore
from loket.i18n import _
from loket.web.forms import CSRFSchema
from loket.workflow.presentation import localized

FIELD_PREFIX = "document_"
# Multipart overhead allowed on top of the files themselves before we refuse to read the body.
FORM_OVERHEAD = 64 * 1024
TYPE_NAMES = {"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG"}


def max_upload_size(request, spec: RequestedDocument) -> int:
    """The smaller of the document type's limit and the installation's."""
    setting = int(request.registry.settings.get("loket.upload.max_size", DEFAULT_MAX_SIZE))
    return min(spec.max_size, setting)


def max_body_size(request, specs) -> int:
    return sum(max_upload_size(request, s) for s in specs) + FORM_OVERHEAD


def accepted_text(request, spec: RequestedDocument):
    names = [TYPE_NAMES[t] for t in spec.media_types if t in TYPE_NAMES]
    return _("${types}, at most ${size} MB.", mapping={
        "types": ", ".join(names), "size": max(1, max_upload_size(request, spec) // 2**20)})


def check_file(request, spec: RequestedDocument, data: bytes, filename: str):
    """The checked file, or :class:`FileRejected` with a message for the citizen."""
    return check_upload(data, filename or "", max_size=max_upload_size(request, spec),
                        allowed=spec.allowed())


def field_name(code: str) -> str:
    return FIELD_PREFIX + code


def answer_form(request, dossier, completion) -> deform.Form:
    """The form; after ``form.validate`` the checked uploads are in ``form.uploads``."""
    specs = requested_documents(dossier, completion)
    locale = request.locale_name
    uploads: list[Upload] = []

    def validator(node, value):
        del uploads[:]
        problems = {}
        for spec in specs:
            sent = value.get(field_name(spec.code))
            if not sent or not sent.get("fp"):
                continue
            data = sent["fp"].read()
            try:
                uploads.append(Upload(spec.code, check_file(request, spec, data,
                                                            sent.get("filename"))))
            except FileRejected as rejected:
                problems[spec.code] = rejected.message
        answer = (value.get("answer") or "").strip()
        for code, message in answer_problems(completion, answer, uploads).items():
            problems.setdefault(code, message)
        if problems:
            error = colander.Invalid(node, _("Check the fields marked below. Choose your "
                                             "files again: we only keep them once your "
                                             "answer is complete."))
            for code, message in problems.items():
                error["answer" if code == "answer" else field_name(code)] = message
            raise error

    schema = CSRFSchema(validator=validator)
    schema.add(colander.SchemaNode(
        colander.Integer(), name="version", widget=deform.widget.HiddenWidget(),
        default=dossier.version))
    schema.add(colander.SchemaNode(
        colander.String(), name="answer", title=_("Your answer"), missing="",
        validator=colander.Length(max=MAX_ANSWER),
        description=_("Answer the question, or explain why you cannot send a document."),
        widget=deform.widget.TextAreaWidget(rows=5)))
    for spec in specs:
        help_text = localized(spec.help, locale)
        schema.add(colander.SchemaNode(
            deform.FileData(), name=field_name(spec.code), missing=None,
            title=localized(spec.title, locale) or spec.code,
            description=(help_text + " " if help_text else "") + request.localizer.translate(
                accepted_text(request, spec)),
            widget=deform.widget.FileUploadWidget(MemoryTmpStore(),
                                                  accept=",".join(spec.media_types))))
    # No autofocus: the form sits halfway down the dossier page, after what is asked.
    form = deform.Form(schema.bind(request=request),
                       buttons=(deform.Button("send", _("Send the completion")),),
                       formid="vervollediging", css_class="form", focus="off",
                       action=request.resource_path(dossier, "vervollediging"))
    form.uploads = uploads
    return form


def forget_files(failure: deform.ValidationFailure) -> None:
    """Files are not kept after an error: show empty file fields, not stale file names."""
    for name in list(failure.cstruct or {}):
        if name.startswith(FIELD_PREFIX):
            failure.cstruct[name] = colander.null
