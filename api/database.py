"""One database session per request, committed once at the end: a failed request changes nothing.

The engine is made once per app from ``DATABASE_URL``. The session opens lazily on first use and is
committed in ``after_request`` only when the response is a success (status < 400); any error response,
raised or returned, rolls everything back, audit rows included.

Storage that is unavailable for now (:mod:`storage.faults`: a read-only SQLite file, a stopped PostgreSQL
server), whether it fails a query in the view or the final commit, is answered 503 problem+json with
``Retry-After: STORAGE_RETRY_AFTER`` seconds; the engine has already dropped its pooled connections, so
a later request gets fresh ones and succeeds once the storage is back. No detail of the driver's error
(file names, server addresses) reaches the client; the log has it.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from api.errors import PROBLEM_TYPES, problem
from storage import db, faults

log = logging.getLogger(__name__)
UNAVAILABLE_DETAIL = "The service cannot reach its storage just now; nothing was changed. Try again shortly."


def init_app(app: Flask) -> None:
    engine = db.make_engine(app.config["DATABASE_URL"])
    app.extensions["bcf_db"] = engine
    app.extensions["bcf_sessions"] = db.session_factory(engine)

    @app.after_request
    def _finish(response: Response) -> Response:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            try:
                if response.status_code < 400:
                    session.commit()
                else:
                    session.rollback()
            except (sa_exc.DBAPIError, sa_exc.TimeoutError) as error:
                if not faults.unavailable(error):
                    raise
                return storage_unavailable(error)
            finally:
                session.close()
        return response

    @app.teardown_request
    def _close(_error: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:  # after_request did not run (an error escaped): nothing is kept
            session.rollback()
            session.close()

    @app.errorhandler(sa_exc.DBAPIError)
    @app.errorhandler(sa_exc.TimeoutError)
    def _storage_error(error: Exception):
        if not faults.unavailable(error):
            raise error  # a real fault: the generic 500 handler logs it
        return storage_unavailable(error)

    @app.errorhandler(StaleDataError)
    def _stale(_error: StaleDataError):
        return problem(409, "Conflict", "Someone else changed this at the same moment; read it and retry.",
                       type_=PROBLEM_TYPES + "conflict")


def session() -> Session:
    """This request's session (opened on first use)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["bcf_sessions"]()
    return g.db_session


def storage_unavailable(error: BaseException) -> Response:
    """503 with ``Retry-After``: the storage is unavailable for now (logged without a traceback: it is not
    a bug, and the operator needs the cause, not the stack)."""
    log.warning("storage unavailable: %s: %s", type(error).__name__, getattr(error, "orig", None) or error)
    return problem(503, "Service Unavailable", UNAVAILABLE_DETAIL,
                   type_=PROBLEM_TYPES + "storage-unavailable",
                   headers={"Retry-After": str(int(current_app.config["STORAGE_RETRY_AFTER"]))})
