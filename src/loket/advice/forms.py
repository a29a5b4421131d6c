"""The forms of advice: request (handler), answer (adviser, internal or by e-mail link), waive."""

import colander
import deform
from sqlalchemy import select

from loket.advice.external import external_services
from loket.advice.models import (
    CONDITIONAL,
    EXTERNAL_API,
    EXTERNAL_EMAIL,
    FAVOURABLE,
    INTERNAL,
    UNFAVOURABLE,
)
from loket.advice.services import MAX_ANSWER, MAX_QUESTION, NEEDS_TEXT, Shared, Target
from loket.catalogue.answers import field_labels
from loket.i18n import _
from loket.identity.models import RoleAssignment, Team
from loket.security import Role
from loket.web.forms import CSRFSchema, MemoryTmpStore

OPINION_TITLES = {
    FAVOURABLE: _("Favourable"),
    UNFAVOURABLE: _("Unfavourable"),
    CONDITIONAL: _("Favourable under conditions"),
}


def adviser_teams(dbsession, exclude_team_id: int) -> list[Team]:
    """Teams with at least one adviser: the internal services one can ask."""
    return list(dbsession.scalars(
        select(Team).where(Team.id != exclude_team_id, Team.id.in_(
            select(RoleAssignment.team_id).where(RoleAssignment.role == Role.ADVISER)))
        .order_by(Team.name)))


def target_choices(request, dossier) -> list[tuple[str, str]]:
    """``(value, title)``: ``team:<code>``, ``api:<service>`` and ``email``."""
    choices = [(f"team:{t.code}", t.title_in(request.locale_name))
               for t in adviser_teams(request.dbsession, dossier.team_id)]
    choices += [(f"api:{s.code}", s.title) for s in external_services(request.registry).values()]
    choices.append(("email", request.localizer.translate(
        _("Another service, by e-mail with a secure link"))))
    return choices


def target_of(request, value: str, email: str) -> Target:
    kind, _sep, code = value.partition(":")
    if kind == "team":
        team = request.dbsession.scalar(select(Team).where(Team.code == code))
        return Target(INTERNAL, team=team)
    if kind == "api":
        return Target(EXTERNAL_API, service=code)
    return Target(EXTERNAL_EMAIL, email=(email or "").strip())


@colander.deferred
def _target_widget(node, kw):
    return deform.widget.SelectWidget(values=[("", _("Choose a service"))] + kw["targets"])


@colander.deferred
def _target_validator(node, kw):
    return colander.OneOf([value for value, _title in kw["targets"]])


@colander.deferred
def _fields_widget(node, kw):
    return deform.widget.CheckboxChoiceWidget(values=kw["fields"])


@colander.deferred
def _documents_widget(node, kw):
    return deform.widget.CheckboxChoiceWidget(values=kw["documents"])


def _email_when_chosen(node, value):
    if value["target"] == "email" and not value["email"]:
        error = colander.Invalid(node)
        error["email"] = _("Give the e-mail address of the service you ask for advice.")
        raise error


class RequestSchema(CSRFSchema):
    """Bind with ``request``, ``targets``, ``fields`` and ``documents`` (value, title) lists."""

    target = colander.SchemaNode(colander.String(), title=_("Service"), widget=_target_widget,
                                 validator=_target_validator)
    email = colander.SchemaNode(
        colander.String(), title=_("E-mail address of the service"), missing="",
        description=_("Only when you ask another service by e-mail."),
        validator=colander.All(colander.Length(max=320),
                               colander.Email(_("This is not a valid e-mail address."))),
        widget=deform.widget.TextInputWidget(input_type="email"))
    question = colander.SchemaNode(
        colander.String(), title=_("Question"), validator=colander.Length(min=1,
                                                                          max=MAX_QUESTION),
        widget=deform.widget.TextAreaWidget(rows=4))
    due = colander.SchemaNode(colander.Date(), title=_("Advice expected by"),
                              widget=deform.widget.TextInputWidget(input_type="date"))
    fields = colander.SchemaNode(
        colander.Set(), title=_("Application data the service may see"), missing=(),
        widget=_fields_widget)
    documents = colander.SchemaNode(
        colander.Set(), title=_("Documents the service may see"), missing=(),
        widget=_documents_widget)

    def validator(self, node, value):
        _email_when_chosen(node, value)


def request_form(request, dossier, action: str) -> deform.Form:
    schema = RequestSchema().bind(
        request=request, targets=target_choices(request, dossier),
        fields=field_labels(dossier, request.locale_name),
        documents=[(str(d.number), d.title) for d in dossier.documents])
    # No autofocus: on the dossier page the form sits below the dossier's content.
    return deform.Form(schema, action=action, formid="adviesvraag", css_class="form",
                       focus="off", buttons=(deform.Button("request", _("Request advice")),))


def request_of(request, appstruct) -> tuple[Target, Shared]:
    target = target_of(request, appstruct["target"], appstruct["email"])
    shared = Shared(fields=sorted(appstruct["fields"]),
                    documents=sorted(int(n) for n in appstruct["documents"]))
    return target, shared


def _text_when_needed(node, value):
    if value["opinion"] in NEEDS_TEXT and not (value["text"] or "").strip():
        error = colander.Invalid(node)
        error["text"] = _("Explain an unfavourable or conditional advice.")
        raise error


class AnswerSchema(CSRFSchema):
    opinion = colander.SchemaNode(
        colander.String(), title=_("Your advice"), oid="opinion",
        widget=deform.widget.RadioChoiceWidget(values=list(OPINION_TITLES.items())),
        validator=colander.OneOf(list(OPINION_TITLES)))
    text = colander.SchemaNode(
        colander.String(), title=_("Explanation"), missing="",
        description=_("Required for an unfavourable advice or one with conditions."),
        validator=colander.Length(max=MAX_ANSWER), widget=deform.widget.TextAreaWidget(rows=5))
    file = colander.SchemaNode(
        deform.FileData(), title=_("Document (optional)"), missing=None,
        widget=deform.widget.FileUploadWidget(
            MemoryTmpStore(), accept="application/pdf,image/png,image/jpeg"),
        description=_("PDF, PNG or JPEG, at most 10 MB."))

    def validator(self, node, value):
        _text_when_needed(node, value)


def answer_form(request, action: str, with_file: bool = True) -> deform.Form:
    schema = AnswerSchema().bind(request=request)
    if not with_file:
        del schema["file"]
    return deform.Form(schema, action=action, formid="advies", css_class="form",
                       buttons=(deform.Button("answer", _("Send the advice")),))


class WaiveSchema(CSRFSchema):
    reason = colander.SchemaNode(
        colander.String(), title=_("Why is this advice no longer needed?"),
        validator=colander.Length(min=1, max=MAX_ANSWER),
        widget=deform.widget.TextAreaWidget(rows=3))


def waive_form(request, action: str) -> deform.Form:
    return deform.Form(WaiveSchema().bind(request=request), action=action, formid="afzien",
                       css_class="form", buttons=(deform.Button("waive", _("Waive the advice")),))
