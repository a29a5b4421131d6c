"""The e-mail to a service asked for advice (and its reminder), in Dutch, the municipality's
language. Rendered when enqueued, so a redelivery sends the very same words.

The link carries the one-time token; it is the only place the token exists in clear (Loket
keeps its hash). The outbox row holding it is purged with the other delivered messages.
"""

from datetime import date

import jinja2

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("loket.advice", "templates/mail"),
    autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
)


def answer_url(settings, token: str) -> str:
    return f"{settings['loket.public_url'].rstrip('/')}/advies/{token}"


def advice_email(settings, advice, token: str | None, reminder: bool,
                 expires: date | None) -> dict:
    """``{"subject", "text", "html"}``. Without a token (a reminder) there is no link: the
    first e-mail's link still works, and Loket cannot make it again."""
    context = {
        "municipality": settings.get("loket.municipality.name", ""),
        "reference": advice.dossier.reference, "title": advice.dossier.title,
        "question": advice.question, "due": advice.due.strftime("%d/%m/%Y"),
        "expires": expires.strftime("%d/%m/%Y") if expires else "",
        "url": answer_url(settings, token) if token else "",
        "worklist": f"{settings['loket.public_url'].rstrip('/')}/adviezen",
        "internal": advice.channel == "internal", "reminder": reminder,
    }
    subject = ("Herinnering: " if reminder else "") + \
        f"Adviesvraag over dossier {context['reference']}"
    return {"subject": subject,
            "text": _env.get_template("request.txt").render(context).strip() + "\n",
            "html": _env.get_template("request.html").render(context)}
