import pytest
from pages_support import make_tokens

from api import create_app
from storage import db


@pytest.fixture()
def app(tmp_path):
    url = f"sqlite:///{tmp_path / 'pages.sqlite3'}"
    db.upgrade(url=url)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test only",
                      "ALLOCATIONS_FILE": str(tmp_path / "allocations.csv")})
    yield app
    app.extensions["bcf_db"].dispose()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def secrets(app) -> dict[str, str]:
    return make_tokens(app)
