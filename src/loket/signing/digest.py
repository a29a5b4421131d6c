""""Wacht op je handtekening": one e-mail per signatory for everything that came to wait for
their signature since the last one, at most one a day (``loket.signing.digest_hours``), never
one per letter. Sent through the e-mail channel of the outbox; in Dutch, the municipality's
language; no personal data (letter titles and dossier references only)."""

from collections import defaultdict
from datetime import timedelta
from html import escape

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from loket.db import utcnow
from loket.identity.models import User
from loket.letters.models import SIGNED, TO_SIGN, WAITING, Letter
from loket.outbox import deliverers, enqueue
from loket.signing.models import IN_PROGRESS, SigningDigest, SigningPackage

EMAIL_KIND = "email"  # the e-mail notification plug-in's outbox kind
LISTED = 20  # letters named in the e-mail; the rest is counted


def due(session, registry) -> dict[int, list]:
    """Signatory user id → (package, position, letter) newly waiting for them."""
    rows = session.execute(
        select(SigningPackage, Letter).join(Letter, Letter.id == SigningPackage.letter_id)
        .where(SigningPackage.status == IN_PROGRESS, Letter.status == TO_SIGN)
        .options(selectinload(Letter.signatories)).order_by(Letter.id)).all()
    waiting = defaultdict(list)
    for package, letter in rows:
        turn = next((s for s in letter.signatories if s.status != SIGNED), None)
        if turn is not None and turn.status == WAITING and package.notified < turn.position:
            waiting[turn.user_id].append((package, turn.position, letter))
    return waiting


def send_digests(registry, session) -> int:
    if EMAIL_KIND not in deliverers(registry):
        return 0
    now = utcnow()
    gap = timedelta(hours=float(registry.settings.get("loket.signing.digest_hours", 20)))
    folder = f"{registry.settings.get('loket.public_url', '').rstrip('/')}/handtekenmap"
    sent = 0
    for user_id, items in due(session, registry).items():
        digest = session.get(SigningDigest, user_id)
        user = session.get(User, user_id)
        if (digest is not None and now - digest.last_sent < gap) or not user.email:
            continue
        enqueue(session, EMAIL_KIND, {"to": user.email, **email(user, items, folder),
                                      "language": "nl"},
                ordering_key=f"signing-digest:{user_id}")
        for package, position, _letter in items:
            package.notified = position
        if digest is None:
            session.add(SigningDigest(user_id=user_id, last_sent=now))
        else:
            digest.last_sent = now
        sent += 1
    return sent


def email(user, items, folder: str) -> dict:
    count = len(items)
    lines = [f"- {letter.dossier.reference}: {letter.title}" for _p, _n, letter in
             items[:LISTED]]
    if count > LISTED:
        lines.append(f"- en nog {count - LISTED} andere")
    text = (f"Beste {user.given_name},\n\n"
            f"{count} {'brief wacht' if count == 1 else 'brieven wachten'} op je handtekening:"
            "\n\n" + "\n".join(lines) + f"\n\nJe tekent ze in je handtekenmap: {folder}\n")
    return {"subject": f"Wacht op je handtekening: {count} "
                       f"{'brief' if count == 1 else 'brieven'}",
            "text": text, "html": _html(text, folder)}


def _html(text: str, folder: str) -> str:
    paragraphs = "".join(f"<p>{escape(block).replace(chr(10), '<br>')}</p>"
                         for block in text.strip().split("\n\n"))
    return (f"<!DOCTYPE html><html lang=\"nl\"><body>{paragraphs}"
            f"<p><a href=\"{escape(folder)}\">Naar je handtekenmap</a></p></body></html>")
