"""Catalogue test fixtures: a validating API browser and the shipped example types."""

import pytest

from loket.catalogue.services import SystemActor, load_shipped
from loket.main import main
from tests.api.conftest import ValidatingTestApp


@pytest.fixture(autouse=True)
def current_app(app):
    """The app is the current one, so a definition is validated with its features' sections
    (loket.catalogue.sections) also where a test calls the catalogue directly."""
    from pyramid.threadlocal import manager

    manager.push({"registry": app.registry, "request": None})
    yield app
    manager.pop()


@pytest.fixture
def api(testapp):
    """A browser that checks every API response against openapi.yaml."""
    browser = ValidatingTestApp(testapp.app, extra_environ=testapp.extra_environ)
    browser.cookiejar = testapp.cookiejar
    return browser


@pytest.fixture
def actor(dbsession):
    return SystemActor(dbsession)


@pytest.fixture
def shipped(dbsession):
    """The shipped example types, loaded into the test's transaction."""
    return {t.code: t for t in load_shipped(dbsession)}


@pytest.fixture
def admin(login, factories):
    from loket.security import Role

    return login(factories.staff(Role.ADMIN))


@pytest.fixture(scope="session")
def live_catalogue(app, app_settings, tmp_path_factory):
    """Loket on a real port with the shipped catalogue, a concept, and an administrator's
    session: ``(base_url, session_token)``."""
    import secrets

    import transaction

    from loket.db import get_engine, get_session_factory, get_tm_session
    from loket.identity.models import RoleAssignment, User, WebSession
    from loket.identity.sessions import _hash
    from loket.security import Role
    from tests.conftest import migrate
    from tests.servers import serve

    directory = tmp_path_factory.mktemp("live-catalogue")
    url = f"sqlite:///{directory / 'loket.sqlite'}"
    migrate(url)
    settings = {**app_settings, "sqlalchemy.url": url, "loket.blob_dir": str(directory / "b")}
    engine = get_engine(settings)
    token = secrets.token_urlsafe(32)
    with transaction.manager:
        # The app's registry: its features validate their sections of the shipped types.
        dbsession = get_tm_session(get_session_factory(engine, app.registry),
                                   transaction.manager)
        types = {t.code: t for t in load_shipped(dbsession)}
        from loket.catalogue.services import new_concept

        new_concept(SystemActor(dbsession), types["verwarmingstoelage"])
        user = User(subject="catalogue-admin", kind="staff", given_name="An",
                    family_name="Mertens")
        user.roles.append(RoleAssignment(role=Role.ADMIN))
        dbsession.add(user)
        dbsession.flush()
        dbsession.add(WebSession(id=_hash(token), data={"user_id": user.id}, user_id=user.id))
    engine.dispose()
    live_app = main({}, **settings)
    with serve(live_app) as base_url:
        yield base_url, token
    live_app.registry["db_engine"].dispose()
