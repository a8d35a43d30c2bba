"""Engines and migrations. The caller (the app, the CLI, a test) says which database; nothing here reads
the environment, so one process can serve or test several databases at once."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from storage import faults

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _json_default(value: Any) -> Any:
    # Money reaches us as Decimal from the calculator's dump; JSON numbers are what the wire shows.
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(value: Any) -> str:
    return json.dumps(value, default=_json_default, separators=(",", ":"))


def normalise(value: Any) -> Any:
    """The value as it will read back from a JSON column (Decimals become numbers, tuples lists)."""
    return json.loads(dumps(value))


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` with the settings both backends need.

    SQLite: foreign keys on, and a busy timeout so that concurrent writers wait for the file lock rather
    than fail at once (the version check then rejects the loser with 412). A SQLite *file* gets a fresh
    connection per checkout (``NullPool``, SQLAlchemy 1.x's default for files; opening one costs tens of
    microseconds): SQLite opens a connection read-only when the file cannot be written at that moment,
    and a pooled one would stay read-only after the file is writable again (issue 15 (10)).
    PostgreSQL: connections are pinged before reuse, and a connection that proves the server
    unavailable invalidates the pool (:func:`storage.faults.install`), so the service recovers without
    a restart once the server returns.
    """
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 15})
        if _sqlite_file(url):
            kwargs.setdefault("poolclass", NullPool)
    else:
        kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, json_serializer=dumps, **kwargs)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
    faults.install(engine)
    return engine


def _sqlite_file(url: str) -> bool:
    """Whether a SQLite URL names a file (an in-memory database lives only in its one pooled connection)."""
    parsed = make_url(url)
    return parsed.database not in (None, "", ":memory:") and parsed.query.get("mode") != "memory"


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str | None = None, engine: Engine | None = None) -> Config:
    """An Alembic config without an ini file; ``env.py`` takes the engine or URL from ``attributes``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    config.attributes["engine"] = engine
    return config


def upgrade(url: str | None = None, engine: Engine | None = None, revision: str = "head") -> None:
    """Apply the migrations up to ``revision`` (all of them by default)."""
    command.upgrade(alembic_config(url, engine), revision)


def downgrade(url: str | None = None, engine: Engine | None = None, revision: str = "base") -> None:
    """Undo the migrations down to ``revision`` (an empty database by default)."""
    command.downgrade(alembic_config(url, engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
