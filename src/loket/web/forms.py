"""Deform 3 inside Jinja2 pages: translated through Pyramid, with CSP nonces on its scripts."""

import re
from pathlib import Path

import colander
import deform
from deform.template import BOOLEAN_HTML_ATTRS, ZPTTemplateLoader
from markupsafe import Markup
from pyramid.csrf import get_csrf_token
from pyramid.i18n import get_localizer
from pyramid.threadlocal import get_current_request
from translationstring import ChameleonTranslate

from loket.i18n import _

_SCRIPT_TAG = re.compile(r"<script(?=[\s>])")


def _translator(term):
    request = get_current_request()
    if request is None:
        return term.interpolate() if hasattr(term, "interpolate") else term
    return get_localizer(request).translate(term)


# Text people type is stored and shown again, sent to DOSIS, printed in letters: no NUL,
# no control characters (C0, DEL, C1) and no lone surrogates (they cannot be encoded as
# UTF-8). Multi-line text keeps its newlines and tabs (a browser sends CR LF).
_SINGLE_LINE_GARBAGE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_MULTI_LINE_GARBAGE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
GARBAGE_MESSAGE = _("Remove the invisible control characters from this text.")


def text_is_clean(value: str, multiline: bool = False) -> bool:
    pattern = _MULTI_LINE_GARBAGE if multiline else _SINGLE_LINE_GARBAGE
    return not pattern.search(value)


def clean_text(node, value):
    """Colander validator of one line of text (an input field)."""
    if isinstance(value, str) and not text_is_clean(value):
        raise colander.Invalid(node, GARBAGE_MESSAGE)


def clean_multiline_text(node, value):
    """Colander validator of multi-line text (a text area): newlines and tabs allowed."""
    if isinstance(value, str) and not text_is_clean(value, multiline=True):
        raise colander.Invalid(node, GARBAGE_MESSAGE)


def _multiline(node) -> bool:
    return isinstance(getattr(node, "widget", None),
                      (deform.widget.TextAreaWidget, deform.widget.RichTextWidget))


def garbage_errors(node, cstruct) -> colander.Invalid | None:
    """Every text the user sent checked before the schema reads it: one Invalid with the
    offending fields as children (so the form shows each error at its field)."""
    if isinstance(cstruct, str):
        if text_is_clean(cstruct, multiline=_multiline(node)):
            return None
        return colander.Invalid(node, GARBAGE_MESSAGE)
    children = []
    if isinstance(cstruct, dict) and isinstance(node.typ, colander.Mapping):
        for position, child in enumerate(node.children):
            if child.name in cstruct:
                children.append((position, garbage_errors(child, cstruct[child.name])))
        # Keys without a node are dropped by colander, but are checked all the same.
        for key, value in cstruct.items():
            if isinstance(value, str) and key not in node and not text_is_clean(value):
                return colander.Invalid(node, GARBAGE_MESSAGE)
    elif isinstance(cstruct, list | tuple) and node.children:
        for position, value in enumerate(cstruct):
            children.append((position, garbage_errors(node.children[0], value)))
    children = [(p, e) for p, e in children if e is not None]
    if not children:
        return None
    error = colander.Invalid(node)
    for position, child_error in children:
        error.add(child_error, position)
    return error


@colander.deferred
def _csrf_token(node, kw):
    return get_csrf_token(kw["request"])


class CSRFSchema(colander.Schema):
    """Base of every form schema: carries the CSRF token Pyramid checks before the view runs.

    Bind the schema with ``request=request``."""

    csrf_token = colander.SchemaNode(
        colander.String(), widget=deform.widget.HiddenWidget(), default=_csrf_token,
        missing=colander.drop,
    )

    def deserialize(self, cstruct=colander.null):
        # One check of every text field of every form (NUL, control characters, surrogates).
        error = garbage_errors(self, cstruct)
        if error is not None:
            raise error
        return super().deserialize(cstruct)


class RendererFactory(deform.ZPTRendererFactory):
    """Deform's renderer, with ``autofocus`` a boolean attribute: Deform's radio and checkbox
    templates write ``autofocus="False"`` on every option but the first otherwise, which a
    browser reads as "focus here" and so scrolls a long page to that form on load."""

    def __init__(self, search_path, translator=None):
        super().__init__(search_path, translator=translator)
        self.loader = ZPTTemplateLoader(
            search_path=search_path, auto_reload=True, debug=False, encoding="utf-8",
            translate=ChameleonTranslate(translator),
            boolean_attributes=BOOLEAN_HTML_ATTRS | {"autofocus"})


# form.pt's one error banner (a msgid of Loket's, named here so that extraction finds it).
ERROR_BANNER = _("Some answers are not right yet. Look at the messages next to the fields; what "
                 "you typed is kept.")

# Our overrides of Deform's templates, before Deform's own.
TEMPLATES = str(Path(__file__).parent / "deform_templates")


def configure_deform():
    search_path = deform.Form.default_renderer.loader.search_path
    if TEMPLATES not in search_path:
        search_path = (TEMPLATES, *search_path)
    deform.Form.set_default_renderer(RendererFactory(search_path, translator=_translator))


def render_form(request, form, **kw) -> Markup:
    """Render a Deform form for a Jinja2 page. Deform's own widget scripts get the request's
    CSP nonce; the markup is Deform's (escaped by Chameleon), so no user input can add one."""
    return _with_nonce(request, form.render(**kw))


def render_failure(request, failure: deform.ValidationFailure) -> Markup:
    """Redisplay a form with its errors next to the fields and what the user typed."""
    return _with_nonce(request, failure.render())


def _with_nonce(request, html: str) -> Markup:
    return Markup(_SCRIPT_TAG.sub(f'<script nonce="{request.csp_nonce}"', html))  # noqa: S704


class MemoryTmpStore(dict):
    """Deform's upload widget wants a store for redisplay; we keep nothing between requests."""

    def preview_url(self, uid):
        return None


def posted_version(value) -> int | None:
    """The version counter a form posted back (optimistic locking), or None when it is not a
    number (the service then refuses: the form is incomplete)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
