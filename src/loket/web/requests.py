"""The request class, composed once per application.

Pyramid applies the methods and properties of ``config.add_request_method`` to every request
by making a new class for it (``apply_request_extensions``), a noticeable share of a small
page's time. They never change after configuration, so the router gets one subclass of its
request class with them as class attributes, and stops applying them per request. The
extensions stay registered for code that makes its own request (scripts, tests), and a
subrequest of another class still gets them.
"""

from pyramid.request import apply_request_extensions


def with_request_class(router):
    """``router`` (a Pyramid WSGI app) making requests of a class that has its extensions."""
    extensions = router.request_extensions
    if extensions is None:
        return router
    base = router.request_factory
    attributes = {**extensions.descriptors, **extensions.methods, "__module__": base.__module__}
    composed = type(base.__name__, (base,), attributes)
    invoke_subrequest = router.invoke_subrequest

    def invoke_subrequest_extended(request, use_tweens=False):
        if not isinstance(request, composed):
            apply_request_extensions(request, extensions=extensions)
        return invoke_subrequest(request, use_tweens)

    router.request_factory = composed
    router.request_extensions = None
    router.invoke_subrequest = invoke_subrequest_extended
    return router
