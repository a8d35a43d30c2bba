"""The Alembic migrations build exactly the models' schema, and come down again, on both databases."""

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from storage import db
from storage.models import Base

TABLES = {"tokens", "plan_versions", "actuals_versions", "determinations", "recovery_plans", "audit"}
HEAD = "0002"


def test_upgrade_matches_models_then_downgrade_empties(database_url):
    engine = db.make_engine(database_url)
    try:
        db.upgrade(engine=engine)
        assert set(inspect(engine).get_table_names()) >= TABLES
        assert db.current_revision(engine) == HEAD
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []

        db.downgrade(engine=engine)
        inspect_after = inspect(engine)
        assert set(inspect_after.get_table_names()) & TABLES == set()
        assert db.current_revision(engine) is None

        db.upgrade(engine=engine)  # and back up again: downgrade left nothing behind to trip over
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()


def test_upgrade_by_url_is_idempotent(database_url):
    db.upgrade(url=database_url)
    db.upgrade(url=database_url)
    engine = db.make_engine(database_url)
    try:
        assert db.current_revision(engine) == HEAD
    finally:
        engine.dispose()


OCTOBER_SHORT = json.dumps({"recovery_plan_required": True, "tranches": [
    {"tranche": "april-2015/metrics", "payment": "april-2015", "recovery_plan_required": False},
    {"tranche": "october-2015/metrics", "payment": "october-2015", "recovery_plan_required": True}]})
NO_TRANCHES = json.dumps({"recovery_plan_required": True})


def _at_0001_with_two_boards_plans(engine) -> None:
    """A 0001 database: E06000001's plan opened by an October shortfall, E06000002's by a result that
    does not say which payment (read as April's)."""
    db.upgrade(engine=engine, revision="0001")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO tokens (id, name, role, token_hash, created_at) "
            "VALUES (1, 'old', 'assurance', 'h', '2026-01-01 00:00:00')"))
        for row_id, code, result in ((1, "E06000001", OCTOBER_SHORT), (2, "E06000002", NO_TRANCHES)):
            connection.execute(text(
                "INSERT INTO determinations (id, hwb_code, rule_set, plan_version, actuals_versions, "
                "request, result, requested_by_name, created_at) "
                "VALUES (:id, :code, 'bcf-2015-16', 1, '{}', '{}', :result, 't', '2026-01-01 00:00:00')"),
                {"id": row_id, "code": code, "result": result})
            connection.execute(text(
                "INSERT INTO recovery_plans (hwb_code, determination_id, state, version, agreements, "
                "history, created_at, updated_at) VALUES (:code, :id, 'agreed', 3, '{}', '[]', "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"), {"id": row_id, "code": code})


def test_0002_gives_existing_plans_the_payment_their_determination_needed(database_url):
    """Issue 15 item 3: plans become per payment; existing rows keep their workflow under the payment the
    data says (else april-2015); existing tokens hold no party and never expire. And down again."""
    engine = db.make_engine(database_url)
    try:
        _at_0001_with_two_boards_plans(engine)
        db.upgrade(engine=engine)
        assert db.current_revision(engine) == HEAD
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
            plans = connection.execute(text(
                "SELECT hwb_code, payment, state, version FROM recovery_plans ORDER BY hwb_code")).all()
            assert [tuple(p) for p in plans] == [("E06000001", "october-2015", "agreed", 3),
                                                 ("E06000002", "april-2015", "agreed", 3)]
            token = connection.execute(text("SELECT party, expires_at FROM tokens")).one()
            assert tuple(token) == (None, None)
        with engine.begin() as connection:  # now a board may have a plan per payment
            connection.execute(text(
                "INSERT INTO recovery_plans (hwb_code, payment, determination_id, state, version, "
                "agreements, history, created_at, updated_at) VALUES ('E06000002', 'october-2015', 2, "
                "'required', 1, '{}', '[]', '2026-01-02 00:00:00', '2026-01-02 00:00:00')"))

        with pytest.raises(RuntimeError, match="E06000002 has recovery plans for more than one payment"):
            db.downgrade(engine=engine, revision="0001")
        assert db.current_revision(engine) == HEAD  # refused: nothing changed
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM recovery_plans WHERE payment = 'october-2015' "
                                    "AND hwb_code = 'E06000002'"))
        db.downgrade(engine=engine, revision="0001")
        assert db.current_revision(engine) == "0001"
        columns = {c["name"] for c in inspect(engine).get_columns("recovery_plans")}
        assert "payment" not in columns
        assert {c["name"] for c in inspect(engine).get_columns("tokens")} >= {"name", "role"}
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM recovery_plans")).scalar() == 2
    finally:
        engine.dispose()
