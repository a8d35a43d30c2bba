import pytest

from api import create_app


@pytest.fixture()
def app(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite3'}",
                      "ALLOCATIONS_FILE": str(tmp_path / "allocations.csv")})  # no table unless loaded
    yield app


@pytest.fixture()
def client(app):
    return app.test_client()
