"""``flask --app wsgi bcf …``: operator commands (database, tokens, reference data)."""

import click
from flask.cli import AppGroup

bcf_cli = AppGroup("bcf", help="BCF service administration.")


@bcf_cli.command("init-db")
def init_db() -> None:
    """Create or upgrade the database to the latest schema."""
    click.echo("No database schema yet: nothing to migrate.")
