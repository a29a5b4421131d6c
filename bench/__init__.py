"""Benchmarks: Loket against the bare Pyramid + SQLAlchemy ceiling, in the same run.

    make bench-quick    10 000 dossiers on SQLite, a few short rounds (under three minutes)
    make bench          SQLite 10 000, then PostgreSQL at 10 000, 100 000 and 1 000 000

:mod:`bench.generate` fills a migrated database, :mod:`bench.baseline` is the bare app,
:mod:`bench.scenarios` says what is measured against what, :mod:`bench.load` drives wrk (or a
bounded Python client), :mod:`bench.report` writes the table, the JSON and the chart, and
:mod:`bench.run` ties them together. See bench/README.md.
"""
