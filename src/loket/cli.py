"""``loket``: what an operator does on the command line.

    loket initdb INI        create or upgrade the database (Alembic) and the file store
    loket demo INI          load demo data (citizens, staff, teams, dossiers)
    loket worker INI        run the background worker
    loket simulators INI    serve the simulators of the government services (development)
    loket dev INI           simulators + worker + web server together (what `make run` runs)
    loket magda INI SERVICE INSZ --doel PURPOSE …   ask MAGDA one question (onboarding)
    loket audit verify INI [--log audit|magda]
                            check a hash chain; names the first broken row (exit 1)
    loket token revoke INI --token-file FILE | --jti JTI --verloopt WHEN
                            take an API access token back (the deny list)
    loket token list INI    the revocations in force
"""

import argparse
import logging
import os
import signal
import subprocess
import sys
import time

from pyramid.paster import get_appsettings, setup_logging

log = logging.getLogger("loket")


def _settings(ini: str) -> dict:
    from loket import settings as loket_settings

    setup_logging(ini)
    return loket_settings.load(get_appsettings(ini))


def initdb(args):
    from alembic import command
    from alembic.config import Config

    settings = _settings(args.ini)
    os.makedirs(settings["loket.blob_dir"], exist_ok=True)
    url = settings["sqlalchemy.url"]
    if url.startswith("sqlite:///"):
        os.makedirs(os.path.dirname(os.path.abspath(url.removeprefix("sqlite:///"))),
                    exist_ok=True)
    alembic_cfg = Config(args.ini)
    os.environ.setdefault("LOKET_DATABASE_URL", url)
    command.upgrade(alembic_cfg, "head")
    log.info("database at the newest revision")


def demo(args):
    import transaction

    from loket.db import get_tm_session
    from loket.demo import load_demo_data

    # The whole application: its features validate their sections of the shipped types.
    app = args.make_app()
    try:
        with transaction.manager:
            created = load_demo_data(get_tm_session(app.registry["dbsession_factory"],
                                                    transaction.manager), app.registry.settings)
    finally:
        app.registry["db_engine"].dispose()
    log.info("demo data: %s", created)


def _make_app(ini):
    from loket.main import main as make_app

    return make_app({}, **_settings(ini))


def worker(args):
    from loket.worker import run_worker

    # The whole application, for its registry: every deliverer the plug-ins registered.
    app = _make_app(args.ini)
    try:
        run_worker(app.registry, once=args.once)
    finally:
        app.registry["db_engine"].dispose()


def audit_verify(args):
    from loket.audit.chain import verify
    from loket.db import get_engine, get_session_factory

    settings = _settings(args.ini)
    engine = get_engine(settings)
    broken = 0
    try:
        with get_session_factory(engine)() as session:
            for name in args.log:
                problems = verify(session, name)
                first = next(problems, None)
                if first is None:
                    print(f"{name}: chain intact")
                    continue
                broken += 1
                where = f"row {first.seq}" if first.seq is not None else "a row"
                ident = f" (id {first.row_id})" if first.row_id is not None else ""
                print(f"{name}: chain broken at {where}{ident}: {first.what}")
    finally:
        engine.dispose()
    return 1 if broken else 0


def simulators(args):
    from waitress import serve

    from loket.integrations.simulators import make_app

    settings = _settings(args.ini)
    app = make_app(settings)
    serve(app, host=settings.get("loket.simulators.host", "127.0.0.1"),
          port=int(settings.get("loket.simulators.port", 6544)), threads=8)


def dev(args):
    """Run the simulators, the worker and the web server; stop all when one stops."""
    exe = [sys.executable, "-m", "loket.cli"]
    # Our own interpreter and modules, with the operator's own .ini path: no shell involved.
    children = [
        subprocess.Popen([*exe, "simulators", args.ini]),  # noqa: S603
        subprocess.Popen([*exe, "worker", args.ini]),  # noqa: S603
        subprocess.Popen([sys.executable, "-m", "pyramid.scripts.pserve", args.ini]),  # noqa: S603
    ]

    def stop(*_):
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for child in children:
            child.wait(timeout=10)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="loket", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, func in [("initdb", initdb), ("demo", demo), ("simulators", simulators),
                       ("dev", dev)]:
        sub = commands.add_parser(name)
        sub.add_argument("ini")
        sub.set_defaults(func=func)
    sub = commands.add_parser("worker")
    sub.add_argument("ini")
    sub.add_argument("--once", action="store_true", help="do one round of work and stop")
    sub.set_defaults(func=worker)
    audit = commands.add_parser("audit", help="the audit trail and the MAGDA log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    sub = audit_commands.add_parser("verify", help="verify the hash chains")
    sub.add_argument("ini")
    sub.add_argument("--log", choices=("audit", "magda"), action="append",
                     help="which chain (default: both)")
    sub.set_defaults(func=audit_verify)
    from loket.identity.cli import add_parser as add_token
    from loket.integrations.magda.cli import add_parser as add_magda

    add_token(commands)

    add_magda(commands)
    args = parser.parse_args(argv)
    if getattr(args, "ini", None):
        args.make_app = lambda: _make_app(args.ini)
    if getattr(args, "audit_command", None) == "verify" and not args.log:
        args.log = ["audit", "magda"]
    try:
        result = args.func(args)
        if isinstance(result, int):  # a command with its own exit codes (loket magda)
            return result
    except Exception as exc:  # a clear one-line message for the operator
        from pyramid.exceptions import ConfigurationError

        if isinstance(exc, ConfigurationError):
            print(f"loket: {exc}", file=sys.stderr)
            return 2
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
