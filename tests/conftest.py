import pytest

from api import create_app


@pytest.fixture()
def app(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite3'}"})
    yield app


@pytest.fixture()
def client(app):
    return app.test_client()
