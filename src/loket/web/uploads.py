"""Close the temporary files WebOb makes for large request bodies when the request ends.

pyramid_retry makes every body seekable, which copies a large one to a temporary file; any view
(or the CSRF check, which reads ``request.POST``) may spool each file part of a multipart
upload to disk as well. Nothing else closes those files: they would stay open until the
garbage collector finds the request. They are closed after the last attempt of a request, not
after each (a retried attempt reads the same body again), by wrapping the execution policy.
"""

import io

from pyramid.interfaces import IExecutionPolicy


def _close_body(environ):
    parsed = environ.get("webob._parsed_post_vars")
    for value in (parsed[0].values() if parsed else ()):
        file = getattr(value, "file", None)
        if file is not None:
            file.close()
    body = environ.get("wsgi.input")
    if isinstance(body, io.BufferedRandom):  # WebOb's own copy of a large body
        body.close()


def closing_bodies(policy):
    def execution_policy(environ, router):
        try:
            return policy(environ, router)
        finally:
            _close_body(environ)

    return execution_policy


def includeme(config):
    def wrap():
        registry = config.registry
        policy = registry.queryUtility(IExecutionPolicy)
        if policy is not None:
            registry.registerUtility(closing_bodies(policy), IExecutionPolicy)

    # After every other action, so the policy wrapped is the one chosen (pyramid_retry's).
    config.action(("loket.closing_bodies",), wrap, order=10_000)
