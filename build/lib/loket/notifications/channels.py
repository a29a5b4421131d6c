"""The notification channels and which of them this installation can deliver.

A channel is an outbox kind: a notification plug-in for e-mail registers the deliverer of
``email`` messages, one for SMS that of ``sms``. A channel without a deliverer is not offered
to citizens and gets no messages (they would only pile up as dead letters).
"""

from loket.outbox import deliverers

EMAIL = "email"
SMS = "sms"
CHANNELS = (EMAIL, SMS)


def available_channels(registry) -> tuple[str, ...]:
    registered = deliverers(registry)
    return tuple(c for c in CHANNELS if c in registered)
