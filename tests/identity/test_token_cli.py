"""``loket token``: an operator takes a leaked API token back; the next call with it is
refused, the revocation is audited, and bad usage changes nothing."""

import base64
import json
import time

import pytest
from sqlalchemy import create_engine, delete, select

from loket.audit.models import AuditEvent
from loket.cli import main
from loket.identity.models import RevokedToken

INI = """\
[app:main]
use = egg:loket
{settings}
"""


def _jwt(claims: dict) -> str:
    def part(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'typ': 'at+jwt'})}.{part(claims)}.c2lnbmF0dXJl"


@pytest.fixture
def loket_token(tmp_path, app_settings, capsys):
    ini = tmp_path / "loket.ini"
    ini.write_text(INI.format(settings="\n".join(
        f"{k} = {str(v).replace('%', '%%')}" for k, v in app_settings.items())))
    engine = create_engine(app_settings["sqlalchemy.url"])

    def run(*args):
        code = main(["token", args[0], str(ini), *args[1:]])
        out, err = capsys.readouterr()
        return code, out, err

    run.engine = engine
    yield run
    with engine.begin() as connection:
        connection.execute(delete(RevokedToken).where(RevokedToken.jti.like("cli-test-%")))
    engine.dispose()


def _revoked(engine):
    with engine.connect() as connection:
        return {row.jti: row for row in connection.execute(select(RevokedToken))}


def test_revoke_a_token_from_a_file(loket_token, tmp_path):
    expires = int(time.time()) + 600
    token = tmp_path / "leaked.jwt"
    token.write_text(_jwt({"jti": "cli-test-1", "exp": expires, "client_id": "notulen"}))
    code, out, _ = loket_token("revoke", "--token-file", str(token), "--reden", "gelekt")
    assert code == 0 and json.loads(out)["revoked"] == "cli-test-1"
    row = _revoked(loket_token.engine)["cli-test-1"]
    assert row.client_id == "notulen" and row.reason == "gelekt"
    with loket_token.engine.connect() as connection:
        assert connection.execute(select(AuditEvent.details).where(
            AuditEvent.action == "token.revoked", AuditEvent.object_id == "cli-test-1")
        ).scalar_one()["client"] == "notulen"
    code, out, _ = loket_token("list")
    assert code == 0 and "cli-test-1" in out


def test_revoke_by_jti(loket_token):
    code, _, _ = loket_token("revoke", "--jti", "cli-test-2",
                             "--verloopt", "2099-01-01T00:00:00+01:00")
    assert code == 0 and "cli-test-2" in _revoked(loket_token.engine)


@pytest.mark.parametrize("args, message", [
    ((), "--token-file or --jti"),
    (("--jti", "cli-test-3"), "--verloopt"),
    (("--jti", "cli-test-3", "--verloopt", "2099-01-01T00:00:00"), "time zone"),
    (("--token-file", "/nonexistent/token"), "No such file"),
])
def test_bad_usage_changes_nothing(loket_token, args, message):
    code, _, err = loket_token("revoke", *args)
    assert code == 2 and message in err
    assert "cli-test-3" not in _revoked(loket_token.engine)


def test_a_file_without_a_token_is_refused(loket_token, tmp_path):
    junk = tmp_path / "junk"
    junk.write_text("not a token")
    code, _, err = loket_token("revoke", "--token-file", str(junk))
    assert code == 2 and "not a JWT" in err

