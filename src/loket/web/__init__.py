"""The web layer shared by every page: templates, forms, static files, headers, errors."""

import os
import re

from jinja2 import pass_context
from markupsafe import Markup
from pyramid.settings import asbool
from pyramid.tweens import EXCVIEW, INGRESS

from loket.i18n import DEFAULT_LOCALE, FILTERS, LANGUAGES
from loket.security import Permission
from loket.web.forms import configure_deform
from loket.web.headers import csp_nonce


def flash(request, message):
    """A message for the next page, in the reader's language."""
    request.session.flash(request.localizer.translate(message))


def _locale_filter(function):
    """A formatting filter of ``loket.i18n`` in the language of the template's request."""
    @pass_context
    def apply(context, value, *args, **kwargs):
        request = context.get("request")
        locale = getattr(request, "locale_name", None) or DEFAULT_LOCALE
        return function(value, locale, *args, **kwargs)
    return apply


_HEADING = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.DOTALL)


def section_index(html) -> list[tuple[str, str]]:
    """``(id, text)`` of each ``<h2 id=…>`` in rendered ``html``: a long page's in-page index
    of whatever sections its features added (no script)."""
    # The html is our own rendered (escaped) page; striptags gives plain text, escaped again
    # when the index is written.
    return [(anchor, Markup(title).striptags())  # noqa: S704
            for anchor, title in _HEADING.findall(str(html))]


def add_locale_filter(config, name: str, function):
    """A Jinja2 filter ``value|name`` that calls ``function(value, locale, …)``."""
    config.get_jinja2_environment().filters[name] = _locale_filter(function)


def includeme(config):
    settings = config.get_settings()
    config.include("pyramid_jinja2")
    config.add_jinja2_renderer(".jinja2")
    config.add_jinja2_search_path("loket:templates", name=".jinja2")
    settings.setdefault("jinja2.i18n.domain", "loket")
    settings.setdefault("jinja2.i18n.gettext", "loket.web.gettext.CachedGetText")
    config.commit()  # the Jinja2 environment must exist before we add globals

    env = config.get_jinja2_environment()
    env.globals.update(LANGUAGES=LANGUAGES, Permission=Permission)
    env.filters.update({name: _locale_filter(f) for name, f in FILTERS.items()})
    env.filters["section_index"] = section_index

    config.add_request_method(csp_nonce, reify=True)
    config.include(".start")  # config.add_start_page: each role's work in the menu and at login
    config.include(".contact")  # config.set_notification_address: the one e-mail for notifications
    config.add_tween("loket.web.headers.security_headers_tween_factory")
    # A URL that is not UTF-8 breaks every reader of the path, the error page's too.
    config.add_tween("loket.web.inputs.utf8_url_tween_factory", under=INGRESS)
    config.add_tween("loket.web.inputs.bad_url_tween_factory", under=EXCVIEW)
    configure_deform()

    cache = 0 if not asbool(settings.get("loket.hsts")) else 3600
    static_dir = settings.get("loket.static_dir") or os.path.join(os.getcwd(), "static")
    config.registry["loket.static_dir"] = os.path.abspath(static_dir)
    config.add_static_view("static", os.path.abspath(static_dir), cache_max_age=cache)
    # Deform's widget assets, except its bundled jQuery 2.0.3 (known vulnerabilities): the
    # route below answers 404 for it, and pages load our current jQuery from /static/vendor.
    config.add_route("deform_jquery2", r"/deform_static/scripts/{name:jquery-2\..*}")
    config.add_static_view("deform_static", "deform:static/", cache_max_age=cache)
    config.scan(".views")
    config.include(".uploads")
