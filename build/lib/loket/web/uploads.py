"""Close the temporary files WebOb makes for multipart uploads when the request ends.

Any view (or the CSRF check, which reads ``request.POST``) may cause a large upload to be
spooled to disk (the body copy and each file part); nothing else would close those files."""

import io

from pyramid.events import NewRequest, subscriber


def _close_uploads(request):
    if "webob._parsed_post_vars" not in request.environ:
        return
    for value in request.POST.values():
        file = getattr(value, "file", None)
        if file is not None:
            file.close()
    body = request.body_file_raw
    if isinstance(body, io.BufferedRandom):  # WebOb's own copy of a large body
        body.close()


@subscriber(NewRequest)
def close_uploads_when_finished(event):
    event.request.add_finished_callback(_close_uploads)
