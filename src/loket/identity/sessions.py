"""Server-side sessions stored in the database, in the request's own transaction.

The cookie carries a random token; the table stores only its SHA-256, so a copy of the
database gives no usable session. Sessions end after an idle and an absolute timeout. Data is
JSON (never pickle). The session is written by a tween that runs inside pyramid_tm, so a
request that fails leaves the stored session as it was.
"""

import hashlib
import secrets
from datetime import timedelta

from pyramid.interfaces import ISession
from pyramid.settings import asbool
from sqlalchemy import bindparam, select
from zope.interface import implementer

from loket.db import utcnow
from loket.identity.models import User, WebSession

COOKIE_NAME = "loket_session"
# Over HTTPS the cookie takes the __Host- prefix: browsers then refuse it without Secure, with a
# Domain, or for another path, so no sibling site can plant or widen it.
SECURE_COOKIE_NAME = "__Host-loket_session"
TOUCH_INTERVAL = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# The session row and its user in one statement: the user lands in the identity map, so
# ``request.user`` costs no second query.
_SESSION_AND_USER = (select(WebSession, User)
                     .outerjoin(User, User.id == WebSession.user_id)
                     .where(WebSession.id == bindparam("id")))


@implementer(ISession)
class ServerSession(dict):
    """A dict that remembers whether it changed; persisted by :func:`session_tween_factory`."""

    def __init__(self, request, token=None, row=None, user=None):
        super().__init__(row.data if row is not None else {})
        self.request = request
        # The user loaded with the row: the identity map holds objects weakly, so without this
        # reference ``request.user`` would read the same row again.
        self.loaded_user = user
        self.token = token
        self.row = row
        self.new = row is None
        self.created = (row.created if row is not None else utcnow()).timestamp()
        self.dirty = False
        self.invalidated_token = None
        self.computed_principals = None

    @property
    def principals(self) -> list[str] | None:
        """The stored principals of the session's user (None: not computed yet)."""
        if self.computed_principals is not None:
            return self.computed_principals
        return self.row.principals if self.row is not None else None

    def keep_principals(self, principals: list[str]):
        """Stored with the row when it is written anyway (at login, or the next touch): a GET
        never writes for them alone."""
        self.computed_principals = list(principals)

    def changed(self):
        self.dirty = True

    def invalidate(self):
        if self.token is not None and self.invalidated_token is None:
            self.invalidated_token = self.token
        self.token = None
        self.row = None
        self.computed_principals = None
        self.new = True
        self.created = utcnow().timestamp()
        dict.clear(self)
        self.dirty = True

    # Mutating dict methods mark the session dirty.
    def _mutator(name):  # noqa: N805
        method = getattr(dict, name)

        def wrapped(self, *args, **kw):
            self.dirty = True
            return method(self, *args, **kw)

        wrapped.__name__ = name
        return wrapped

    __setitem__ = _mutator("__setitem__")
    __delitem__ = _mutator("__delitem__")
    clear = _mutator("clear")
    pop = _mutator("pop")
    popitem = _mutator("popitem")
    setdefault = _mutator("setdefault")
    update = _mutator("update")
    del _mutator

    def flash(self, msg, queue="", allow_duplicate=True):
        messages = self.setdefault("_f_" + queue, [])
        if allow_duplicate or msg not in messages:
            messages.append(msg)
            self.dirty = True

    def pop_flash(self, queue=""):
        # Reading an empty queue is not a change: pages call this on every request.
        return self.pop("_f_" + queue) if "_f_" + queue in self else []

    def peek_flash(self, queue=""):
        return list(self.get("_f_" + queue, []))

    def new_csrf_token(self):  # CSRF tokens live in LegacySessionCSRFStoragePolicy's key
        token = secrets.token_urlsafe(32)
        self["_csrft_"] = token
        return token

    def get_csrf_token(self):
        return self.get("_csrft_") or self.new_csrf_token()


class SessionFactory:
    def __init__(self, settings):
        self.idle = timedelta(seconds=int(settings.get("loket.session.idle_timeout", 1800)))
        self.absolute = timedelta(
            seconds=int(settings.get("loket.session.absolute_timeout", 12 * 3600))
        )
        self.secure = asbool(settings.get("loket.session.secure", False))
        self.cookie_name = SECURE_COOKIE_NAME if self.secure else COOKIE_NAME

    def __call__(self, request):
        token = request.cookies.get(self.cookie_name)
        if token:
            found = request.dbsession.execute(_SESSION_AND_USER, {"id": _hash(token)}).first()
            row = found[0] if found is not None else None
            if row is not None:
                now = utcnow()
                if now - row.accessed <= self.idle and now - row.created <= self.absolute:
                    return ServerSession(request, token, row, found[1])
                request.dbsession.delete(row)
        return ServerSession(request)

    def save(self, request, session: ServerSession, response):
        dbsession = request.dbsession
        if not dbsession.is_active:  # a failed flush nobody rolled back: nothing would keep
            return
        now = utcnow()
        if session.invalidated_token is not None:
            old = dbsession.get(WebSession, _hash(session.invalidated_token))
            if old is not None:
                dbsession.delete(old)
        if session.new:
            if not session:
                if session.invalidated_token is not None:
                    response.delete_cookie(self.cookie_name)
                return
            session.token = secrets.token_urlsafe(32)
            session.row = WebSession(id=_hash(session.token), created=now)
            dbsession.add(session.row)
            self._set_cookie(response, session.token)
        elif not (session.dirty or now - session.row.accessed > TOUCH_INTERVAL):
            return
        session.row.data = dict(session)
        session.row.user_id = session.get("user_id")
        if session.computed_principals is not None:
            session.row.principals = session.computed_principals
        session.row.accessed = now
        dbsession.flush()

    def _set_cookie(self, response, token):
        response.set_cookie(
            self.cookie_name, token, httponly=True, secure=self.secure, samesite="Lax", path="/"
        )


def session_tween_factory(handler, registry):
    factory: SessionFactory = registry["loket.session_factory"]

    def session_tween(request):
        response = handler(request)
        session = request.__dict__.get("session")
        if isinstance(session, ServerSession):
            factory.save(request, session, response)
        return response

    return session_tween


def purge_expired(dbsession, settings) -> int:
    """Delete sessions past their idle timeout (run by the worker)."""
    factory = SessionFactory(settings)
    cutoff = utcnow() - factory.idle
    return dbsession.query(WebSession).filter(WebSession.accessed < cutoff).delete()


def includeme(config):
    factory = SessionFactory(config.get_settings())
    config.registry["loket.session_factory"] = factory
    config.set_session_factory(factory)
    config.add_tween(
        "loket.identity.sessions.session_tween_factory",
        under="pyramid_tm.tm_tween_factory",
        over="pyramid.tweens.excview_tween_factory",
    )
