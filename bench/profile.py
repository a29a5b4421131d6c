"""Where the time of one scenario goes: the app called in-process (WebTest, no HTTP server),
timed against the baseline's matching page, then profiled with pyinstrument when it is
installed (``pip install pyinstrument``; not a dependency of Loket), else cProfile.

    python -m bench.profile sqlite:///bench/var/bench-10000.sqlite dossier_page
    python -m bench.profile postgresql+psycopg://postgres@127.0.0.1/loket_bench_10000 worklist

The database is one that bench.run made (``--keep`` for PostgreSQL); its web sessions are
replaced by fresh ones.
"""

import argparse
import os
import time
from pathlib import Path

from bench.run import BASELINE_INI, LOKET_INI, VAR, pick_targets
from bench.scenarios import SCENARIOS

ROOT = Path(__file__).resolve().parent.parent


def settings_of(template: str, url: str) -> dict:
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(template.format(url=url, blobs=VAR / "blobs", root=ROOT,
                                       host="127.0.0.1", port=80))
    return dict(parser["app:main"])


def browser(app_factory, settings):
    import webtest

    return webtest.TestApp(app_factory({}, **settings),
                           extra_environ={"HTTP_HOST": "127.0.0.1:80"})


def call(app, request):
    headers = {"Cookie": request.cookie} if request.cookie else {}
    response = app.get(request.path, headers=headers, status=200)
    return response


def per_request_ms(app, requests, count: int) -> float:
    started = time.perf_counter()
    for i in range(count):
        call(app, requests[i % len(requests)])
    return (time.perf_counter() - started) * 1000 / count


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("scenario", choices=[s.key for s in SCENARIOS])
    parser.add_argument("-n", "--requests", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--html", help="write pyinstrument's HTML report here")
    args = parser.parse_args(argv)

    from bench.baseline import main as baseline_main
    from loket.main import main as loket_main

    scenario = next(s for s in SCENARIOS if s.key == args.scenario)
    targets = pick_targets(args.url, args.seed, 16)
    loket = browser(loket_main, settings_of(LOKET_INI, args.url))
    bare = browser(baseline_main, settings_of(BASELINE_INI, args.url))
    loket_requests = scenario.loket(targets)
    bare_requests = scenario.baseline(targets)
    for app, requests in ((loket, loket_requests), (bare, bare_requests)):
        per_request_ms(app, requests, 30)  # warm-up
    loket_ms = per_request_ms(loket, loket_requests, args.requests)
    bare_ms = per_request_ms(bare, bare_requests, args.requests)
    print(f"{scenario.key}: Loket {loket_ms:.2f} ms per request in-process, baseline "
          f"{bare_ms:.2f} ms: ratio {bare_ms / loket_ms:.2f}")
    try:
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.enable()
        per_request_ms(loket, loket_requests, args.requests)
        profile.disable()
        order = os.environ.get("PROFILE_SORT", "cumulative")  # or tottime …
        pstats.Stats(profile).sort_stats(order).print_stats(40)
        return
    profiler = Profiler(interval=0.0005)
    profiler.start()
    per_request_ms(loket, loket_requests, args.requests)
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    if args.html:
        Path(args.html).write_text(profiler.output_html(), encoding="utf-8")


if __name__ == "__main__":
    main()
