"""Outgoing letters of a dossier: what the citizen receives, from rendering to delivery.

The shared record of the letter's life (:mod:`.models`) is read and moved on by the packages
that handle each part of it:

- rendering from templates and screening for signatures: this package;
- signatures: :mod:`loket.signing` (the signing folder and the signing plug-in);
- sending and delivery: :mod:`loket.sending` (the delivery plug-in, the register of outgoing
  mail).

A letter kind (completion request, decision granted, payment request …) is registered by the
package that owns its content with ``config.add_letter_kind`` (:mod:`.kinds`).
"""


def includeme(config):
    config.include(".kinds")
