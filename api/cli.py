"""``flask --app wsgi bcf …``: operator commands (database, tokens, reference data)."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

bcf_cli = AppGroup("bcf", help="BCF service administration.")


@bcf_cli.command("init-db")
def init_db() -> None:
    """Create or upgrade the database to the latest schema."""
    click.echo("No database schema yet: nothing to migrate.")


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
