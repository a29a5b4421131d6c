"""``loket``: what an operator does on the command line.

    loket initdb INI        create or upgrade the database (Alembic) and the file store
    loket demo INI          load demo data (citizens, staff, teams, dossiers)
    loket worker INI        run the background worker
    loket simulators INI    serve the simulators of the government services (development)
    loket dev INI           simulators + worker + web server together (what `make run` runs)
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

    from loket.db import get_engine, get_session_factory, get_tm_session
    from loket.demo import load_demo_data

    settings = _settings(args.ini)
    factory = get_session_factory(get_engine(settings))
    with transaction.manager:
        created = load_demo_data(get_tm_session(factory, transaction.manager), settings)
    log.info("demo data: %s", created)


def worker(args):
    from loket import main as make_app
    from loket.worker import run_worker

    # The whole application, for its registry: every deliverer the plug-ins registered.
    app = make_app({}, **_settings(args.ini))
    try:
        run_worker(app.registry, once=args.once)
    finally:
        app.registry["db_engine"].dispose()


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
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except Exception as exc:  # a clear one-line message for the operator
        from pyramid.exceptions import ConfigurationError

        if isinstance(exc, ConfigurationError):
            print(f"loket: {exc}", file=sys.stderr)
            return 2
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
