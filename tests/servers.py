"""Serve a WSGI application over real HTTP on 127.0.0.1, in a background thread.

    with serve(app) as base_url:        # "http://127.0.0.1:<free port>"
        requests.get(base_url + "/")

Each request runs in its own daemon thread, so a slow handler never blocks the others nor
the end of the test run. Used for the simulators (the OIDC flow against ACM/IDM) and for
browser tests that need Loket itself on a real port.
"""

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass  # no access log on the test output


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    block_on_close = False

    def server_bind(self):
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn), which can take seconds.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]
        self.setup_environ()

    def handle_error(self, request, client_address):
        pass  # a client that gave up (a timeout test) is not an error of the server


@contextmanager
def serve(app, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve ``app`` on a free port of ``host`` while the block runs; yields the base URL."""
    server = make_server(host, 0, app, server_class=_ThreadingServer,
                         handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name=f"serve-{server.server_port}", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
