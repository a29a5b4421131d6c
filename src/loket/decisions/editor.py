"""The functional administrator's editor of a dossier-type version's decision template
(``/catalogus/<code>/<n>/@@beslissingssjabloon``), with a preview on a real dossier of the type.

The template is the definition section ``decision_draft`` (:mod:`.drafting`): saving goes
through the catalogue (:func:`loket.catalogue.services.update_concept`: a concept version
only, validated, audited), so an unknown variable is refused when saving and again when the
version is published; the preview renders the edited texts on the chosen dossier in the
sandbox and names the part, line and variable of a problem. The preview proposes nothing.
"""

from pyramid.httpexceptions import HTTPFound
from pyramid.view import view_config
from sqlalchemy import select

from loket.catalogue.definition import DefinitionError
from loket.catalogue.models import CONCEPT, DossierTypeVersion
from loket.catalogue.services import update_concept
from loket.decisions import drafting, services
from loket.dossiers.models import Dossier
from loket.i18n import _
from loket.security import Permission
from loket.web.inputs import parse_id

TEMPLATE = "loket:decisions/templates/template_editor.jinja2"
SAMPLES = 20  # dossiers of the type offered for the preview
MAX_ARTICLES = 30


def _posted(post) -> dict:
    """The template as typed: title, grounds, motivation and the non-empty articles."""
    articles = [a for a in post.getall("article") if a.strip()][:MAX_ARTICLES]
    return {"title": post.get("title", ""), "grounds": post.get("grounds", ""),
            "motivation": post.get("motivation", ""), "articles": articles}


def _samples(request, version: DossierTypeVersion) -> list[Dossier]:
    """The latest submitted dossiers of this dossier type (any of its versions)."""
    return list(request.dbsession.scalars(
        select(Dossier).join(DossierTypeVersion, Dossier.type_version_id == DossierTypeVersion.id)
        .where(DossierTypeVersion.type_id == version.type_id, Dossier.submitted.is_not(None))
        .order_by(Dossier.submitted.desc(), Dossier.id.desc()).limit(SAMPLES)))


def _page(request, version, template, *, dossier_id=None, preview=None, problems=(),
          status=200):
    request.response.status = status
    return {"version": version, "dossier_type": version.dossier_type, "template": template,
            "editable": version.status == CONCEPT, "samples": _samples(request, version),
            "dossier_id": dossier_id, "preview": preview, "problems": list(problems),
            "variables": sorted(drafting.VARIABLES)}


@view_config(context=DossierTypeVersion, name="beslissingssjabloon",
             permission=Permission.MANAGE_CATALOGUE, request_method="GET", renderer=TEMPLATE)
def show(context, request):
    return _page(request, context, drafting.template_of(context.definition))


@view_config(context=DossierTypeVersion, name="beslissingssjabloon",
             permission=Permission.MANAGE_CATALOGUE, request_method="POST", renderer=TEMPLATE)
def post(context, request):
    template = _posted(request.POST)
    problems = drafting.static_problems(template)
    if not template["articles"]:
        problems.append(_("Give at least one article."))
    if request.POST.get("action") == "save":
        if not problems and context.status != CONCEPT:
            problems.append(_("A published version cannot be changed: make a new version."))
        if not problems:
            try:
                update_concept(request, context, {**context.definition,
                                                  drafting.KEY: template})
            except DefinitionError as refused:
                problems = [str(p) for p in refused.problems]
        if problems:
            return _page(request, context, template, problems=problems, status=400)
        request.session.flash(request.localizer.translate(_("The decision template was "
                                                            "saved.")))
        return HTTPFound(location=request.resource_path(context, "@@beslissingssjabloon"))
    # The preview, on a dossier of this type.
    dossier_id = parse_id(request.POST.get("dossier", ""))
    dossier = next((d for d in _samples(request, context) if d.id == dossier_id), None)
    if dossier is None:
        problems.append(_("Choose a dossier of this type for the preview."))
    if problems:
        return _page(request, context, template, dossier_id=dossier_id, problems=problems,
                     status=422)
    try:
        preview = services.draft_for(request, dossier, template)
    except drafting.DraftError as error:
        return _page(request, context, template, dossier_id=dossier_id,
                     problems=[error.message], status=422)
    return _page(request, context, template, dossier_id=dossier_id, preview=preview)
