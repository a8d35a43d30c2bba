"""The HTTP layer: an app factory, a blueprint per resource, schemas next to the views that use them.

Views stay thin: they validate with marshmallow, call one function in :mod:`bcf`, and dump the result.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from api.errors import BcfApi, register_error_handlers
from bcf.boards import load_boards

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application.

    :param test_config: settings that override the defaults and the environment (tests pass
        ``{"TESTING": True, ...}``).
    """
    app = Flask(__name__, instance_path=os.environ.get("BCF_INSTANCE_PATH", str(PROJECT_ROOT / "instance")))
    app.config.from_mapping(
        API_TITLE="BCF payment-for-performance service",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        MAX_CONTENT_LENGTH=10 * 1024 * 1024,
        CSV_UPLOAD_MAX_BYTES=10 * 1024 * 1024,  # POST /api/v1/calculations/csv answers 413 above this
        REFERENCE_DATA_DIR=str(PROJECT_ROOT / "reference_data"),
        DATABASE_URL=os.environ.get(
            "DATABASE_URL", f"sqlite:///{Path(app.instance_path) / 'bcf.sqlite3'}"
        ),
    )
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    reference = Path(app.config["REFERENCE_DATA_DIR"])
    app.extensions["boards"] = load_boards(reference / "boards.csv")  # read once, never per request

    api = BcfApi(app)  # one Api per app: smorest's Api keeps a single app (style §8)
    app.extensions["bcf_api"] = api
    register_error_handlers(app)

    from api import health, spreadsheets

    for module in (health, spreadsheets):  # one blueprint per resource
        api.register_blueprint(module.blp)

    from api.cli import bcf_cli

    app.cli.add_command(bcf_cli)
    return app
