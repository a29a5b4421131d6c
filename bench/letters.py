"""Rendering letters in the worker: per-letter time and where it goes, against a bare
baseline.

A fresh SQLite database (migrated as the tests do), a college with its mayor and general
director, N dossiers each with a recorded decision and its decision letter waiting; then the
worker's own job (:func:`loket.letters.rendering.job`) renders them all. Measured:

- the job's wall time per letter (screening, context, wording, layout, PDF/A, storage, moving
  the letter on, one transaction each);
- where one letter's time goes (in process, the same steps timed apart);
- the baseline: WeasyPrint turning the same letter's HTML into a plain PDF (no PDF/A, no
  tags), the floor any renderer built on it has. The ratio Loket / baseline is the figure to
  watch; absolute times depend on the machine.

    python -m bench.letters [--letters 40]
"""

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import transaction

from bench.generate import migrate
from loket.db import get_tm_session

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 2.0  # Loket's per-letter job time over the bare WeasyPrint render, at most


def make_app(directory: Path):
    from loket.main import main

    url = f"sqlite:///{directory / 'letters.sqlite'}"
    migrate(url)
    return main({}, **{
        "loket.environment": "test", "sqlalchemy.url": url,
        "loket.blob_dir": str(directory / "blobs"), "loket.static_dir": str(ROOT / "static"),
        "loket.public_url": "http://localhost",
        "loket.municipality.name": "Gemeente Heidebeek",
        "loket.municipality.kbo": "0207123407",
        "loket.acmidm.issuer": "http://127.0.0.1:9/acmidm/op",
        "loket.acmidm.client_id": "bench", "loket.acmidm.client_secret": "bench"})


def seed(app, count: int) -> None:
    """A college with signatories and ``count`` decided dossiers, each with its letter."""
    from datetime import date

    from loket.catalogue.models import PUBLISHED, DossierType, DossierTypeVersion
    from loket.decisions.models import Decision
    from loket.decisions.services import add_member, ensure_bodies
    from loket.dossiers.models import Dossier, next_reference
    from loket.identity.models import Team, User
    from loket.letters.services import create_letter

    manager = transaction.TransactionManager(explicit=True)
    with manager:
        db = get_tm_session(app.registry["dbsession_factory"], manager)
        team = Team(code="sociale-dienst", name="Sociale dienst")
        mayor = User(subject="bench-mayor", kind="staff", given_name="Luc",
                     family_name="Janssens")
        director = User(subject="bench-director", kind="staff", given_name="Hilde",
                        family_name="Goossens")
        citizen = User(subject="bench-citizen", kind="citizen", given_name="Jan",
                       family_name="Peeters")
        kind = DossierType(code="bench-premie")
        version = DossierTypeVersion(dossier_type=kind, number=1, status=PUBLISHED, definition={
            "title": {"nl": "Premie", "en": "Premium"}, "workflow": "sociale-premie",
            "documents": [], "decision": {"body": "college"}})
        db.add_all([team, mayor, director, citizen, kind, version])
        db.flush()
        college = ensure_bodies(db)["college"]
        add_member(db, college, "Luc Janssens", "chair", "burgemeester", mayor)
        add_member(db, college, "Hilde Goossens", "secretary", "algemeen directeur", director)
        for _ in range(count):
            dossier = Dossier(reference=next_reference(db, 2026), type_version_id=version.id,
                              title="Premie", state="goedgekeurd", applicant_id=citizen.id,
                              team_id=team.id, data={})
            db.add(dossier)
            db.flush()
            db.add(Decision(
                dossier_id=dossier.id, body_code="college", decided_on=date(2026, 11, 2),
                outcome="approved", title=f"Premie {dossier.reference}",
                final_text="Premie\n\nMotivering\nVoldoet aan het reglement.\n\nBesluit\n"
                           "Artikel 1. De premie van 150 euro wordt toegekend.\n"
                           "Artikel 2. Het bedrag wordt binnen 30 dagen betaald."))
            db.flush()
            create_letter(db, dossier, "decision.granted")


def breakdown(app, samples: int = 5) -> tuple[dict, str]:
    """One waiting letter's steps, timed apart (rolled back); and its HTML."""
    from pyramid.renderers import render
    from sqlalchemy import select

    from loket.letters import pdf, rendering, screening, wording
    from loket.letters.models import TO_RENDER, Letter

    timings = {k: [] for k in ("screening", "context", "wording", "layout", "pdf")}
    html = ""
    manager = transaction.TransactionManager(explicit=True)
    manager.begin()
    try:
        db = get_tm_session(app.registry["dbsession_factory"], manager)
        letters = list(db.scalars(select(Letter).where(Letter.status == TO_RENDER)
                                  .limit(samples)))
        env = rendering.worker_request(app.registry, db)
        request = env["request"]
        for letter in letters:
            t0 = time.perf_counter()
            outcome = screening.screen(db, letter)
            t1 = time.perf_counter()
            values = rendering.values_for(request, letter, outcome.signers)
            t2 = time.perf_counter()
            words = wording.render(letter.kind, wording.wording_of(
                letter.dossier.type_version.definition, letter.kind), values)
            t3 = time.perf_counter()
            html = render(rendering.TEMPLATE, {
                **values, "subject": words.subject, "paragraphs": words.paragraphs,
                "part": "loket:letters/templates/parts/decision.jinja2", "logo_url": None,
                "document_titles": {}}, request=request)
            t4 = time.perf_counter()
            pdf.write_pdf(html)
            t5 = time.perf_counter()
            for key, spent in zip(timings, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4),
                                  strict=True):
                timings[key].append(spent)
        env["closer"]()
    finally:
        manager.abort()  # nothing of the sample is kept
    return {k: statistics.median(v) for k, v in timings.items()}, html


def baseline(html: str, samples: int = 5) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from weasyprint import HTML
    spent = []
    for _ in range(samples):
        t0 = time.perf_counter()
        HTML(string=html, base_url=None).write_pdf()
        spent.append(time.perf_counter() - t0)
    return statistics.median(spent)


def run(count: int) -> dict:
    from loket.letters import rendering

    with tempfile.TemporaryDirectory(prefix="loket-bench-letters-") as directory:
        app = make_app(Path(directory))
        seed(app, count)
        steps, html = breakdown(app)
        bare = baseline(html)
        started = time.perf_counter()
        rendered = 0
        while done := rendering.job(app.registry)["letters_rendered"]:
            rendered += done
        wall = time.perf_counter() - started
        app.registry["db_engine"].dispose()
    per_letter = wall / max(rendered, 1)
    return {"letters": rendered, "seconds": wall, "per_letter": per_letter,
            "baseline_per_letter": bare, "ratio": per_letter / bare, "steps": steps}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, default=40)
    args = parser.parse_args(argv)
    result = run(args.letters)
    print(f"Letters: {result['letters']} decision letters rendered by the worker job in "
          f"{result['seconds']:.1f} s")
    print(f"  per letter {result['per_letter'] * 1000:.0f} ms "
          f"({result['letters'] / result['seconds']:.1f} letters/s, one worker)")
    print(f"  baseline (bare WeasyPrint, same HTML, plain PDF) "
          f"{result['baseline_per_letter'] * 1000:.0f} ms; ratio {result['ratio']:.2f} "
          f"(target ≤ {TARGET_RATIO})")
    print("  one letter's steps (median): " + ", ".join(
        f"{k} {v * 1000:.1f} ms" for k, v in result["steps"].items()))
    return 0 if result["ratio"] <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
