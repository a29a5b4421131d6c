import pytest

from loket.main import main
from tests.conftest import migrate


@pytest.fixture
def make_committed_app(app_settings, tmp_path):
    """An application on a database of its own whose requests commit, as in production: the
    shared test database stays clean, and a failure under test cannot roll back the fixture."""
    made = []

    def make(**settings):
        url = f"sqlite:///{tmp_path / f'own-{len(made)}.sqlite'}"
        migrate(url)
        app = main({}, **{**app_settings, "sqlalchemy.url": url,
                          "loket.blob_dir": str(tmp_path / "blobs"), **settings})
        made.append(app)
        return app

    yield make
    for app in made:
        app.registry["db_engine"].dispose()
