"""The upload form (Deform), shared by a new document and a new version."""

import colander
import deform

from loket.i18n import _
from loket.web.forms import CSRFSchema


class MemoryTmpStore(dict):
    """Deform's upload widget wants a store for redisplay; we keep nothing between requests."""

    def preview_url(self, uid):
        return None


class UploadSchema(CSRFSchema):
    title = colander.SchemaNode(
        colander.String(), title=_("Title"), validator=colander.Length(min=1, max=300),
        description=_("For example: proof of payment, medical certificate."),
    )
    file = colander.SchemaNode(
        deform.FileData(), title=_("File"),
        widget=deform.widget.FileUploadWidget(
            MemoryTmpStore(), accept="application/pdf,image/png,image/jpeg"),
        description=_("PDF, PNG or JPEG, at most 10 MB."),
    )


def upload_form(request, with_title=True) -> deform.Form:
    schema = UploadSchema().bind(request=request)
    if not with_title:
        del schema["title"]
    return deform.Form(schema, buttons=(deform.Button("send", _("Upload")),),
                       formid="upload", css_class="form")
