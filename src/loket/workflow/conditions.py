"""Named guard conditions used by workflow transitions.

A condition is ``func(dossier) -> str | None``: ``None`` when it holds, otherwise a
translation string that says why the transition cannot happen yet. Packages register theirs
with ``config.add_workflow_condition(name, func)`` (advice: ``all_advice_received``); a name
registered twice is a configuration conflict. The built-in ones below are registered by
:mod:`loket.workflow`.
"""

from loket.i18n import _
from loket.workflow.definition import workflows

CONDITIONS_KEY = "loket.workflow.conditions"
BUILT_IN = {}


def register_condition(name):
    """Mark a function of this module as a built-in condition."""
    def decorator(func):
        BUILT_IN[name] = func
        return func

    return decorator


def add_workflow_condition(config, name: str, condition):
    condition = config.maybe_dotted(condition)

    def register():
        config.registry.setdefault(CONDITIONS_KEY, {})[name] = condition

    item = config.introspectable("loket workflow conditions", name, name,
                                 "loket workflow condition")
    config.action(("loket.workflow_condition", name), register, introspectables=(item,))


def conditions(registry) -> dict:
    return registry.get(CONDITIONS_KEY, {})


def _definition(dossier) -> dict:
    return dossier.type_version.definition


@register_condition("required_documents_present")
def required_documents_present(dossier):
    present = {d.document_type for d in dossier.documents}
    missing = [d for d in _definition(dossier).get("documents", [])
               if d.get("required") and d["code"] not in present]
    if missing:
        return _("Required documents are missing: ${names}.",
                 mapping={"names": ", ".join(d["title"]["nl"] for d in missing)})
    return None


@register_condition("decided_by_body")
def decided_by_body(dossier):
    if _definition(dossier).get("decision", {}).get("body") == "official":
        return _("A delegated official decides on this type of dossier.")
    return None


@register_condition("decided_by_official")
def decided_by_official(dossier):
    if _definition(dossier).get("decision", {}).get("body") != "official":
        return _("The college, the council or the vast bureau decides on this dossier.")
    return None


@register_condition("decision_letter_ready")
def decision_letter_ready(dossier):
    letters = [d for d in dossier.documents
               if d.document_type == "besluit" and d.direction == "out"]
    if not letters:
        return _("Add the decision letter to the dossier first.")
    return None


@register_condition("outcome_approved")
def outcome_approved(dossier):
    return None if dossier.outcome == "approved" else _("The application was not approved.")


def _payment_direction(dossier):
    return _definition(dossier).get("amount", {}).get("direction", "none")


@register_condition("loket_pays")
def loket_pays(dossier):
    return None if _payment_direction(dossier) == "loket_pays" else _(
        "Nothing is paid out for this type of dossier.")


@register_condition("citizen_pays")
def citizen_pays(dossier):
    return None if _payment_direction(dossier) == "citizen_pays" else _(
        "No fee is due for this type of dossier.")


@register_condition("nothing_left_to_pay")
def nothing_left_to_pay(dossier):
    sent = workflows()[dossier.type_version.workflow].is_marked(dossier.state, "decision_sent")
    if dossier.outcome == "approved" and sent and _payment_direction(dossier) != "none":
        return _("The payment has not been handled yet.")
    return None
