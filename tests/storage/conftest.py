"""Every storage test runs against SQLite and PostgreSQL, each test on a fresh, migrated database.

PostgreSQL comes from ``TEST_DATABASE_URL`` (``make test`` starts a throwaway cluster). Without it the
PostgreSQL half is skipped on a developer's machine, but FAILS under CI (``CI=true``): a storage suite
that silently tested only SQLite would prove nothing about production.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from storage_support import BACKENDS, HWB_A, HWB_B, PLAN, fresh_postgres_database

from api import create_app
from storage import db, tokens
from storage.audit import Actor
from storage.models import Base


@pytest.fixture(scope="session")
def migrated_postgres_template() -> Iterator[str]:
    """One migrated database per run, copied for each test (a copy is faster than migrating again)."""
    for url in fresh_postgres_database():
        engine = db.make_engine(url)
        db.upgrade(engine=engine)
        engine.dispose()  # a template must have no connections while it is copied
        yield make_url(url).database
        return


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path) -> Iterator[str]:
    """An empty database on each backend (for the migration tests)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bcf.sqlite3'}"
    else:
        yield from fresh_postgres_database()


@pytest.fixture(scope="module", params=BACKENDS)
def module_url(request, tmp_path_factory) -> Iterator[str]:
    """A migrated database per test module and backend: SQLite file, or a copy of the PostgreSQL template."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'bcf.sqlite3'}"
        db.upgrade(url=url)
        yield url
    else:
        yield from fresh_postgres_database(request.getfixturevalue("migrated_postgres_template"))


def wipe(engine) -> None:
    """Empty every table, ids restarting at 1, so each test starts from a fresh, migrated database."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(t.name for t in Base.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())


@pytest.fixture(scope="module")
def module_app(module_url, tmp_path_factory):
    # One app per module and backend: building an app (rule sets, OpenAPI) costs more than most tests.
    no_table = tmp_path_factory.mktemp("storage") / "allocations.csv"  # not the operator's (issue 15)
    app = create_app({"TESTING": True, "DATABASE_URL": module_url, "ALLOCATIONS_FILE": str(no_table)})
    yield app
    app.extensions["bcf_db"].dispose()


@pytest.fixture()
def app(module_app):
    module_app.extensions["bcf_limiter"].reset()  # each test starts with no failed token attempts counted
    yield module_app
    wipe(module_app.extensions["bcf_db"])


@pytest.fixture()
def engine(app):
    return app.extensions["bcf_db"]


@pytest.fixture()
def session(engine):
    with db.session_factory(engine)() as session:
        yield session


@pytest.fixture()
def client(app):
    return app.test_client()


class Tokens:
    """Bearer headers for each role, made through the same code the CLI uses."""

    def __init__(self, app):
        self.app = app
        self.ids: dict[str, int] = {}
        self.secrets: dict[str, str] = {}
        for key, role, code in (("a", "hwb", HWB_A), ("b", "hwb", HWB_B), ("assurance", "assurance", None),
                                ("admin", "admin", None)):
            self.make(key, role, code)

    def make(self, key: str, role: str, code: str | None = None, **options) -> dict[str, str]:
        """A new token (``options``: ``party``, ``expires_at``) and its bearer header."""
        with self.app.extensions["bcf_sessions"].begin() as session:
            token, secret = tokens.create(session, Actor(None, "test-setup"), name=f"{key} token", role=role,
                                          hwb_code=code, **options)
            self.ids[key] = token.id
        self.secrets[key] = secret
        return self[key]

    def __getitem__(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secrets[key]}"}


@pytest.fixture()
def auth(app) -> Tokens:
    return Tokens(app)


@pytest.fixture()
def plan_body() -> dict:
    return copy.deepcopy(PLAN)
