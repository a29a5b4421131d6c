"""Database plumbing: the declarative base, engines and the transaction-bound session.

The request's session (``request.dbsession``) joins the request's transaction through
zope.sqlalchemy, so pyramid_tm commits or aborts it together with everything else the request
did (including outbox rows, later). Tests pass their own session and transaction manager in
the WSGI environ (``app.dbsession`` / ``tm.manager``) to keep every test inside one rolled-back
transaction.
"""

from datetime import UTC, datetime

from pyramid_retry import mark_error_retryable
from sqlalchemy import DateTime, MetaData, engine_from_config, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator
from transaction._transaction import Status
from zope.sqlalchemy.datamanager import ZopeTransactionEvents, join_transaction, mark_changed

# Named constraints make Alembic migrations portable between SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both databases (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    return datetime.now(UTC)


def get_engine(settings, prefix="sqlalchemy."):
    # No ping before each use of a pooled connection (a round trip per request): after a
    # database restart the first statement on a dead connection fails as a disconnect, which
    # empties the pool and is retried as a whole request (``_retry_on_disconnect``).
    engine = engine_from_config(settings, prefix)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "handle_error", _retry_on_disconnect)
    return engine


def _retry_on_disconnect(context):
    """A connection lost before or in the middle of a request (a database restart):
    pyramid_retry runs the request again on a fresh connection. Not during COMMIT, whose
    outcome is unknown then (a retry could do the work twice)."""
    if context.is_disconnect and context.statement is not None \
            and context.sqlalchemy_exception is not None:
        mark_error_retryable(context.sqlalchemy_exception)


class LoketSession(Session):
    def flush(self, objects=None):
        """A failed flush (a version conflict, a unique race) has already rolled the database
        transaction back; the session then refuses everything until ``rollback()``. Roll back
        here, so what runs after the error (the session store, the error page's layout) reads
        the database instead of failing with ``PendingRollbackError``. Nothing done before the
        failure survives either way. Not inside a savepoint: its owner handles that."""
        try:
            super().flush(objects)
        except Exception:
            if not self.in_nested_transaction() and not self.is_active:
                self.rollback()
            raise


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def get_session_factory(engine, registry=None):
    # The registry travels with every session (``info``), so model code outside a request —
    # the worker, a console command — finds the application's registrations.
    factory = sessionmaker(bind=engine, expire_on_commit=False, info={"registry": registry},
                           class_=LoketSession)
    _listen_once(factory)
    return factory


def registry_of(instance):
    """The application registry of a loaded model instance's session (or the current one)."""
    from pyramid.threadlocal import get_current_registry
    from sqlalchemy.orm import object_session

    session = object_session(instance)
    registry = session.info.get("registry") if session is not None else None
    return registry if registry is not None else get_current_registry()


class _JoinNamedManager(ZopeTransactionEvents):
    """zope.sqlalchemy's listeners, registered once on the session factory, for the sessions
    that name a transaction manager in ``info`` (``get_tm_session``); other sessions of the
    factory commit on their own. ``zope.sqlalchemy.register`` on each session would add seven
    event listeners per request, a sixth of a small page's time."""

    def __init__(self):
        super().__init__(transaction_manager=None)

    @staticmethod
    def _manager(session):
        return session.info.get(MANAGER)

    def after_begin(self, session, transaction, connection):
        if (manager := self._manager(session)) is not None:
            join_transaction(session, self.initial_state, manager, self.keep_session)

    def after_attach(self, session, instance):
        if (manager := self._manager(session)) is not None:
            join_transaction(session, self.initial_state, manager, self.keep_session)

    def after_flush(self, session, flush_context):
        if (manager := self._manager(session)) is not None:
            mark_changed(session, manager, self.keep_session)

    def after_bulk_update(self, update_context):
        self.after_flush(update_context.session, None)

    def after_bulk_delete(self, delete_context):
        self.after_flush(delete_context.session, None)

    def before_commit(self, session):
        manager = self._manager(session)
        if manager is not None and not session.in_nested_transaction():
            assert manager.get().status == Status.COMMITTING, (
                "Transaction must be committed using the transaction manager")

    def do_orm_execute(self, execute_state):
        if execute_state.is_orm_statement and (
                execute_state.is_update or execute_state.is_insert or execute_state.is_delete):
            self.after_flush(execute_state.session, None)


MANAGER = "transaction_manager"  # the key in a session's ``info``
_JOIN = _JoinNamedManager()


def _listen_once(session_factory):
    for name in ("after_begin", "after_attach", "after_flush", "after_bulk_update",
                 "after_bulk_delete", "before_commit", "do_orm_execute"):
        event.listen(session_factory, name, getattr(_JOIN, name))


def get_tm_session(session_factory, transaction_manager, request=None):
    """A session joined to ``transaction_manager`` (a factory of ``get_session_factory``)."""
    return session_factory(info={"request": request, MANAGER: transaction_manager})


def includeme(config):
    settings = config.get_settings()
    settings["tm.manager_hook"] = "pyramid_tm.explicit_manager"
    config.include("pyramid_tm")
    config.include("pyramid_retry")

    engine = get_engine(settings)
    session_factory = get_session_factory(engine, config.registry)
    config.registry["dbsession_factory"] = session_factory
    config.registry["db_engine"] = engine

    def dbsession(request):
        # Tests hand in their own session bound to a rolled-back transaction.
        session = request.environ.get("app.dbsession")
        if session is None:
            session = get_tm_session(session_factory, request.tm, request=request)
        return session

    config.add_request_method(dbsession, reify=True)
