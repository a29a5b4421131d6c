"""Dutch by default, English as second language; Deform and Colander follow the same locale."""

from pyramid.i18n import TranslationStringFactory

_ = TranslationStringFactory("loket")

LANGUAGES = {"nl": "Nederlands", "en": "English"}
DEFAULT_LOCALE = "nl"
LOCALE_COOKIE = "loket_taal"


def locale_negotiator(request) -> str:
    # Dutch unless the visitor chose otherwise: a Flemish administration speaks Dutch first,
    # whatever language the browser happens to be set to.
    locale = request.cookies.get(LOCALE_COOKIE)
    return locale if locale in LANGUAGES else DEFAULT_LOCALE


def includeme(config):
    config.set_locale_negotiator(locale_negotiator)
    # Later entries win: our Dutch overrides for Deform and Colander come last.
    config.add_translation_dirs("colander:locale/", "deform:locale/", "loket:locale/")
