"""``loket token``: the operator's door to the deny list of access tokens.

    loket token revoke INI --token-file FILE [--reden TEXT]   (FILE "-" reads standard input)
    loket token revoke INI --jti JTI --verloopt 2026-12-31T23:59:00+01:00 [--client ID] …
    loket token list INI

The token is read from a file or standard input, never from the command line, so it stays out
of shell histories and process lists. Its claims are read without checking its signature: a
revocation only ever refuses. Every revocation is audited. Exit 0 done, 2 bad usage.
"""

import base64
import binascii
import json
import sys
from datetime import UTC, datetime

USAGE = 2


def add_parser(commands):
    token = commands.add_parser("token", help="revoke API access tokens, list revocations")
    actions = token.add_subparsers(dest="token_command", required=True)
    revoke = actions.add_parser("revoke", help="put an access token on the deny list")
    revoke.add_argument("ini")
    revoke.add_argument("--token-file", help="the token, in a file ('-': standard input)")
    revoke.add_argument("--jti", help="the token's id, when the token itself is gone")
    revoke.add_argument("--verloopt", help="with --jti: when it expires (ISO 8601)")
    revoke.add_argument("--client", default="", help="with --jti: the client it was issued to")
    revoke.add_argument("--reden", default="", help="why (in the audit trail)")
    revoke.set_defaults(func=run_revoke)
    listing = actions.add_parser("list", help="the revocations still in force")
    listing.add_argument("ini")
    listing.set_defaults(func=run_list)


def claims_of(token: str) -> dict:
    """The payload of a JWT, unverified; ValueError when it is not one."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise ValueError("not a JWT (three parts separated by dots)")
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("the token's payload is not readable") from exc
    if not isinstance(claims, dict) or not claims.get("jti") or not isinstance(
            claims.get("exp"), int | float):
        raise ValueError("the token has no jti or exp")
    return claims


def _target(args) -> tuple[str, datetime, str]:
    if bool(args.token_file) == bool(args.jti):
        raise ValueError("give --token-file or --jti (with --verloopt)")
    if args.token_file:
        stdin = args.token_file == "-"  # noqa: S105 (a file name, not a secret)
        source = sys.stdin if stdin else open(args.token_file)  # noqa: SIM115
        with source:
            claims = claims_of(source.read())
        return (claims["jti"], datetime.fromtimestamp(claims["exp"], UTC),
                str(claims.get("client_id") or ""))
    if not args.verloopt:
        raise ValueError("--jti needs --verloopt (when the token expires)")
    expires = datetime.fromisoformat(args.verloopt)
    if expires.tzinfo is None:
        raise ValueError("--verloopt needs a time zone (e.g. +01:00)")
    return args.jti, expires, args.client


def run_revoke(args) -> int:
    import transaction

    from loket import audit
    from loket.db import get_tm_session
    from loket.identity.tokens import revoke

    try:
        jti, expires, client_id = _target(args)
    except (ValueError, OSError) as exc:
        print(f"loket token: {exc}", file=sys.stderr)
        return USAGE
    app = args.make_app()
    try:
        with transaction.manager:
            dbsession = get_tm_session(app.registry["dbsession_factory"], transaction.manager)
            revoke(dbsession, jti=jti, expires=expires, client_id=client_id, reason=args.reden)
            audit.write(dbsession, "token.revoked", "token", jti[:64], client=client_id,
                        reason=args.reden[:200], expires=expires.isoformat())
    finally:
        app.registry["db_engine"].dispose()
    print(json.dumps({"revoked": jti, "client": client_id, "until": expires.isoformat()}))
    return 0


def run_list(args) -> int:
    import transaction
    from sqlalchemy import select

    from loket.db import get_tm_session, utcnow
    from loket.identity.models import RevokedToken

    app = args.make_app()
    try:
        with transaction.manager:
            dbsession = get_tm_session(app.registry["dbsession_factory"], transaction.manager)
            rows = dbsession.scalars(select(RevokedToken).where(RevokedToken.expires > utcnow())
                                     .order_by(RevokedToken.revoked)).all()
            for row in rows:
                print(json.dumps({"jti": row.jti, "client": row.client_id,
                                  "until": row.expires.isoformat(),
                                  "revoked": row.revoked.isoformat(), "reason": row.reason}))
    finally:
        app.registry["db_engine"].dispose()
    return 0
