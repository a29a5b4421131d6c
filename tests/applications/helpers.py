"""Driving the application pages like a browser: start, fill a step, read the draft."""

from datetime import date, timedelta

from sqlalchemy import select

from loket.dossiers.models import Dossier
from tests.applications.conftest import TYPE

GOOD_STEPS = {
    1: {"email": "jan@example.org", "telefoon": "0470 12 34 56"},
    2: {},
    3: {"brandstof": "gasolie", "leveringsdatum": (date.today() - timedelta(days=10)).isoformat(),
        "liters": "1000", "factuurbedrag": "1.234,56", "appartement": "false"},
    4: {"iban": "be71 0961 2345 6769", "rekeninghouder": "Jan Peeters"},
}


def form_posting_to(page, ending):
    return next(f for f in page.forms.values() if (f.action or "").split("?")[0].endswith(ending))


def start(testapp, code=TYPE, extra=()):
    """Press "Start the application"; the draft's path."""
    page = testapp.get(f"/catalogus/{code}/aanvragen")
    form = form_posting_to(page, "aanvragen")
    fields = list(form.submit_fields()) + list(extra)
    response = testapp.post(form.action, fields, status=302)
    return response.location.replace("http://localhost", "").split("?")[0].rsplit("/", 1)[0]


def draft(dbsession, path) -> Dossier:
    reference = path.rstrip("/").rsplit("/", 1)[-1]
    dossier = dbsession.scalars(select(Dossier).where(Dossier.reference == reference)).one()
    dbsession.refresh(dossier)
    return dossier


def fill(page, values):
    """The step's form with ``values`` set by field name (inputs named by Deform)."""
    form = page.forms["aanvraag"]
    for name, value in values.items():
        item = page.html.select_one(f".item-{name}")
        control = item.select_one("input[name]:not([type=hidden]), select[name], "
                                  "textarea[name]")["name"]
        form[control] = value
    return form


def submit_step(testapp, path, number, values, button="volgende", status=302):
    page = testapp.get(f"{path}/aanvraag?stap={number}")
    return fill(page, values).submit(button, status=status)


def fill_everything(testapp, path):
    for number, values in GOOD_STEPS.items():
        submit_step(testapp, path, number, values)


def dutch(msgid, **mapping) -> str:
    """How the page says ``msgid`` in Dutch (the English msgid until its translation is
    merged into the catalogue)."""
    from pathlib import Path

    from pyramid.i18n import make_localizer

    import loket
    from loket.i18n import _

    locale_dir = str(Path(loket.__file__).parent / "locale")
    return make_localizer("nl", [locale_dir]).translate(_(msgid, mapping=mapping or None))
