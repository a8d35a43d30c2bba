"""The app the fuzz harness runs against: a fresh SQLite database seeded with one board's plan, actuals
and determination (so stored-resource operations answer more than 404), and an admin and an hwb token."""

from __future__ import annotations

import pytest
import schemathesis
from fuzz_support import SCHEMA_CANNOT_SAY, Seeded

from api import create_app
from storage import db


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Seeded:
    folder = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{folder / 'fuzz.sqlite3'}"
    db.upgrade(url=url)
    app = create_app({"TESTING": True, "DATABASE_URL": url, "ALLOCATIONS_FILE": str(folder / "none.csv")})
    yield Seeded(app)
    app.extensions["bcf_db"].dispose()


@pytest.fixture(scope="module")
def openapi(seeded):
    """The document exactly as the app serves it at /api/v1/openapi.json; positive_data_acceptance is off
    for the operations where SCHEMA_CANNOT_SAY says why."""
    config = schemathesis.Config.from_dict({
        # No .hypothesis folder in the project (the suite's run is derandomized instead). The Authorization
        # header is the harness's identity, not generated: a generated one would be replaced by it, and a
        # negative case "without Authorization" would then be sent with it (anonymous runs send none).
        "generation": {"database": "none", "with-security-parameters": False},
        "operations": [{"include-name": label, "checks": {"positive_data_acceptance": {"enabled": False}}}
                       for label in SCHEMA_CANNOT_SAY],
    })
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", seeded.app, config=config)
