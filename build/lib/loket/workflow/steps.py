"""Steps with more to them than a comment, taken through their own service."""

STEP_HANDLERS = "loket.workflow.step_handlers"


def add_step_handler(config, transition: str, handler) -> None:
    """Let ``handler(request, dossier, comment, version)`` take ``transition`` when it is
    posted to the generic step view: a request for completion stores what is asked, a refusal
    of admissibility needs a reason from a list, so neither may go around its service."""
    config.registry.setdefault(STEP_HANDLERS, {})[transition] = handler
