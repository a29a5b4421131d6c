"""``loket magda INI SERVICE INSZ --doel PURPOSE [--jaar YYYY] [--statuut NAME ...]
[--datum YYYY-MM-DD]``: ask one MAGDA service about one person and print what Loket read.

For onboarding: the question goes through the same client, purpose check and legal MAGDA
log as every consultation (actor ``cli:<operating-system user>``). stdout is one JSON object;
messages for the operator go to stderr (Dutch). Exit codes: 0 answered, 2 bad usage (or a
purpose outside ``loket.integrations.magda.purposes``, MAGDA not configured), 3 no data,
4 source unavailable or unreadable, 5 MAGDA refused the question (40000) or the answer
belongs to another question.
"""

import argparse
import getpass
import json
import sys
from datetime import date

SERVICES = ("persoon", "gezin", "aanslagbiljet", "sociaal-statuut")
OK, USAGE, NO_DATA, UNAVAILABLE, REFUSED = 0, 2, 3, 4, 5


def add_parser(commands):
    sub = commands.add_parser(
        "magda", help="ask MAGDA one question and print what Loket read (onboarding)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub.add_argument("ini")
    sub.add_argument("service", choices=SERVICES)
    sub.add_argument("insz", help="national register number (11 digits)")
    sub.add_argument("--doel", required=True, help="the purpose (finality) of the question")
    sub.add_argument("--jaar", type=int, help="income year (aanslagbiljet; default: two "
                                              "years ago, the last one fully assessed)")
    sub.add_argument("--statuut", nargs="+", action="extend", default=[],
                     help="social status name(s), e.g. BIM_BVT (sociaal-statuut)")
    sub.add_argument("--datum", type=date.fromisoformat,
                     help="the day the status must hold (sociaal-statuut; default: today)")
    sub.set_defaults(func=run)
    return sub


def _fail(code: int, kind: str, message: str, magda_code: str | None = None) -> int:
    print(json.dumps({"error": kind, "code": magda_code}))
    print(f"loket magda: {message}", file=sys.stderr)
    return code


def ask(magda, dbsession, args, actor: str):
    """The question for ``args.service``; the answer as the issue's JSON object."""
    options = {"purpose": args.doel, "actor": actor}
    if args.service == "persoon":
        return magda.geef_persoon(dbsession, args.insz, **options).as_json()
    if args.service == "gezin":
        members = magda.geef_gezinssamenstelling(dbsession, args.insz, **options)
        return {"members": [m.as_json() for m in members]}
    if args.service == "aanslagbiljet":
        year = args.jaar or date.today().year - 2
        return magda.geef_aanslagbiljet(dbsession, args.insz, year, **options).as_json()
    statuses = magda.geef_sociaal_statuut(dbsession, args.insz, args.statuut,
                                          args.datum or date.today(), **options)
    return {"statuses": {s.name: s.applies for s in statuses}}


def run(args) -> int:
    import transaction

    from loket.cli import _settings
    from loket.db import get_tm_session
    from loket.identity import insz as insz_check
    from loket.integrations.magda.consult import NotConfigured, get_magda
    from loket.integrations.magda.soap import (
        InvalidInput,
        LogWriteFailed,
        MagdaError,
        NoData,
        OtherQuestion,
        PurposeRefused,
    )
    from loket.main import main as make_app

    number = insz_check.normalise(args.insz)
    if not insz_check.is_valid(number):
        return _fail(USAGE, "usage", "geen geldig rijksregisternummer (11 cijfers, "
                                     "controlegetal)")
    args.insz = number
    if args.service == "sociaal-statuut" and not args.statuut:
        return _fail(USAGE, "usage", "sociaal-statuut vraagt minstens één --statuut NAAM")
    if args.jaar is not None and not 1990 <= args.jaar <= date.today().year:
        return _fail(USAGE, "usage", f"--jaar moet tussen 1990 en {date.today().year} liggen")
    app = make_app({}, **_settings(args.ini))
    registry = app.registry
    try:
        try:
            magda = get_magda(registry)
        except NotConfigured:
            return _fail(USAGE, "not_configured", "MAGDA is niet ingesteld "
                         "(loket.integrations.person_register / income)")
        actor = f"cli:{getpass.getuser()}"[:64]
        # The log row is committed whatever the outcome: the failure is returned, not raised.
        with transaction.manager:
            dbsession = get_tm_session(registry["dbsession_factory"], transaction.manager)
            try:
                answer, failure = ask(magda, dbsession, args, actor), None
            except MagdaError as error:
                answer, failure = None, error
        if failure is None:
            print(json.dumps(answer, ensure_ascii=False))
            return OK
        code = getattr(failure, "code", None)
        if isinstance(failure, PurposeRefused):
            return _fail(USAGE, "purpose_refused", "dit doel staat niet in "
                         "loket.integrations.magda.purposes")
        if isinstance(failure, NoData):
            return _fail(NO_DATA, "no_data", "MAGDA heeft geen gegevens voor deze vraag", code)
        if isinstance(failure, OtherQuestion):
            return _fail(REFUSED, "other_question",
                         "het antwoord hoort bij een andere vraag", code)
        if isinstance(failure, InvalidInput):
            return _fail(REFUSED, "refused", "MAGDA weigerde de vraag als ongeldig", code)
        if isinstance(failure, LogWriteFailed):
            return _fail(UNAVAILABLE, "log_failed", "het MAGDA-logboek kon niet geschreven "
                         "worden; het antwoord wordt niet gebruikt")
        return _fail(UNAVAILABLE, "unavailable", f"bron niet beschikbaar of antwoord "
                     f"onleesbaar: {failure}", code)
    finally:
        registry["db_engine"].dispose()
