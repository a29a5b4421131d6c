"""The outbox in the application: the deliverer directive, the plain HTTP deliverer, the
figures on ``/-/health`` and the staff page of messages."""

from loket.outbox import HTTP_POST, add_outbox_deliverer, http
from loket.outbox.services import health_figures


def includeme(config):
    config.add_directive("add_outbox_deliverer", add_outbox_deliverer)
    config.add_outbox_deliverer(HTTP_POST, http.deliver)
    config.add_health_section("outbox", lambda request: health_figures(request.dbsession))
    config.scan("loket.outbox.views")
