"""``flask --app wsgi bcf …``: operator commands (database, tokens, reference data)."""

import getpass
from pathlib import Path

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


@bcf_cli.command("load-allocations")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rule-set", "rule_set_id", default=None, help="Rule set id (default: the current one).")
def load_allocations(files: tuple[Path, ...], rule_set_id: str | None) -> None:
    """Load the allocation table (reference_data/allocations.csv) from CSV FILES.

    Give per-CCG amounts (ccg_code + CCG components) with the CCG→board split (ccg_code, hwb_code,
    share), per-board amounts (hwb_code + CCG components), council grants (council_code, dfg,
    social_care_capital_grant) and/or a published per-board table (hwb_code, ccg_contribution, dfg,
    social_care_capital_grant, minimum_fund, p4p_amount). Each file's role is told from its columns.
    Nothing is written if any file has a problem; all problems are listed.
    """
    from api.allocations import load_files
    from bcf.errors import BcfError

    try:
        allocations = load_files(list(files), rule_set_id)
    except BcfError as error:
        click.echo(f"Not loaded: {error.message}", err=True)
        for problem in error.problems:
            click.echo(f"  {problem['location']}: {problem['message']}", err=True)
        raise SystemExit(1) from None
    store = current_app.extensions["allocations"]
    click.echo(f"Loaded {len(allocations.boards)} board(s) into {store.path} "
               f"(rule set {allocations.rule_set}).")
    for warning in allocations.warnings:
        click.echo(f"warning: {warning.message}")
