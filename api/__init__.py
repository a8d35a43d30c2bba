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
from api.fields import register_fields
from api.json_provider import BcfJSONProvider
from bcf.boards import load_boards
from bcf.catalogue import check_rule_set, load_catalogue
from bcf.rules import load_rule_sets

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
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=ASSETS_URL,  # served from the swagger-ui-bundle package: no CDN
        OPENAPI_SWAGGER_UI_CONFIG={"validatorUrl": None},  # no badge fetched from validator.swagger.io
        MAX_CONTENT_LENGTH=10 * 1024 * 1024,
        CSV_UPLOAD_MAX_BYTES=10 * 1024 * 1024,  # POST /api/v1/calculations/csv answers 413 above this
        REFERENCE_DATA_DIR=str(PROJECT_ROOT / "reference_data"),
        RULE_SETS_DIR=None,  # default: REFERENCE_DATA_DIR/rules
        CATALOGUE_PATH=None,  # default: REFERENCE_DATA_DIR/metric_catalogue.yaml
        ALLOCATIONS_FILE=None,  # default: REFERENCE_DATA_DIR/allocations.csv (written by load-allocations)
        DATABASE_URL=os.environ.get(
            "DATABASE_URL", f"sqlite:///{Path(app.instance_path) / 'bcf.sqlite3'}"
        ),
    )
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.json = BcfJSONProvider(app)  # money with two decimals; keys in schema order

    reference = Path(app.config["REFERENCE_DATA_DIR"])
    app.extensions["boards"] = load_boards(reference / "boards.csv")  # read once, never per request
    # A bad rule set or catalogue raises ReferenceDataError here: it stops start-up, not a request.
    catalogue = load_catalogue(Path(app.config["CATALOGUE_PATH"] or reference / "metric_catalogue.yaml"))
    rule_sets = load_rule_sets(Path(app.config["RULE_SETS_DIR"] or reference / "rules"))
    for rule_set in rule_sets.values():
        check_rule_set(catalogue, rule_set)
    app.extensions["catalogue"] = catalogue
    app.extensions["rule_sets"] = rule_sets
    # hwb_code -> Decimal | None; the allocations room replaces it when a table is loaded
    app.extensions.setdefault("bcf_pool_lookup", lambda code: None)

    api = BcfApi(app)  # one Api per app: smorest's Api keeps a single app (style §8)
    app.extensions["bcf_api"] = api
    register_fields(api)
    register_error_handlers(app)

    from api import actuals, audit, auth, database, determinations, plans, recovery_plans, tokens

    database.init_app(app)  # one session per request, committed once (storage/)
    auth.register(app)

    from api import allocations, ambitions, catalogue, docs, health, hwbs, rule_sets, spreadsheets
    from api.calculations import views as calculations

    for module in (health, hwbs, catalogue, rule_sets, calculations, ambitions,  # one blueprint per resource
                   spreadsheets, allocations, plans, actuals, determinations, recovery_plans, tokens, audit):
        api.register_blueprint(module.blp)
    allocations.init_app(app)  # the stored table, if loaded, and the pool lookup it serves
    app.register_blueprint(docs.blp)  # static Swagger UI files, not part of the API document

    from api.cli import bcf_cli

    app.cli.add_command(bcf_cli)
    return app
