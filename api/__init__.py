"""The HTTP layer: an app factory, a blueprint per resource, schemas next to the views that use them.

Views stay thin: they validate with marshmallow, call one function in :mod:`bcf`, and dump the result.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from api.docs import ASSETS_URL
from api.errors import BcfApi, register_error_handlers
from api.json_provider import BcfJSONProvider
from api.openapi_fields import register_fields
from api.parsing import MAX_ID, BcfRequest, BoardCodeConverter, IdConverter
from calculator import load_calculator, reference

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application.

    :param test_config: settings that override the defaults and the environment (``BCF_``-prefixed
        variables, and ``DATABASE_URL``; tests pass
        ``{"TESTING": True, ...}``).
    """
    app = Flask(__name__, instance_path=os.environ.get("BCF_INSTANCE_PATH", str(PROJECT_ROOT / "instance")))
    app.config.from_mapping(
        API_TITLE="BCF payment-for-performance service",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=ASSETS_URL,  # served from the swagger-ui-bundle package: no CDN
        OPENAPI_SWAGGER_UI_CONFIG={"validatorUrl": None},  # no badge fetched from validator.swagger.io
        MAX_CONTENT_LENGTH=10 * 1024 * 1024,  # every body endpoint answers 413 above this (api/security.py)
        STORAGE_RETRY_AFTER=5,  # seconds, in the Retry-After of a 503 while storage is unavailable
        TOKEN_FAILURE_LIMIT="20 per minute",  # requests answered 401 per client address, then 429
        RATELIMIT_ENABLED=True,  # False switches the failed-token limit off
        RATELIMIT_STORAGE_URI="memory://",  # per worker process; redis://… counts across workers
        CSV_UPLOAD_MAX_BYTES=10 * 1024 * 1024,  # POST /api/v1/calculations/csv answers 413 above this
        REFERENCE_DATA_DIR=str(reference.REFERENCE_DATA),  # PROJECT_ROOT / "reference_data"
        RULE_SETS_DIR=None,  # default: REFERENCE_DATA_DIR/rules
        CATALOGUE_PATH=None,  # default: REFERENCE_DATA_DIR/metric_catalogue.yaml
        # default: $BCF_ALLOCATIONS_FILE, else REFERENCE_DATA_DIR/allocations.csv (load-allocations writes it)
        ALLOCATIONS_FILE=None,
        SECRET_KEY=None,  # signs the pages' session cookie: $SECRET_KEY, else a key in the instance folder
        DATABASE_URL=os.environ.get(
            "DATABASE_URL", f"sqlite:///{Path(app.instance_path) / 'bcf.sqlite3'}"
        ),
    )
    # an operator sets any of these as BCF_NAME (BCF_STORAGE_RETRY_AFTER=10, BCF_TOKEN_FAILURE_LIMIT="5 per
    # minute"): values read as JSON where they are JSON, else as text (Flask's from_prefixed_env)
    app.config.from_prefixed_env("BCF")
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.url_map.converters["id"] = IdConverter  # <id:…>: ids a database can hold
    app.url_map.converters["board"] = BoardCodeConverter  # <board:…>: E and 8 digits
    app.request_class = BcfRequest  # a malformed JSON body: a 400 naming the line and column
    app.json = BcfJSONProvider(app)  # money with two decimals; keys in schema order

    # A bad rule set, catalogue or allocation table raises ReferenceDataError here: it stops start-up.
    calculator, allocations_store = load_calculator(
        Path(app.config["REFERENCE_DATA_DIR"]), rule_sets_dir=_path(app.config["RULE_SETS_DIR"]),
        catalogue_path=_path(app.config["CATALOGUE_PATH"]),
        allocations_file=_path(app.config["ALLOCATIONS_FILE"]))
    app.extensions.update(
        calculator=calculator, boards=calculator.boards, catalogue=calculator.catalogue,
        rule_sets=calculator.rule_sets, allocations=allocations_store,
    )

    api = BcfApi(app)  # one Api per app: smorest's Api keeps a single app (style §8)
    app.extensions["bcf_api"] = api
    register_fields(api)
    api.register_converter(IdConverter, lambda _: {"type": "integer", "minimum": 1, "maximum": MAX_ID})
    api.register_converter(BoardCodeConverter, lambda _: {"type": "string", "pattern": r"^E\d{8}$"})
    register_error_handlers(app)

    from api import (
        actuals,
        audit,
        auth,
        database,
        determinations,
        plans,
        recovery_plans,
        reports,
        security,
        tokens,
    )

    security.init_app(app)  # first: its headers go on every answer, even one a later hook replaced
    database.init_app(app)  # one session per request, committed once (storage/)
    auth.register(app)

    from api import (
        allocations,
        ambitions,
        calculations,
        catalogue,
        docs,
        health,
        hwbs,
        rule_sets,
        spreadsheets,
    )

    for module in (health, hwbs, catalogue, rule_sets, calculations, ambitions,  # one blueprint per resource
                   spreadsheets, allocations, plans, actuals, determinations, recovery_plans, tokens, audit,
                   reports):
        api.register_blueprint(module.blp)
    app.register_blueprint(docs.blp)  # static Swagger UI files, not part of the API document

    from api import page_setup, pages, signin

    page_setup.init_app(app)  # session key and cookie, filters, Content-Security-Policy
    app.register_blueprint(pages.blp)  # HTML for people: the index and the board pages
    app.register_blueprint(signin.blp)

    from api.cli import bcf_cli

    app.cli.add_command(bcf_cli)
    return app


def _path(setting: str | None) -> Path | None:
    return Path(setting) if setting else None
