"""Who consulted my data: the MAGDA consultations about the citizen for their own dossiers.

From the legal MAGDA log (:mod:`loket.integrations.magda.models`): when, which source in plain
words, for which purpose, by whom (the citizen, the e-counter by itself, or a staff member of
the team handling the dossier) and for which dossier. Only rows about the logged-in citizen's
own national register number *and* one of their own dossiers: never another person's data.
"""

from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config
from sqlalchemy import select

from loket.dossiers.models import Dossier
from loket.i18n import _
from loket.integrations.magda.consult import consultations_about
from loket.resources import Root
from loket.security import Permission, user_principal

SERVICES = {
    "GeefPersoon": _("Your identity and address (national register)"),
    "GeefGezinssamenstelling": _("The members of your household (national register)"),
    "GeefAanslagbiljetPersonenbelasting": _("Your income tax assessment (FPS Finance)"),
    "GeefSociaalStatuut": _("Your social status (Crossroads Bank for Social Security)"),
    # Logged here too by the Documentendienst plug-in (the consent lookup before sending).
    "citizenEboxConsents": _("Whether you receive letters in your eBox (Documentendienst)"),
}
PURPOSES = {
    "sociale-premie-aanvraag": _("To fill in and check your application"),
    "inkomenscontrole": _("To check whether you meet the income conditions"),
}


def _who(row, user, dossier):
    if row.actor == user_principal(user.id):
        return _("You, while applying")
    if row.actor == "system":
        return _("The e-counter, automatically")
    return _("A staff member of ${team}", mapping={"team": dossier.team.name})


@view_config(context=Root, name="raadplegingen", permission=Permission.OWN_DOSSIERS,
             renderer="loket:integrations/magda/templates/consultations.jinja2",
             request_method="GET")
def consultations(context, request):
    user = request.user
    dossiers = {d.reference: d for d in request.dbsession.scalars(
        select(Dossier).where(Dossier.applicant_id == user.id))}
    only = request.GET.get("dossier")
    if only is not None:
        if only not in dossiers:  # not theirs, or no such dossier: the same answer
            raise HTTPNotFound()
        dossiers = {only: dossiers[only]}
    rows = consultations_about(request.dbsession, user.rrn) if user.rrn else []
    return {
        "dossier": dossiers[only] if only else None,
        "items": [{"row": row, "dossier": dossiers[row.dossier_reference],
                   "service": SERVICES.get(row.service, row.service),
                   "purpose": PURPOSES.get(row.purpose, row.purpose),
                   "who": _who(row, user, dossiers[row.dossier_reference])}
                  for row in rows if row.dossier_reference in dossiers],
    }
