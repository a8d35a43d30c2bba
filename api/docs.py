"""Swagger UI's files, served from the ``swagger-ui-bundle`` package: the docs page needs no internet.

flask-smorest renders ``/api/v1/docs`` from its template, which loads ``swagger-ui.css``,
``swagger-ui-bundle.js`` and ``swagger-ui-standalone-preset.js`` from ``OPENAPI_SWAGGER_UI_URL``
(style §8). That URL points here, so the assets come from the installed package, not a CDN, and
nothing is copied into the repository. The page itself is our ``templates/swagger_ui.html`` (it overrides
smorest's): its start-up script is the file ``docs_assets/swagger-ui-init.js``, not inline, so the page
runs under the Content-Security-Policy of :mod:`api.security`.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, send_from_directory
from swagger_ui_bundle import swagger_ui_path
from werkzeug.exceptions import NotFound

ASSETS_URL = "/api/v1/docs/assets/"
ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js",
                    "favicon-16x16.png", "favicon-32x32.png"})
OWN_ASSETS = Path(__file__).resolve().parent / "docs_assets"
INIT_SCRIPT = "swagger-ui-init.js"  # ours: starts Swagger UI with the settings the page carries

blp = Blueprint("docs_assets", __name__)


@blp.get(ASSETS_URL + "<string:filename>")
def asset(filename: str):
    """One Swagger UI file; anything else in the package directory is not served."""
    if filename == INIT_SCRIPT:
        return send_from_directory(OWN_ASSETS, filename, max_age=86400)
    if filename not in ASSETS:
        raise NotFound()
    return send_from_directory(str(swagger_ui_path), filename, max_age=86400)
