"""Telling "the storage is unavailable for now" from every other database error, in one place.

Issue 15 (10): after a SQLite file was made read-only and writable again, writes kept failing until the
workers restarted. SQLite opens a connection read-only when it cannot open the file for writing, and a
connection stays as it was opened; the pool kept handing those connections out. A PostgreSQL server that
stopped and came back leaves the same kind of dead connections behind.

So an error that means "the storage cannot serve now" (a read-only SQLite file or directory, a disk I/O
error, a lock held past the busy timeout, a lost or refused PostgreSQL connection) is:

- recognised by :func:`unavailable`, which the HTTP layer answers as 503 with ``Retry-After`` rather than
  a 500 (it is the client's cue to try again, not a bug);
- kept from sticking. A SQLite file's connections are not pooled at all (``storage.db.make_engine``), so
  none outlives the request that opened it. A PostgreSQL engine's error is marked a *disconnect* in
  SQLAlchemy's ``handle_error`` hook (:func:`install`): SQLAlchemy then invalidates that connection and
  every other one the pool made before it, and the next request connects afresh (``pool_pre_ping``
  catches the ones that died while idle).

Everything else (a constraint violation, a bad statement) is a real error and is left alone.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import Engine, event
from sqlalchemy import exc as sa_exc

# sqlite3's error names (``sqlite_errorname``, extended codes included: SQLITE_READONLY_DIRECTORY,
# SQLITE_IOERR_WRITE, …) that mean the file cannot be written or read now, by their primary code.
SQLITE_UNAVAILABLE = ("SQLITE_READONLY", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_BUSY", "SQLITE_LOCKED",
                      "SQLITE_FULL", "SQLITE_PROTOCOL")


# PostgreSQL SQLSTATEs (by prefix) that mean the server cannot serve now.
PG_UNAVAILABLE = ("08", "57P01", "57P02", "57P03", "53", "58")


def _driver_unavailable(orig: BaseException | None) -> bool:
    if isinstance(orig, sqlite3.OperationalError):
        return (getattr(orig, "sqlite_errorname", None) or "").startswith(SQLITE_UNAVAILABLE)
    import psycopg

    if isinstance(orig, psycopg.InterfaceError):  # the connection is already closed
        return True
    if not isinstance(orig, psycopg.OperationalError):
        return False
    # No SQLSTATE: the client could not reach the server or lost it (refused, reset, timed out). Else the
    # server says it cannot serve: connection exceptions, shutting down or starting, out of disk, memory
    # or connection slots, I/O error. A deadlock (40P01) or a cancelled statement (57014) is not that.
    sqlstate = getattr(orig, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith(PG_UNAVAILABLE)


def unavailable(error: BaseException) -> bool:
    """Whether ``error`` says the storage is unavailable for now (rather than that the request is wrong)."""
    if isinstance(error, sa_exc.TimeoutError):  # TimeoutError: no pooled connection free
        return True
    if isinstance(error, sa_exc.DBAPIError):
        return error.connection_invalidated or _driver_unavailable(error.orig)
    return _driver_unavailable(error)


def install(engine: Engine) -> None:
    """Make a pooled ``engine`` drop its connections whenever the storage proves unavailable.

    SQLAlchemy's documented way: set ``is_disconnect`` in ``handle_error``; it then invalidates the
    connection and the pool's older ones, so connections to a server that has since stopped are never
    handed out again. Not for SQLite: its file connections are never pooled, and an invalidated one is
    closed without a rollback, which leaves the file locked until the garbage collector finalises its
    statements ("database is locked" for every writer after a read-only directory came back).
    """
    if engine.dialect.name == "sqlite":
        return

    @event.listens_for(engine, "handle_error")
    def _mark_disconnect(context) -> None:
        if _driver_unavailable(context.original_exception):
            context.is_disconnect = True
