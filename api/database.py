"""One database session per request, committed once at the end: a failed request changes nothing.

The engine is made once per app from ``DATABASE_URL``. The session opens lazily on first use and is
committed in ``after_request`` only when the response is a success (status < 400); any error response,
raised or returned, rolls everything back, audit rows included.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from api.errors import PROBLEM_TYPES, problem
from storage import db


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
            finally:
                session.close()
        return response

    @app.teardown_request
    def _close(_error: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:  # after_request did not run (an error escaped): nothing is kept
            session.rollback()
            session.close()

    @app.errorhandler(StaleDataError)
    def _stale(_error: StaleDataError):
        return problem(409, "Conflict", "Someone else changed this at the same moment; read it and retry.",
                       type_=PROBLEM_TYPES + "conflict")


def session() -> Session:
    """This request's session (opened on first use)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["bcf_sessions"]()
    return g.db_session
