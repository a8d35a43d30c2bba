"""``flask --app wsgi bcf …``: operator commands (database, tokens, reference data)."""

import getpass

import click
from flask import current_app
from flask.cli import AppGroup

from storage import db, tokens
from storage.audit import Actor

bcf_cli = AppGroup("bcf", help="BCF service administration.")


def _operator() -> Actor:
    return Actor(None, f"cli:{getpass.getuser()}")


@bcf_cli.command("init-db")
def init_db() -> None:
    """Create or upgrade the database to the latest schema (Alembic migrations in storage/migrations)."""
    engine = current_app.extensions["bcf_db"]
    db.upgrade(engine=engine)
    click.echo(f"Database {engine.url.render_as_string(hide_password=True)} is at revision "
               f"{db.current_revision(engine)}.")


@bcf_cli.command("create-token")
@click.option("--role", required=True, type=click.Choice(["hwb", "assurance", "admin"]))
@click.option("--hwb", "hwb_code", help="The board's ONS code (role hwb only), e.g. E06000001.")
@click.option("--name", required=True, help='Who holds it, e.g. "Hartlepool finance".')
def create_token(role: str, hwb_code: str | None, name: str) -> None:
    """Create a bearer token and print it, alone, on the last line (it is not shown again)."""
    if hwb_code and hwb_code not in current_app.extensions["boards"]:
        raise click.BadParameter(f"no board {hwb_code}", param_hint="--hwb")
    with current_app.extensions["bcf_sessions"].begin() as session:
        try:
            token, secret = tokens.create(session, _operator(), name=name, role=role, hwb_code=hwb_code)
        except ValueError as error:
            raise click.UsageError(str(error)) from None
        click.echo(f"Created token {token.id} ({role}{' ' + hwb_code if hwb_code else ''}) for {name}. "
                   "Keep it now; it is stored only as a hash:")
    click.echo(secret)


@bcf_cli.command("revoke-token")
@click.argument("token_id", type=int)
def revoke_token(token_id: int) -> None:
    """Revoke a token by its id (see GET /api/v1/tokens)."""
    from storage.errors import StorageError

    with current_app.extensions["bcf_sessions"].begin() as session:
        try:
            token = tokens.revoke(session, _operator(), token_id)
        except StorageError as error:
            raise click.ClickException(error.message) from None
        click.echo(f"Revoked token {token.id} ({token.name}).")
