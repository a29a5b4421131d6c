"""How a definition reads for people: labels of its codes, euro amounts, the amount rule."""

from decimal import Decimal

from loket.catalogue.definition import text, to_decimal, top_level_fields
from loket.i18n import _, format_amount, format_number

STATUS_LABELS = {"concept": _("Concept"), "published": _("Published")}
BODY_LABELS = {
    "college": _("College of mayor and aldermen"),
    "gemeenteraad": _("Municipal council"),
    "vast_bureau": _("Vast bureau (OCMW)"),
    "official": _("A delegated official"),
}
DIRECTION_LABELS = {
    "loket_pays": _("The municipality pays an amount"),
    "citizen_pays": _("The citizen pays a fee"),
    "none": _("No payment"),
}
AMOUNT_RULE_LABELS = {
    "fixed": _("Fixed amount"),
    "per_person": _("Amount per person in a repeating group"),
    "percentage": _("Percentage of an amount field, with a ceiling"),
    "per_unit": _("Amount times number fields"),
    "none": _("No amount"),
}
FIELD_TYPE_LABELS = {
    "text": _("Text (one line)"),
    "textarea": _("Text (several lines)"),
    "number": _("Numeric value"),
    "amount": _("Amount in euro"),
    "date": _("Date"),
    "choice": _("Choice"),
    "yesno": _("Yes or no"),
    "iban": _("Bank account (IBAN)"),
    "national_number": _("National register number (of someone else than the applicant)"),
    "address": _("Address"),
    "email": _("Email address"),
    "phone": _("Phone number"),
    "repeat": _("Repeating group"),
}
PREFILL_LABELS = {
    "given_name": _("First name"),
    "family_name": _("Surname"),
    "birth_date": _("Date of birth"),
    "address": _("Address"),
    "household": _("Household members"),
}
RULE_LABELS = {
    "domicile_in_municipality": _("Lives in the municipality"),
    "age_at_least": _("Minimum age"),
    "age_at_most": _("Maximum age"),
    "within_days_of": _("Applied in time"),
    "required_documents_present": _("Required documents present"),
}
CHECK_LABELS = {"income_below": _("Income below a limit"), "social_status": _("Social status")}
OUTCOME_LABELS = {
    "approved": _("Approved"),
    "refused": _("Refused"),
    "withdrawn": _("Withdrawn"),
    "not_admissible": _("Not admissible"),
}
RETENTION_LABELS = {"destroy": _("then destroy"), "archive": _("then archive")}


def euro(value, locale: str = "nl") -> str:
    """``€ 1.234,50`` (Dutch) or ``€1,234.50`` (English); a round amount without cents."""
    return format_amount(to_decimal(value), locale, whole=True)


def number(value, locale: str = "nl") -> str:
    return format_number(to_decimal(value), locale)


def describe_amount(definition: dict, localizer, locale: str) -> str | None:
    """The amount rule in words, e.g. ``20 % of Amount of the invoice, at most € 750``."""
    amount = definition.get("amount") or {}
    rule = amount.get("rule") or {}
    kind = rule.get("type")
    fields = top_level_fields(definition)

    def label(name):
        value = text((fields.get(name) or {}).get("label"), locale) or name
        return value[:1].lower() + value[1:]

    t = localizer.translate
    if kind == "fixed":
        result = euro(rule["amount"], locale)
    elif kind == "per_person":
        result = t(_("${amount} per ${item}", mapping={
            "amount": euro(rule["amount"], locale), "item": label(rule["field"])}))
    elif kind == "percentage":
        result = t(_("${percentage} of “${field}”", mapping={
            "percentage": number(rule["percentage"], locale) + " %",
            "field": label(rule["field"])}))
    elif kind == "per_unit":
        result = " × ".join([euro(rule["amount"], locale)] + [label(n) for n in rule["fields"]])
        if "minimum" in rule:
            result += ", " + t(_("at least ${amount}", mapping={
                "amount": euro(rule["minimum"], locale)}))
    else:
        return None
    if kind != "fixed" and "ceiling" in rule and to_decimal(rule["ceiling"]) > Decimal(0):
        result += ", " + t(_("at most ${amount}", mapping={
            "amount": euro(rule["ceiling"], locale)}))
    return result


# Handed to the templates as ``labels``.
LABELS = {
    "status": STATUS_LABELS, "body": BODY_LABELS, "direction": DIRECTION_LABELS,
    "amount_rule": AMOUNT_RULE_LABELS, "field_type": FIELD_TYPE_LABELS,
    "prefill": PREFILL_LABELS, "rule": RULE_LABELS, "check": CHECK_LABELS,
    "outcome": OUTCOME_LABELS, "retention": RETENTION_LABELS,
}
