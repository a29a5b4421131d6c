"""What a web process loads: the libraries only the worker or the migrations use (WeasyPrint,
pyHanko with aiohttp, Alembic with Mako and Pygments: some 55 MB per process) are imported
where they are used, never by building the application."""

import json
import subprocess
import sys

WORKER_ONLY = ("weasyprint", "pyhanko", "aiohttp", "alembic", "mako", "pygments")


def test_the_web_application_loads_no_worker_only_library(app_settings):
    script = (
        "import json, sys\n"
        "from loket.main import main\n"
        f"main({{}}, **json.loads({json.dumps(json.dumps(app_settings))}))\n"
        f"print(json.dumps([m for m in {WORKER_ONLY!r} if m in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-W", "ignore", "-c", script], capture_output=True,
                          text=True, timeout=120, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_letters_and_signatures_still_load_them_when_used():
    from loket.letters import pdf

    assert pdf.LetterFetcher.__name__ == "LetterFetcher"
    assert "weasyprint" in sys.modules
