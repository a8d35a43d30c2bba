"""The Alembic migrations build exactly the models' schema, and come down again, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from storage import db
from storage.models import Base

TABLES = {"tokens", "plan_versions", "actuals_versions", "determinations", "recovery_plans", "audit"}


def test_upgrade_matches_models_then_downgrade_empties(database_url):
    engine = db.make_engine(database_url)
    try:
        db.upgrade(engine=engine)
        assert set(inspect(engine).get_table_names()) >= TABLES
        assert db.current_revision(engine) == "0001"
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
        assert db.current_revision(engine) == "0001"
    finally:
        engine.dispose()
