"""Where the time of one scenario goes: the app called in-process (WebTest, no HTTP server),
timed against the baseline's matching page, then profiled with pyinstrument when it is
installed (``pip install pyinstrument``; not a dependency of Loket), else cProfile.

    python -m bench.profile sqlite:///bench/var/bench-10000.sqlite dossier_page
    python -m bench.profile postgresql+psycopg://postgres@127.0.0.1/loket_bench_10000 worklist
    python -m bench.profile sqlite:///bench/var/bench-10000.sqlite all --no-profile

Besides the wall time it gives the CPU time of this process per request: on a machine shared
with other work the wall time swings with the neighbours, the CPU time much less (the
database's own work is in it for SQLite, not for PostgreSQL's server process).

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
    return timed(app, requests, count)[0]


def timed(app, requests, count: int) -> tuple[float, float]:
    """(wall, CPU) milliseconds per request."""
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(count):
        call(app, requests[i % len(requests)])
    return ((time.perf_counter() - started) * 1000 / count,
            (time.process_time() - cpu) * 1000 / count)


def compare(loket, bare, scenario, targets, count: int, rounds: int = 3):
    """Median over interleaved rounds of (wall, CPU) ms per request, Loket and baseline."""
    import statistics

    loket_requests, bare_requests = scenario.loket(targets), scenario.baseline(targets)
    for app, requests in ((loket, loket_requests), (bare, bare_requests)):
        timed(app, requests, 30)  # warm-up
    figures = {"loket": [], "bare": []}
    for _ in range(rounds):
        figures["loket"].append(timed(loket, loket_requests, count))
        figures["bare"].append(timed(bare, bare_requests, count))
    return {side: tuple(statistics.median(f[i] for f in rows) for i in (0, 1))
            for side, rows in figures.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("scenario", choices=[s.key for s in SCENARIOS] + ["all"])
    parser.add_argument("-n", "--requests", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--html", help="write pyinstrument's HTML report here")
    parser.add_argument("--no-profile", action="store_true", help="only the timings")
    args = parser.parse_args(argv)

    from bench.baseline import main as baseline_main
    from loket.main import main as loket_main

    targets = pick_targets(args.url, args.seed, 16)
    loket = browser(loket_main, settings_of(LOKET_INI, args.url))
    bare = browser(baseline_main, settings_of(BASELINE_INI, args.url))
    chosen = [s for s in SCENARIOS if args.scenario in ("all", s.key)]
    for scenario in chosen:
        other = bare if scenario.baseline_server == "baseline" else loket
        figures = compare(loket, other, scenario, targets, args.requests)
        (lo_wall, lo_cpu), (ba_wall, ba_cpu) = figures["loket"], figures["bare"]
        print(f"{scenario.key:<24} Loket {lo_wall:6.2f} ms ({lo_cpu:6.2f} CPU) | against "
              f"{ba_wall:6.2f} ms ({ba_cpu:5.2f} CPU) | ratio {ba_wall / lo_wall:.2f} "
              f"(CPU {ba_cpu / lo_cpu:.2f}, target {scenario.target})", flush=True)
    if args.no_profile or len(chosen) != 1:
        return
    loket_requests = chosen[0].loket(targets)
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
