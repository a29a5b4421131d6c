"""The ``checks`` section of a dossier-type definition (and ``checks_mode``,
``magda_purpose``): which automatic income and social-status checks run, with what thresholds
and texts. Validated here, for the catalogue (:mod:`loket.catalogue.sections`)."""

from loket.catalogue.definition import CHECK_TYPES, CHECKS_MODES, SOCIAL_STATUSES

KEY = "checks"
OPTIONAL_KEYS = ("checks_mode", "magda_purpose")


def validate(check, value, context):
    d = context.definition
    if "checks_mode" in d:
        check.choice(d, "checks_mode", "", CHECKS_MODES)
    if "magda_purpose" in d:
        check.code(d, "magda_purpose", "", set(), what="MAGDA purpose")
    for i, entry in enumerate(check.items(d, KEY, "")):
        here = f"checks[{i}]"
        if not isinstance(entry, dict):
            check.add(here, "must be a mapping")
            continue
        check_type = entry.get("type")
        extra = {"income_below": ("reference_year_offset", "reference_year", "threshold",
                                  "increase_per_dependant", "household"),
                 "social_status": ("status",)}.get(check_type, ())
        check.mapping(entry, here, ("code", "type", "text", *extra), ("code", "type", "text"))
        check.code(entry, "code", here, context.codes)
        check.choice(entry, "type", here, CHECK_TYPES, what="check type")
        if check_type == "income_below":
            has_offset, has_year = "reference_year_offset" in entry, "reference_year" in entry
            if has_offset == has_year:
                check.add(here, "give either reference_year_offset or reference_year")
            elif has_offset:
                check.integer(entry, "reference_year_offset", here, minimum=-5, maximum=0)
            else:
                check.integer(entry, "reference_year", here, minimum=2000, maximum=2100)
            check.decimal(entry, "threshold", here, positive=True)
            check.decimal(entry, "increase_per_dependant", here, required=False)
            check.boolean(entry, "household", here, required=True)
        elif check_type == "social_status":
            check.choice(entry, "status", here, SOCIAL_STATUSES, what="social status")
        check.result_texts(entry, here, check_type, ("pass", "fail", "pending"))


def default(workflow):
    return []
