"""Completion (vervollediging): the handler asks for missing information or documents, the
citizen answers on the dossier page or through the API. See :mod:`loket.completion.services`."""


from loket.completion import worklist
from loket.completion.models import CompletionRequest
from loket.completion.services import ANSWER, FEATURE, REQUEST, WAITING
from loket.completion.views import citizen_panel, staff_panel


def includeme(config):
    config.add_openapi_fragment("loket.completion")
    config.add_workflow_feature(FEATURE, marks=(WAITING,), purposes=(REQUEST, ANSWER))
    config.add_worklist_flag("completion_requested", worklist.FLAG_TITLE,
                             worklist.completion_open)

    config.add_dossier_panel("completion", "loket:completion/templates/citizen_panel.jinja2",
                             citizen_panel, order=10, audience="citizen")
    config.add_dossier_panel("completion-staff",
                             "loket:completion/templates/staff_panel.jinja2", staff_panel,
                             order=40, audience="staff")
    config.add_dossier_rows("completion", CompletionRequest.dossier_id)
    # The generic step form's comment is the question: a request for completion is always
    # stored as one. The citizen answers through the completion form, never a bare step.
    config.add_step_handler(REQUEST, step_request_completion)
    config.add_step_handler(ANSWER, step_use_the_answer_form)
    config.scan(".views")
    config.scan(".api")


def step_request_completion(request, dossier, comment, version):
    from loket.completion.services import request_completion

    request_completion(request, dossier, comment, [], None, version)


def step_use_the_answer_form(request, dossier, comment, version):
    from loket.i18n import _
    from loket.workflow.engine import TransitionRefused

    raise TransitionRefused(_("Answer the request on your dossier page: the answer and the "
                              "documents go along with it."))
