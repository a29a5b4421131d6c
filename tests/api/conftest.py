"""API test fixtures: every response to /api/… or /-/… is checked against openapi.yaml."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from loket.main import main
from tests.conftest import ValidatingTestApp


@pytest.fixture
def make_app(app_settings):
    """Another instance of the app, with some settings changed."""

    def make_app(**overrides):
        return main({}, **{**app_settings, **overrides})

    return make_app


@pytest.fixture
def browser_for(testapp):
    """A validating browser on another app that shares the test's transaction and cookies."""

    def browser_for(app):
        browser = ValidatingTestApp(app, extra_environ=testapp.extra_environ)
        for cookie in testapp.cookiejar:
            browser.cookiejar.set_cookie(cookie)
        return browser

    return browser_for


class FakeOpenIDProvider:
    """Serves an OpenID discovery document on a loopback port and counts the requests."""

    def __init__(self):
        self.hits = 0
        self.issuer_override = None
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                provider.hits += 1
                if self.path != "/op/.well-known/openid-configuration":
                    self.send_error(404)
                    return
                body = json.dumps({"issuer": provider.issuer_override or provider.issuer,
                                   "authorization_endpoint": provider.issuer + "/auth"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}/op"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def fake_op():
    provider = FakeOpenIDProvider()
    yield provider
    provider.close()
