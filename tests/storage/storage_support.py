"""Shared data and helpers for the storage tests (a uniquely named module: every test room has a conftest)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

BACKENDS = ["sqlite", "postgresql"]
HWB_A, HWB_B = "E06000001", "E06000002"  # Hartlepool, Middlesbrough

PLAN = {
    "p4p_pool": 1000000.00,
    "metrics": [
        {"metric": "delayed_transfers", "periods": {
            "april-2015": {"baseline": {"numerator": 3100, "denominator": 72000}, "plan": 450.0},
            "october-2015": {"baseline": {"numerator": 2100, "denominator": 72400}, "plan": 460.0}}},
        {"metric": "reablement", "periods": {
            "october-2015": {"baseline": {"numerator": 800, "denominator": 1000}, "plan": 85.0}}},
    ],
}
# Outturn well below plan: the October metrics tranche needs a recovery plan (rules §6).
ACTUALS_BAD = {
    "april-2015": {"delayed_transfers": {"numerator": 2000, "denominator": 72400}},
    "october-2015": {"delayed_transfers": {"numerator": 2300, "denominator": 72400},
                     "reablement": {"numerator": 700, "denominator": 1000}},
}


def postgres_admin_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url and os.environ.get("CI") == "true":
        pytest.fail("CI=true but TEST_DATABASE_URL is not set: the PostgreSQL storage tests must run")
    return url


def fresh_postgres_database(template: str | None = None) -> Iterator[str]:
    """Create a database on the test cluster (empty, or a copy of ``template``), yield its URL, drop it."""
    admin_url = postgres_admin_url()
    if not admin_url:
        pytest.skip("TEST_DATABASE_URL not set (make test starts PostgreSQL)")
    name = f"bcf_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            copy_of = f' TEMPLATE "{template}"' if template else ""
            connection.execute(text(f'CREATE DATABASE "{name}"{copy_of}'))
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
