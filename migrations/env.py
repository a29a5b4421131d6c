"""Alembic environment: the URL comes from the .ini (or LOKET_DATABASE_URL), the metadata
from :mod:`loket.models`."""

import os

from alembic import context

import loket.worklists.autogenerate  # noqa: F401 (autogenerate keeps the search objects)
from loket.db import get_engine
from loket.models import metadata

config = context.config


def database_url() -> str:
    return os.environ.get("LOKET_DATABASE_URL") or config.get_main_option("sqlalchemy.url")


def run_migrations_offline():
    context.configure(url=database_url(), target_metadata=metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connection = config.attributes.get("connection")
    if connection is not None:  # handed in by loket.cli or the tests
        _run(connection)
        return
    engine = get_engine({"sqlalchemy.url": database_url()})
    with engine.connect() as connection:
        _run(connection)


def _run(connection):
    # Batch mode lets ALTER TABLE work on SQLite too.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
