"""The ``deadlines`` section of a dossier-type definition: the legal deadlines the worklists
count down (``Dossier.due``), each from a state until one of its stop states."""

KEY = "deadlines"


def validate(check, value, context):
    seen: set = set()
    for i, entry in enumerate(check.items(context.definition, KEY, "")):
        here = f"deadlines[{i}]"
        keys = ("code", "title", "days", "start_state", "stop_states")
        if check.mapping(entry, here, keys, keys) is None:
            continue
        check.code(entry, "code", here, seen)
        check.texts(entry, "title", here)
        check.integer(entry, "days", here, minimum=1, maximum=3650)
        if "start_state" in entry:
            check.state(entry["start_state"], f"{here}.start_state")
        stops = check.items(entry, "stop_states", here, allow_empty=False)
        for s, stop in enumerate(stops):
            check.state(stop, f"{here}.stop_states[{s}]")
            if stop == entry.get("start_state"):
                check.add(f"{here}.stop_states[{s}]", "the deadline would stop where it starts")


def default(workflow):
    return []
