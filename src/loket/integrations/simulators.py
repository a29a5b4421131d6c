"""Serves the simulators of the government services side by side, one path prefix each.

For development and tests only: :func:`make_app` refuses production settings.
"""

from pyramid.exceptions import ConfigurationError
from pyramid.path import DottedNameResolver
from webob import Request, Response

from loket.settings import is_production

# Path prefix → factory of the simulator's WSGI app, called with the settings.
SIMULATORS = {
    "acmidm": "loket.integrations.acmidm.simulator:make_app",
    "dosis": "loket.integrations.dosis.simulator:make_app",  # + Mijn Burgerprofiel at /dosis/mbp
    "sms": "loket.integrations.sms.simulator:make_app",
    "mailbox": "loket.integrations.email.simulator:make_app",  # + the SMTP sink, if a port is set
    "magda": "loket.integrations.magda.simulator:make_app",  # one URL per SOAP service
    "advies": "loket.integrations.advice_api.simulator:make_app",  # external advice service
    "notulen": "loket.integrations.minutes.simulator:make_app",  # the minutes package
    "documentendienst": "loket.integrations.documentendienst.simulator:make_app",  # eBox, paper
    "boekhouding": "loket.integrations.accounting.simulator:make_app",  # accounting package
    "ondertekenen": "loket.integrations.signing.simulator:make_app",  # Digitaal Ondertekenen
}


class Dispatcher:
    def __init__(self, apps):
        self.apps = apps

    def __call__(self, environ, start_response):
        request = Request(environ)
        prefix = request.path_info_peek()
        app = self.apps.get(prefix)
        if app is None:
            return Response("no such simulator", status=404, content_type="text/plain")(
                environ, start_response)
        request.path_info_pop()
        return app(request.environ, start_response)


def make_app(settings) -> Dispatcher:
    if is_production(settings):
        raise ConfigurationError("The simulators never run with production settings.")
    resolver = DottedNameResolver()
    return Dispatcher({name: resolver.resolve(spec)(settings) for name, spec in SIMULATORS.items()})
