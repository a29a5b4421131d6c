"""A feature as a package: everything it adds to Loket it registers through directives, and
nothing in ``src/loket`` names it. Included with ``loket.includes = tests.extension``."""

from pyramid.view import view_config

from loket.i18n import _
from loket.security import PUBLIC, Permission, user_principal

ROLE = "proefnemer"


class Proeven:
    """``/proeven``: a top-level container of this feature."""

    __name__ = "proeven"

    def __init__(self, parent, request):
        self.__parent__ = parent
        self.request = request

    def __getitem__(self, key):
        raise KeyError(key)


class Proefstukken:
    """``/dossiers/<ref>/proefstukken``: a child of every dossier."""

    __name__ = "proefstukken"

    def __init__(self, dossier):
        self.__parent__ = dossier
        self.dossier = dossier


def ready(dossier):
    """A workflow condition: holds when the dossier's data says so."""
    return None if (dossier.data or {}).get("proef") == "klaar" else _("Not ready yet.")


def tester(dossier):
    """A local role: the applicant is also the tester of their dossier."""
    return [user_principal(dossier.applicant_id)]


def with_title(viewer):
    from loket.dossiers.models import Dossier

    return Dossier.title.like("Proef%")


def validate(check, value, context):
    if check.mapping(value, "proef", ("aantal",), ("aantal",)) is not None:
        check.integer(value, "aantal", "proef", minimum=1, maximum=9)


@view_config(context=Proeven, permission=PUBLIC, renderer="json", request_method="GET")
def proeven(context, request):
    return {"proeven": []}


@view_config(context=Proefstukken, permission=Permission.VIEW, renderer="json",
             request_method="GET")
def proefstukken(context, request):
    return {"dossier": context.dossier.reference}


def includeme(config):
    config.add_root_child("proeven", Proeven)
    config.add_dossier_child("proefstukken", Proefstukken)
    config.add_worklist("proef", _("Trials"), with_title, order=99)
    config.add_workflow_condition("proef_klaar", ready)
    config.add_local_role(ROLE, tester)
    config.add_definition_section("proef", validate, default=lambda workflow: {"aantal": 1},
                                  required=False)
    config.scan("tests.extension")
