"""The functional administrator's wording editor: ``/catalogus/<code>/<n>/@@brieven``.

Per letter kind of the dossier-type version: the subject and the body in Dutch and English
and the signing rule; a preview renders the letter as it would be on a real dossier of this
type (nothing is stored; the preview is audited, it shows a citizen's data), and saving
writes the version's definition (a concept only; the catalogue validates it, so a wording with
an unknown variable is refused with its kind, part, line and variable, as at publication).
"""

import copy

from pyramid.renderers import render_to_response
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import select

from loket import audit
from loket.catalogue import services as catalogue
from loket.catalogue.definition import DefinitionError
from loket.catalogue.models import CONCEPT, DossierTypeVersion
from loket.documents.views import PREVIEW_POLICY
from loket.dossiers.models import Dossier
from loket.i18n import _
from loket.letters import wording
from loket.letters.context import MissingData
from loket.letters.kinds import letter_kinds
from loket.letters.models import Letter
from loket.letters.rendering import RenderFailed, render_pdf
from loket.letters.screening import ScreeningFailed, rule_for, screen
from loket.security import Permission
from loket.web import flash

TEMPLATE = "loket:letters/templates/editor.jinja2"


def _kinds(request, definition) -> list[tuple[str, str]]:
    """The kinds that have a wording (default or the version's own), by title."""
    translate = request.localizer.translate
    registered = letter_kinds(request.registry)
    own = ((definition.get(wording.KEY) or {}).get("templates") or {})
    codes = sorted(set(wording.DEFAULTS) | set(own)
                   | {code for code, kind in registered.items() if kind.wording})
    return [(code, translate(registered[code].title) if code in registered else code)
            for code in codes]


def _texts(request, definition, kind) -> dict:
    registered = letter_kinds(request.registry).get(kind)
    current = wording.wording_of(definition, kind, registered.wording if registered else None) \
        or {"subject": {}, "body": {}}
    found = {}
    for part in wording.PARTS:
        texts = current.get(part) or {}
        texts = {"nl": texts} if isinstance(texts, str) else texts
        for language in wording.LANGUAGES:
            found[f"{part}_{language}"] = texts.get(language, "")
    found["rule"] = rule_for(definition, kind)
    found["dossier"] = ""
    return found


def _posted_wording(values) -> dict:
    return {part: {language: values[f"{part}_{language}"] for language in wording.LANGUAGES
                   if values.get(f"{part}_{language}", "").strip()}
            for part in wording.PARTS}


def _page(request, version, kind, values, problems=(), status=200):
    definition = version.definition
    response = render_to_response(TEMPLATE, {
        "version": version, "dossier_type": version.dossier_type, "kinds":
        _kinds(request, definition), "kind": kind, "values": values,
        "problems": list(problems), "rules": wording.SIGNING_RULES,
        "may_save": version.status == CONCEPT, "variables": sorted(wording.VARIABLES),
    }, request=request)
    response.status = status
    return response


def _kind(request, version) -> str | None:
    kind = request.params.get("soort") or "decision.granted"
    return kind if kind in dict(_kinds(request, version.definition)) else None


@view_config(context=DossierTypeVersion, name="brieven", permission=Permission.MANAGE_CATALOGUE,
             request_method=("GET", "POST"))
def editor(context, request):
    kind = _kind(request, context)
    if kind is None:
        return _page(request, context, "decision.granted", {}, [_("Unknown letter kind.")],
                     404)
    if request.method == "GET":
        return _page(request, context, kind, _texts(request, context.definition, kind))
    values = {key: request.POST.get(key, "") for key in (
        *(f"{p}_{lang}" for p in wording.PARTS for lang in wording.LANGUAGES),
        "rule", "dossier")}
    own = _posted_wording(values)
    problems = wording.static_problems(kind, own)
    if not own["subject"].get("nl") or not own["body"].get("nl"):
        problems.insert(0, _("The Dutch subject and body are required."))
    if values["rule"] not in wording.SIGNING_RULES:
        problems.append(_("Choose a signing rule."))
    if problems:
        return _page(request, context, kind, values, problems, 422)
    if "voorbeeld" in request.POST:
        return _preview(request, context, kind, own, values)
    return _save(request, context, kind, own, values)


def _preview(request, version, kind, own, values):
    reference = values["dossier"].strip()
    dossier = request.dbsession.scalar(select(Dossier).where(
        Dossier.reference == reference)) if 0 < len(reference) <= 16 else None
    if dossier is None or dossier.type_version.type_id != version.type_id:
        return _page(request, version, kind, values, [_(
            "Give the reference of a dossier of this type to preview the letter on.")], 422)
    letter = Letter(dossier_id=dossier.id, dossier=dossier, kind=kind, details={},
                    status="to_render")
    try:
        try:
            signers = screen(request.dbsession, letter).signers
        except ScreeningFailed:
            signers = ()
        rendered = render_pdf(request, letter, signers, own_wording=own)
    except (MissingData, wording.WordingError, RenderFailed) as problem:
        return _page(request, version, kind, values, [problem.message], 422)
    finally:
        if letter in request.dbsession:
            request.dbsession.expunge(letter)
    audit.record(request, "letter.previewed", "dossier", dossier.reference, letter_kind=kind,
                 type=version.dossier_type.code, version=version.number)
    response = Response(body=rendered.pdf, content_type="application/pdf")
    response.content_disposition = f'inline; filename="voorbeeld-{kind}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = PREVIEW_POLICY
    return response


def _save(request, version, kind, own, values):
    if version.status != CONCEPT:
        return _page(request, version, kind, values, [_(
            "A published version never changes. Create a new concept version to make "
            "changes.")], 409)
    definition = copy.deepcopy(version.definition)
    section = definition.setdefault(wording.KEY, {})
    section.setdefault("templates", {})[kind] = own
    section.setdefault("signatures", {})[kind] = values["rule"]
    try:
        catalogue.update_concept(request, version, definition)
    except DefinitionError as error:
        return _page(request, version, kind, values, [str(p) for p in error.problems], 422)
    flash(request, _("The wording of the letter was saved."))
    return _page(request, version, kind, values)
