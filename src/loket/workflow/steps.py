"""Steps with more to them than a comment, taken through their own service."""

STEP_HANDLERS = "loket.workflow.step_handlers"


def add_step_handler(config, purpose: str, handler) -> None:
    """Let ``handler(request, dossier, comment, version)`` take the step with ``purpose`` when
    it is posted to the generic step view: a request for completion stores what is asked, a
    refusal of admissibility needs a reason from a list, so neither may go around its
    service."""
    def register():
        config.registry.setdefault(STEP_HANDLERS, {})[purpose] = handler

    item = config.introspectable("loket step handlers", purpose, purpose, "loket step handler")
    config.action(("loket.step_handler", purpose), register, introspectables=(item,))


def step_handler(registry, transition):
    """The handler of ``transition``'s purpose, if a feature took it over."""
    if transition is None or transition.purpose is None:
        return None
    return registry.get(STEP_HANDLERS, {}).get(transition.purpose)
