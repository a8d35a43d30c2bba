"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``."""

import gc

from api import create_app

app = create_app()
# The start-up objects (modules, schemas, rule sets, catalogue) live as long as the process. Frozen,
# the collector's full passes stop re-scanning them: about 80 ms of CPU less for a 152-board upload
# (benchmarks/batch.py), and pages shared with forked workers stay shared.
gc.collect()
gc.freeze()
