"""The answer when the file store refuses a write (full, read-only): 503, nothing saved."""

import logging

from pyramid.view import exception_view_config

from loket.documents.blobstore import StoreUnavailable
from loket.i18n import _
from loket.web.views import error_response

log = logging.getLogger(__name__)


@exception_view_config(StoreUnavailable)
def store_unavailable(exc, request):
    log.error("file store refused a write on %s: %s", request.path, exc)
    response = error_response(
        request, 503, _("Files cannot be stored right now"),
        _("The file store is full or unavailable, so nothing was saved. Try again later; "
          "going back in your browser keeps what you filled in."),
    )
    response.headers["Retry-After"] = "300"
    return response
