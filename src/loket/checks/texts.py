"""Result texts in both languages, stored with the result so a later edit of the dossier type
never rewrites what the handler saw: the type's ``pass``/``fail`` texts with their
``${placeholders}`` filled, and this package's own texts where the type has none."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from loket.catalogue.definition import LANGUAGES, PLACEHOLDER
from loket.i18n import local_date  # noqa: F401 (the checks' name for it)


def fill(texts: dict | None, values: dict) -> dict:
    """``{nl, en}`` with every ``${name}`` replaced. A value may itself be ``{nl, en}`` (a
    document title); an unknown placeholder stays as written, visibly."""
    texts = texts or {}
    result = {}
    for language in LANGUAGES:
        template = str(texts.get(language) or texts.get("nl") or "")

        def value(match, language=language):
            found = values.get(match.group(1))
            if found is None:
                return match.group(0)
            if isinstance(found, dict):
                return str(found.get(language) or found.get("nl") or "")
            return str(found)

        result[language] = PLACEHOLDER.sub(value, template)
    return result


def euro(amount: Decimal) -> str:
    """Belgian notation without the sign: ``23 410`` or ``26 739,25`` (a narrow no-break
    space between thousands keeps the figure on one line)."""
    amount = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    whole, cents = divmod(abs(amount), 1)
    grouped = f"{int(whole):,}".replace(",", "\u202f")
    sign = "-" if amount < 0 else ""
    if not cents:
        return f"{sign}{grouped}"
    return f"{sign}{grouped},{int(cents * 100):02d}"


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")
