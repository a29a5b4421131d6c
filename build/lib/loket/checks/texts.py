"""Result texts in both languages, stored with the result so a later edit of the dossier type
never rewrites what the handler saw: the type's ``pass``/``fail`` texts with their
``${placeholders}`` filled, and this package's own texts where the type has none."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal

from loket.catalogue.definition import LANGUAGES, PLACEHOLDER
from loket.i18n import babel_locale, local_date  # noqa: F401 (local_date: the checks' name)


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


def euro(amount: Decimal) -> dict:
    """An amount without the sign, per language (the texts write the ``€``): ``23.410`` and
    ``26.739,25`` in Dutch, ``23,410`` and ``26,739.25`` in English; cents only when there
    are any."""
    amount = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    pattern = "#,##0" if amount == amount.to_integral_value() else "#,##0.00"
    return {language: format_decimal(amount, format=pattern, locale=babel_locale(language))
            for language in LANGUAGES}


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")
