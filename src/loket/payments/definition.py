"""The ``payment`` section of a dossier type that pays out: the budget code the accounting
books the payment on, and how many days after staging it is due. A type without a budget
code can be saved; staging its payment is refused until the administrator fills it in."""

KEY = "payment"


def validate(check, value, context):
    section = context.definition.get(KEY)
    if not section:
        return
    if check.mapping(section, KEY, ("budget_code", "due_days")) is None:
        return
    code = section.get("budget_code")
    if "budget_code" in section and (not isinstance(code, str) or not code.strip()
                                     or len(code) > 40):
        check.add(f"{KEY}.budget_code", "a budget code of at most 40 characters")
    if "due_days" in section:
        check.integer(section, "due_days", KEY, minimum=1, maximum=365)
