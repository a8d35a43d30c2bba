import os

import pytest

from api import create_app
from calculator.reference import ALLOCATIONS_ENV


@pytest.fixture(scope="session", autouse=True)
def _never_the_operators_allocation_table(tmp_path_factory):
    """No test reads the git-ignored reference_data/allocations.csv an operator may have loaded (issue 15).

    Whatever builds a calculator without naming a table (``create_app({"TESTING": True})``,
    ``load_calculator()``, the ``bcf calculate`` CLI, a subprocess) finds ``$BCF_ALLOCATIONS_FILE``
    pointing into an empty temporary folder instead. Tests that want a table load one into their own
    tmp_path (the ``app`` fixture below names its own file too).
    """
    saved = os.environ.get(ALLOCATIONS_ENV)
    os.environ[ALLOCATIONS_ENV] = str(tmp_path_factory.mktemp("no-allocations") / "allocations.csv")
    yield
    if saved is None:
        os.environ.pop(ALLOCATIONS_ENV, None)
    else:
        os.environ[ALLOCATIONS_ENV] = saved


@pytest.fixture()
def app(tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite3'}",
                      "ALLOCATIONS_FILE": str(tmp_path / "allocations.csv")})  # no table unless loaded
    yield app


@pytest.fixture()
def client(app):
    return app.test_client()
