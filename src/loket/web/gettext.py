"""Templates' ``_()`` with the translations of plain strings kept per locale.

A page calls ``_()`` hundreds of times (a worklist: every row's labels); each call built a
TranslationString and asked the translator again. A literal text translates the same every
time in a locale, so its translation is kept (a bounded table per process). Translation strings
from Python (with a mapping or a domain of their own) are translated every time, as before.
"""

from pyramid.threadlocal import get_current_request
from pyramid_jinja2.i18n import GetTextWrapper

LIMIT = 20_000  # distinct (locale, text) pairs kept; beyond it texts are translated each time


class CachedGetText(GetTextWrapper):
    def __init__(self, domain):
        super().__init__(domain)
        self.kept: dict[tuple[str, str], str] = {}

    def gettext(self, message, mapping=None):
        localizer = get_current_request().localizer
        if mapping is not None or type(message) is not str:
            return localizer.translate(message, domain=self.domain, mapping=mapping)
        key = (localizer.locale_name, message)
        found = self.kept.get(key)
        if found is None:
            found = localizer.translate(message, domain=self.domain)
            if len(self.kept) < LIMIT:
                self.kept[key] = found
        return found
