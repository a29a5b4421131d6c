"""What every simulator of an outside service shares: switches to misbehave, set and shown
through ``/_control``; being down or slow; JSON answers; never running in production.

A simulator lists its switches with their default and how a posted value is read::

    class GatewaySimulator(Simulator):
        SWITCHES = {"down": (False, boolean), "slow": (0.0, seconds), "status": (0, status)}

        def route(self, request): ...            # the service's own protocol

``POST /_control`` with a JSON object (``Content-Type: application/json``, so no web page can
post it) sets switches (an unknown switch or a wrong value is a 400 and changes nothing);
``{"reset": true}`` restores the defaults and calls :meth:`Simulator.forget`; a simulator's own
``COMMANDS`` (``{"clear": true}``, ``{"register_client": {…}}`` …) are checked first and then
carried out. ``GET /_control`` shows the switches and :meth:`Simulator.state`. Before
:meth:`Simulator.route`, ``slow`` waits and ``down`` answers 503. Switches read as
``self.switches["down"]`` or ``self.switches.down``.
"""

import json
import threading
import time

from pyramid.exceptions import ConfigurationError
from webob import Request, Response

from loket.settings import is_production

CONTROL_PATH = "/_control"


def boolean(value) -> bool:
    if not isinstance(value, bool):
        raise ValueError("true or false")
    return value


def seconds(value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("a number of seconds")
    return min(max(float(value), 0.0), 30.0)


def status(value) -> int:
    """An HTTP status to answer with, or 0 for none."""
    if isinstance(value, bool) or not isinstance(value, int) or not (
            value == 0 or 400 <= value <= 599):
        raise ValueError("an HTTP error status, or 0")
    return value


def text(value) -> str:
    if not isinstance(value, str) or len(value) > 2000:
        raise ValueError("a text")
    return value


def integer(low: int, high: int):
    """A whole number, kept between ``low`` and ``high``."""
    def parse(value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("a whole number")
        return min(max(value, low), high)

    return parse


def one_of(*options):
    def parse(value):
        if value not in options:
            raise ValueError(f"one of {', '.join(map(str, options))}")
        return value

    return parse


def json_response(body, status: int = 200) -> Response:
    response = Response(json_body=body, status=status)
    response.cache_control = "no-store"
    return response


def refuse_production(settings, what: str) -> None:
    if is_production(settings):
        raise ConfigurationError(f"The {what} never runs with production settings.")


class Switches(dict):
    """The switches in force: a mapping that also reads as attributes."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class Simulator:
    CONTROL_PATH = CONTROL_PATH  # where /_control is (ACM/IDM's is under /op)
    SWITCHES: dict = {"down": (False, boolean), "slow": (0.0, seconds)}
    # Control words besides the switches: name → method(value) that checks the value (raising
    # ValueError) and returns what to do, a callable run once every part of the post is valid.
    COMMANDS: dict = {}

    def __init__(self, settings):
        self.settings = settings
        self.lock = threading.Lock()
        self.switches = self.defaults()

    def defaults(self) -> Switches:
        return Switches({name: default for name, (default, _parse) in self.SWITCHES.items()})

    # -- WSGI ---------------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        request = Request(environ)
        if request.path_info.rstrip("/") == self.CONTROL_PATH:
            response = self.control(request)
        else:
            response = self.misbehave(request) or self.route(request)
        return response(environ, start_response)

    def misbehave(self, request) -> Response | None:
        if self.switches.get("slow"):
            time.sleep(self.switches["slow"])
        if self.switches.get("down"):
            return self.unavailable(request)
        return None

    def unavailable(self, request) -> Response:
        """The answer of a service that is down; a protocol may answer its own way."""
        return json_response({"error": "unavailable", "message": "down (simulated)"}, 503)

    def route(self, request) -> Response:
        raise NotImplementedError

    # -- /_control ----------------------------------------------------------------------------

    def control(self, request) -> Response:
        if request.method not in ("GET", "POST"):
            return json_response({"error": "use GET or POST"}, 405)
        if request.method == "POST":
            if request.content_type != "application/json":
                return json_response({"error": "send application/json"}, 415)
            try:
                body = json.loads(request.body or b"{}")
            except ValueError:
                return json_response({"error": "invalid_request", "message": "not JSON"}, 400)
            if not isinstance(body, dict):
                return json_response({"error": "invalid_request",
                                      "message": "not a JSON object"}, 400)
            reset = body.pop("reset", False)
            changes, actions, problems = {}, [], {}
            for name, value in body.items():
                try:
                    if name in self.COMMANDS:
                        action = getattr(self, self.COMMANDS[name])(value)
                        if action is not None:
                            actions.append(action)
                    elif name in self.SWITCHES:
                        changes[name] = self.SWITCHES[name][1](value)
                    else:
                        problems[name] = "no such switch"
                except (ValueError, TypeError, KeyError) as exc:
                    problems[name] = str(exc)
            if problems:
                return json_response({"error": "invalid_request", "switches": problems}, 400)
            with self.lock:
                if reset:
                    self.switches = self.defaults()
                    self.forget()
                self.switches = Switches({**self.switches, **changes})
            for action in actions:
                action()
        return json_response({"switches": dict(self.switches), **self.state()})

    def forget(self) -> None:
        """What a reset forgets besides the switches (stored messages …)."""

    def state(self) -> dict:
        """What ``GET /_control`` shows besides the switches."""
        return {}
