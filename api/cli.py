"""``flask --app wsgi bcf …``: operator commands (database, tokens, reference data)."""

import getpass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from storage import db, tokens
from storage.audit import Actor
from storage.models import PARTIES, iso

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


def _expiry(_context: click.Context, _param: click.Parameter, value: str | None):
    if value is None:
        return None
    try:
        return tokens.parse_expiry(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@bcf_cli.command("create-token")
@click.option("--role", required=True, type=click.Choice(["hwb", "assurance", "admin"]))
@click.option("--hwb", "hwb_code", help="The board's ONS code (role hwb only), e.g. E06000001.")
@click.option("--name", required=True, help='Who holds it, e.g. "Hartlepool finance".')
@click.option("--party", type=click.Choice(PARTIES),
              help="Role assurance only: the party whose agreement to recovery plans the token records "
                   "(NHS England's and the peer reviewer's each need their own token).")
@click.option("--expires", "expires_at", metavar="WHEN", callback=_expiry,
              help=f"When the token stops working: {tokens.EXPIRES_HELP}. Default: never.")
def create_token(role: str, hwb_code: str | None, name: str, party: str | None, expires_at) -> None:
    """Create a bearer token and print it, alone, on the last line (it is not shown again)."""
    if hwb_code and hwb_code not in current_app.extensions["boards"]:
        raise click.BadParameter(f"no board {hwb_code}", param_hint="--hwb")
    with current_app.extensions["bcf_sessions"].begin() as session:
        try:
            token, secret = tokens.create(session, _operator(), name=name, role=role, hwb_code=hwb_code,
                                          party=party, expires_at=expires_at)
        except ValueError as error:
            raise click.UsageError(str(error)) from None
        held = "".join(f" {x}" for x in (hwb_code, party) if x)
        until = f", expires {iso(expires_at)}" if expires_at else ""
        click.echo(f"Created token {token.id} ({role}{held}{until}) for {name}. "
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


token_cli = click.Group("token", help="Bearer tokens: create (as create-token), revoke (as revoke-token).")
token_cli.add_command(create_token, "create")
token_cli.add_command(revoke_token, "revoke")
bcf_cli.add_command(token_cli)


def _pounds(_context: click.Context, _param: click.Parameter, value: str | None) -> Decimal | None:
    if value is None:
        return None
    text = value.replace(",", "").removeprefix("£").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise click.BadParameter(f"{value!r} is not a positive amount of pounds to the penny "
                                 "(e.g. 3800000000 or 3,800,000,000.00)")
    return amount


def _refuse(message: str, problems: list[dict] | tuple = (), hint: str | None = None) -> None:
    click.echo(f"Not loaded: {message}", err=True)
    for problem in problems:
        click.echo(f"  {problem['location']}: {problem['message']}", err=True)
    if hint:
        click.echo(hint, err=True)
    raise SystemExit(1)


@bcf_cli.command("load-allocations")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--rule-set", "rule_set_id", default=None, help="Rule set id (default: the current one).")
@click.option("--partial", is_flag=True,
              help="Accept inputs that cover only some of the 152 boards. Needs --national-minimum-fund, "
                   "so that derived pools are shares of the whole country's minimum funds.")
@click.option("--national-minimum-fund", "national_minimum_fund", metavar="AMOUNT", callback=_pounds,
              help="With --partial: Σ minimum_fund over all 152 boards, in pounds (e.g. 3800000000).")
@click.option("--replace", is_flag=True,
              help="Overwrite the table already loaded (its changes are printed either way).")
def load_allocations(files: tuple[Path, ...], rule_set_id: str | None, partial: bool,
                     national_minimum_fund: Decimal | None, replace: bool) -> None:
    """Load the allocation table (reference_data/allocations.csv, or $BCF_ALLOCATIONS_FILE) from CSV FILES.

    \b
    Each file's role is told from its columns (names as in the header row; name columns such as
    ccg_name are ignored):
      ccg_amounts.csv     ccg_code, then any of ccg_core_nhs, ccg_reablement, carers_breaks,
                          social_care_transfer (per CCG; or hwb_code instead of ccg_code: per board)
      ccg_to_hwb.csv      ccg_code, hwb_code, share (each CCG's shares add up to 1)
      council_grants.csv  council_code (the board's code) or hwb_code, then dfg and/or
                          social_care_capital_grant
      published.csv       hwb_code, then any of ccg_contribution, dfg, social_care_capital_grant,
                          minimum_fund, p4p_amount and the four CCG components (overrides derived figures)

    A derived pool is p4p_national_total × minimum_fund ÷ Σ minimum_fund, so the inputs must give all
    152 boards a minimum fund, or give the pools (p4p_amount), or say the national Σ with --partial
    --national-minimum-fund AMOUNT. Otherwise nothing is loaded (exit status 1).

    Nothing is written if any file has a problem; all problems are listed. When a table is already
    loaded, what the new one changes is printed and --replace is needed to overwrite it. The warnings
    are stored beside the table (allocations.warnings.json) and served by GET /api/v1/allocations.
    """
    from api.allocations import calculate_files, store_table
    from bcf import allocation_table
    from bcf.allocations import check_derived_pools_cover
    from bcf.errors import BcfError

    if partial != (national_minimum_fund is not None):
        raise click.UsageError("--partial and --national-minimum-fund go together: a partial table's "
                               "derived pools are shares of the national minimum fund, so give both "
                               "(or neither, with inputs that cover all 152 boards).")
    boards = current_app.extensions["boards"]
    try:
        allocations, rule_set = calculate_files(list(files), rule_set_id,
                                                national_minimum_fund=national_minimum_fund)
        check_derived_pools_cover(allocations, boards, national_minimum_fund=national_minimum_fund)
    except BcfError as error:
        hint = None
        if error.problems and error.problems[0].get("location") == "minimum_fund":
            hint = ("Give all 152 boards, give the pools (a published.csv with p4p_amount), or load these "
                    "boards with --partial --national-minimum-fund AMOUNT (Σ minimum_fund over all 152 "
                    "boards, in pounds).")
        _refuse(error.message, error.problems, hint)
    store = current_app.extensions["allocations"]
    try:
        old = store.table()
    except BcfError as error:  # a table that cannot be read any more: say so; --replace still needed
        old = None
        click.echo(f"The table in {store.path} cannot be read ({error.message}).")
        if not replace:
            _refuse(f"{store.path} already exists; give --replace to overwrite it.")
    if old is not None:
        changes = allocation_table.changes(old, allocations)
        click.echo(f"{store.path} already holds a table of {len(old.boards)} board(s); the new one has "
                   f"{len(allocations.boards)}:")
        for line in changes.lines():
            click.echo(f"  {line}")
        if not replace:
            _refuse(f"{store.path} already holds a table; give --replace to overwrite it "
                    f"({changes.summary()}).")
    path = store_table(allocations, rule_set)
    click.echo(f"Loaded {len(allocations.boards)} board(s) into {path} (rule set {allocations.rule_set}"
               f"{', partial' if partial else ''}).")
    for warning in allocations.warnings:
        click.echo(f"warning: {warning.message}")


@bcf_cli.command("export")
@click.option("--out", "out", default="-", metavar="FILE|-", show_default=True,
              help="Where the dump goes: a file (written whole or not at all), or - for standard output.")
def export_data(out: str) -> None:
    """Every stored table as JSON Lines: plans, actuals, determinations, recovery plans, audit and tokens
    (their hashes only), with the schema revision. `bcf import` reads it into another database."""
    import os
    import sys
    import tempfile

    from tqdm import tqdm

    from storage.export import count_rows, export_to

    engine = current_app.extensions["bcf_db"]
    if db.current_revision(engine) is None:
        raise click.ClickException("the database has no schema: run `flask --app wsgi bcf init-db` first")
    with tqdm(total=sum(count_rows(engine).values()), unit="row", file=sys.stderr, desc="export",
              disable=None) as bar:
        if out == "-":
            counts = export_to(engine, sys.stdout, progress=bar.update)
        else:
            target = Path(out)
            handle, temporary = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    counts = export_to(engine, stream, progress=bar.update)
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
    where = "standard output" if out == "-" else out
    click.echo(f"Exported {_counted(counts)} to {where}.", err=True)


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {table}" for table, n in counts.items())


@bcf_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--replace", is_flag=True, help="Delete every stored row first (in the same transaction).")
def import_data(file: Path, replace: bool) -> None:
    """Read a dump written by `bcf export` into this (migrated) database, in one transaction: it must be
    empty (or --replace) and at the dump's schema revision; any problem is named with its line number, and
    then nothing is written."""
    import sys

    from tqdm import tqdm

    from storage.export import ImportRefused, import_lines

    engine = current_app.extensions["bcf_db"]
    stdin = str(file) == "-"
    total = None
    if not stdin:
        with file.open("rb") as stream:
            total = sum(1 for _ in stream)
    stream = sys.stdin if stdin else file.open(encoding="utf-8")
    try:
        with tqdm(total=total, unit="line", file=sys.stderr, desc="import", disable=None) as bar:
            counts = import_lines(engine, stream, replace=replace, progress=bar.update)
    except ImportRefused as error:
        click.echo(f"Not imported: {error.message}", err=True)
        for problem in error.problems:
            click.echo(f"  {problem['location']}: {problem['message']}", err=True)
        raise SystemExit(1) from None
    except UnicodeDecodeError as error:
        click.echo(f"Not imported: {file} is not UTF-8 text ({error}).", err=True)
        raise SystemExit(1) from None
    finally:
        if not stdin:
            stream.close()
    click.echo(f"Imported {_counted(counts)} into "
               f"{engine.url.render_as_string(hide_password=True)}.", err=True)


# --- bcf report national -------------------------------------------------------------------------------

report_cli = AppGroup("report", help="Reports for assurance panels (as GET /api/v1/reports/…).")
bcf_cli.add_command(report_cli)


def _bar(items, desc: str):
    """A tqdm bar on stderr (none when stderr is not a terminal: a log file, CI)."""
    import sys

    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="board", file=sys.stderr, disable=None)


@report_cli.command("national")
@click.option("--grouping", type=click.Choice(["national", "region", "nhs_region", "area_team"]),
              default="national", show_default=True, help="The groups of boards (reference_data/boards.csv).")
@click.option("--tranche", metavar="ID", help="Only this tranche, e.g. october-2015/metrics.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The report file; its suffix says the format: .xlsx (every table), .csv (one table, "
                   "see --table), .json, or .html (the national page as one file, to open offline).")
@click.option("--table", default="groups", show_default=True,
              help="With a .csv --out: groups, tranches, achievement, boards, board_tranches, "
                   "board_achievement, funnel_points or funnel_limits.")
@click.option("--metrics", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Report over these files instead of the stored determinations (as bcf calculate).")
@click.option("--conditions", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pools", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def report_national(grouping: str, tranche: str | None, out: Path, table: str, metrics: Path | None,
                    conditions: Path | None, pools: Path | None) -> None:
    """Write the national report, from the stored determinations or from CSV files.

    \b
    flask --app wsgi bcf report national --grouping region --out report.xlsx
    flask --app wsgi bcf report national --grouping region --out report.html
    flask --app wsgi bcf report national --out groups.csv --table groups \\
        --metrics metrics.csv --conditions conditions.csv --pools pools.csv

    Every board is in it; a board with no determination is reported as such. Problems in the files
    are all listed (exit status 1) and nothing is written; the file is written whole or not at all.
    """
    from api.reports import report_of, stored_inputs, upload_inputs
    from bcf.errors import InvalidInput
    from reports import tranche_ids
    from sheets.cli import write_atomically
    from sheets.report_writing import REPORT_WRITERS, TABLES, render_report

    suffix = out.suffix.lower()
    page = suffix in (".html", ".htm")  # the national page, one file that works opened from disk
    mime = REPORT_WRITERS.get(suffix)
    if mime is None and not page:
        raise click.BadParameter(f"must end in {', '.join([*REPORT_WRITERS, '.html'])}; got {out.name!r}",
                                 param_hint="--out")
    if not out.parent.is_dir():
        raise click.BadParameter(f"the folder does not exist: {out.parent}", param_hint="--out")
    if table not in TABLES:
        raise click.BadParameter(f"must be one of {', '.join(TABLES)}", param_hint="--table")
    known = tranche_ids(current_app.extensions["rule_sets"])
    if tranche is not None and tranche not in known:
        raise click.BadParameter(f"must be one of {', '.join(known)}", param_hint="--tranche")
    if metrics is None and (conditions or pools):
        raise click.UsageError("--conditions and --pools go with --metrics (a batch of files).")

    if metrics is not None:
        files = {"metrics": metrics.read_bytes(),
                 "conditions": conditions.read_bytes() if conditions else None,
                 "pools": pools.read_bytes() if pools else None}
        try:
            inputs = upload_inputs(files, current_app.extensions["calculator"],
                                   progress=lambda items: _bar(items, "boards"))
        except InvalidInput as error:
            click.echo(f"Not written: {error.message}", err=True)
            for problem in error.problems:
                click.echo(f"  {problem['location']}: {problem['message']}", err=True)
            raise SystemExit(1) from None
        source = "the files"
    else:
        with current_app.extensions["bcf_sessions"]() as session:
            inputs = stored_inputs(session, progress=lambda items: _bar(items, "determinations"))
        source = "the stored determinations"
    report = report_of(inputs, {"grouping": grouping, "tranche": tranche})
    if page:
        from api.national_page import render_national

        with current_app.test_request_context("/reports/national"):  # url_for and the templates' request
            content = render_national(report, standalone=True).encode("utf-8")
    else:
        content = render_report(report, mime, table)
    write_atomically(out, content)
    national = report["national"]
    click.echo(f"National report ({grouping}) over {source}: {national['boards_determined']} of "
               f"{national['boards']} boards determined; written to {out}.", err=True)
