"""One way of addressing people: citizens read "je" on every page, in Loket's texts and in
Deform's and Colander's messages alike (the Flemish government writes to citizens with "je")."""

import re
import secrets
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

import loket
from loket.demo import load_demo_data
from loket.dossiers.models import Dossier
from loket.identity.models import User, WebSession
from loket.identity.sessions import COOKIE_NAME, _hash

LOCALE = Path(loket.__file__).parent / "locale"
FORMAL = re.compile(r"\b(u|uw|uwe)\b", re.IGNORECASE)


@pytest.fixture
def jan(dbsession, app_settings, testapp):
    """Jan, logged in with his eID (applying asks for it)."""
    load_demo_data(dbsession, app_settings)
    jan = dbsession.scalars(select(User).where(User.given_name == "Jan")).one()
    token = secrets.token_urlsafe(32)
    dbsession.add(WebSession(id=_hash(token), user_id=jan.id, data={
        "user_id": jan.id, "acr": "urn:be:vlaanderen:authmech:eid"}))
    dbsession.flush()
    testapp.set_cookie(COOKIE_NAME, token)
    return jan


def _text(page) -> str:
    return " ".join(page.html.get_text(" ").split())


def test_citizen_pages_say_je(testapp, jan, dbsession):
    dossier = dbsession.scalars(select(Dossier).where(Dossier.title == "Verwarmingstoelage")).one()
    pages = ["/", "/catalogus", "/catalogus/verwarmingstoelage", "/mijn-dossiers", "/meldingen",
             f"/dossiers/{dossier.reference}"]
    texts = {path: _text(testapp.get(path)) for path in pages}
    texts["404"] = _text(testapp.get("/bestaat-niet", status=404))
    start = testapp.get("/catalogus/verwarmingstoelage/aanvragen")
    form = next(f for f in start.forms.values() if (f.action or "").endswith("aanvragen"))
    draft = form.submit(status=302).location.replace("http://localhost", "").rsplit("/", 1)[0]
    step = testapp.get(f"{draft}/aanvraag?stap=1")
    texts["step"] = _text(step)
    step.forms["aanvraag"]["email"] = "geen adres"
    texts["step with errors"] = _text(step.forms["aanvraag"].submit("volgende", status=400))
    for where, text in texts.items():
        assert not FORMAL.findall(text), (where, FORMAL.findall(text))
    assert "Dit veld is verplicht" in texts["step with errors"]  # Deform's messages, checked too


@pytest.mark.parametrize("domain", ["loket", "deform", "colander"])
def test_no_translation_says_u(domain):
    """Staff read "je" too: one register for the whole site, so shared pages (errors, login)
    never switch between them."""
    with (LOCALE / "nl" / "LC_MESSAGES" / f"{domain}.po").open("rb") as po:
        catalogue = read_po(po)
    formal = [m.string for m in catalogue if m.id and m.id != "${count} h"  # "u" is hours
              and FORMAL.search(m.string if isinstance(m.string, str) else " ".join(m.string))]
    assert formal == []
