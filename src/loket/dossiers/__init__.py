"""Dossiers: the content object, citizen and staff pages, lists."""

from loket.dossiers.resources import DossierContainer, add_dossier_child
from loket.i18n import _
from loket.security import Permission, Role, team_role_principal, user_principal


def applicants(dossier) -> list[str]:
    return [user_principal(dossier.applicant_id)]


def handlers(dossier) -> list[str]:
    # The team's handlers only: the team's advisers get rights from advice requests alone.
    return [team_role_principal(Role.HANDLER, dossier.team.code)]


def includeme(config):
    config.include(".presentation")  # the |dossier_title and |document_title filters
    config.add_directive("add_dossier_child", add_dossier_child)
    config.add_root_child("dossiers", DossierContainer)
    config.add_local_role("applicant", applicants)
    config.add_local_role("handler", handlers)
    config.include(".panels")  # config.add_dossier_panel, config.add_timeline_source
    config.include(".timeline")  # the dossier's own entries: transitions, notes, messages
    config.add_start_page("mijn-dossiers", _("My dossiers"), Permission.OWN_DOSSIERS, order=10)
    config.scan(".views")
    config.scan(".withdraw")  # the citizen withdraws an application (stopzetten)
    config.scan(".step_views")  # POST /dossiers/<ref>/stap
    config.scan(".workflow_api")  # GET /api/v1/dossiers/<ref>/workflow
