"""Every stored table to JSON Lines and back: moving a service between databases (SQLite ↔ PostgreSQL)
or keeping a copy that any tool can read.

One file, one JSON object a line, so a dump streams in both directions and a reader needs no schema:

- line 1, the header: ``{"format": "bcf-export", "format_version": 1, "revision": "0002",
  "tables": ["tokens", …], "exported_at": "…Z"}``. ``revision`` is the Alembic revision of the exported
  schema: a dump imports only into a database migrated to the same revision (columns differ otherwise).
- one line a row, tables in dependency order (a row's parents come before it), rows by primary key:
  ``{"table": "tokens", "row": {"id": 1, "name": …, "token_hash": …, "created_at": "…Z", …}}``.
  Every column is written. Timestamps are ISO 8601 in UTC with microseconds; JSON columns are the stored
  JSON itself (numbers as stored, so money figures read back digit for digit); tokens carry only the
  SHA-256 of their secret, never a secret.
- the last line, the trailer: ``{"end": {"tokens": 4, …}}``, the rows per table, so that a truncated file
  is refused rather than half imported.

An import goes into an empty, migrated database in one transaction: every line is checked (its table, its
columns and their types, primary and unique keys, foreign keys to rows earlier in the file) and every
problem is reported with its line number; if there is any, nothing is written. The import adds no audit
entry of its own: the copy is the original, row for row (the operator's shell history says who ran it).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy import JSON, DateTime, Engine, Integer, String, Table, UniqueConstraint, func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bcf.errors import BcfError
from storage import db
from storage.models import Base, as_utc

FORMAT = "bcf-export"
FORMAT_VERSION = 1
TABLES: list[Table] = list(Base.metadata.sorted_tables)  # parents before children
BATCH = 500  # rows per INSERT statement
MAX_PROBLEMS = 200  # a wholly wrong file would otherwise list a problem for each of its lines

Progress = Callable[[int], None]  # called with how many rows (export) or lines (import) were just done


class ImportRefused(BcfError):
    """The dump does not fit this database (revision, not empty) or has problems; nothing was written."""

    slug = "import-refused"


def _encode(column, value: Any) -> Any:
    if value is not None and isinstance(column.type, DateTime):
        return as_utc(value).isoformat().replace("+00:00", "Z")
    return value


def _line(obj: dict[str, Any]) -> str:
    # allow_nan=False: NaN is not JSON, and a dump another tool cannot read is not a dump.
    return json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":")) + "\n"


def count_rows(engine: Engine) -> dict[str, int]:
    """Rows per table (what an export will write; an import's target must have none)."""
    with engine.connect() as connection:
        return {t.name: connection.scalar(select(func.count()).select_from(t)) for t in TABLES}


def export_lines(engine: Engine, *, progress: Progress | None = None,
                 now: datetime | None = None) -> Iterator[str]:
    """The dump of ``engine``'s database, line by line, read in one transaction (a consistent snapshot
    on PostgreSQL; SQLite's reader sees one state too). Rows are streamed, not held in memory."""
    revision = db.current_revision(engine)
    if revision is None:
        raise ImportRefused("the database has no schema revision: run `flask --app wsgi bcf init-db` first")
    stamp = as_utc(now or datetime.now(UTC)).isoformat().replace("+00:00", "Z")
    yield _line({"format": FORMAT, "format_version": FORMAT_VERSION, "revision": revision,
                 "tables": [t.name for t in TABLES], "exported_at": stamp})
    counts: dict[str, int] = {}
    with engine.connect() as connection, connection.begin():
        for table in TABLES:
            counts[table.name] = 0
            ordered = select(table).order_by(*table.primary_key.columns)
            for row in connection.execution_options(yield_per=BATCH).execute(ordered):
                values = row._mapping
                yield _line({"table": table.name,
                             "row": {c.name: _encode(c, values[c.name]) for c in table.columns}})
                counts[table.name] += 1
                if progress:
                    progress(1)
    yield _line({"end": counts})


def export_to(engine: Engine, out: IO[str], *, progress: Progress | None = None) -> dict[str, int]:
    """Write the dump to ``out``; answers the rows per table."""
    counts: dict[str, int] = {}
    for line in export_lines(engine, progress=progress):
        out.write(line)
        if line.startswith('{"end":'):
            counts = json.loads(line)["end"]
    return counts


# --- import -------------------------------------------------------------------------------------------

def _check_value(column, value: Any) -> tuple[Any, str | None]:
    """The value to insert for ``column``, or a problem saying why it cannot be."""
    if value is None:
        if not column.nullable:
            return None, f"{column.name} may not be null"
        return None, None
    kind = column.type
    if isinstance(kind, DateTime):
        if not isinstance(value, str):
            return None, f"{column.name} must be an ISO 8601 timestamp string, not {json.dumps(value)}"
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None, f"{column.name} {value!r} is not an ISO 8601 timestamp"
        if parsed.tzinfo is None:
            return None, f"{column.name} {value!r} has no time zone (exports write UTC, ending in Z)"
        return parsed.astimezone(UTC), None
    if isinstance(kind, Integer):
        if isinstance(value, bool) or not isinstance(value, int):
            return None, f"{column.name} must be a whole number, not {json.dumps(value)}"
        return value, None
    if isinstance(kind, String):
        if not isinstance(value, str):
            return None, f"{column.name} must be a string, not {json.dumps(value)}"
        if kind.length is not None and len(value) > kind.length:
            return None, f"{column.name} is {len(value)} characters long; at most {kind.length} fit"
        return value, None
    if isinstance(kind, JSON):
        return value, None
    raise TypeError(f"{column.table.name}.{column.name}: no import rule for {kind!r}")  # pragma: no cover


class _Checker:
    """Checks the dump line by line, remembering only keys (primary, unique, referenced)."""

    def __init__(self) -> None:
        self.tables = {t.name: t for t in TABLES}
        self.problems: list[dict[str, str]] = []
        self.counts = {t.name: 0 for t in TABLES}
        self.keys: dict[tuple[str, tuple[str, ...]], set[tuple]] = {}
        for table in TABLES:
            for key in self._unique_keys(table):
                self.keys[(table.name, key)] = set()

    @staticmethod
    def _unique_keys(table: Table) -> list[tuple[str, ...]]:
        keys = [tuple(c.name for c in table.primary_key.columns)]
        keys += [tuple(c.name for c in constraint.columns) for constraint in table.constraints
                 if isinstance(constraint, UniqueConstraint)]
        return keys

    def problem(self, number: int, message: str) -> None:
        self.problems.append({"location": f"line {number}", "message": message})

    def row(self, number: int, table_name: Any, row: Any) -> dict[str, Any] | None:
        """The row's values ready to insert, or None (its problems recorded)."""
        table = self.tables.get(table_name) if isinstance(table_name, str) else None
        if table is None:
            self.problem(number, f"no table {json.dumps(table_name)} (tables: {', '.join(self.tables)})")
            return None
        if not isinstance(row, dict):
            self.problem(number, f"{table.name}: the row must be a JSON object")
            return None
        before = len(self.problems)
        names = [c.name for c in table.columns]
        unknown = sorted(set(row) - set(names))
        missing = [n for n in names if n not in row]
        if unknown:
            self.problem(number, f"{table.name}: no column(s) {', '.join(unknown)}")
        if missing:
            self.problem(number, f"{table.name}: column(s) {', '.join(missing)} missing")
        values: dict[str, Any] = {}
        for column in table.columns:
            if column.name in row:
                values[column.name], message = _check_value(column, row[column.name])
                if message:
                    self.problem(number, f"{table.name}: {message}")
        if len(self.problems) > before:
            return None
        for key in self._unique_keys(table):
            seen = self.keys[(table.name, key)]
            value = tuple(values[n] for n in key)
            if None in value:
                continue  # SQL unique constraints let nulls repeat
            if value in seen:
                shown = ", ".join(f"{n}={json.dumps(row[n])}" for n in key)
                self.problem(number, f"{table.name}: a second row with {shown}")
            seen.add(value)
        for constraint in table.foreign_key_constraints:
            for element in constraint.elements:
                value = values[element.parent.name]
                target = element.column
                key = (target.table.name, (target.name,))
                if value is not None and key in self.keys and (value,) not in self.keys[key]:
                    self.problem(number, f"{table.name}: {element.parent.name} {value} refers to no "
                                         f"{target.table.name} row with {target.name} {value} earlier "
                                         "in the file")
        if len(self.problems) > before:
            return None
        self.counts[table.name] += 1
        return values


def _header_problems(header: Any, revision: str | None) -> tuple[list[str], str | None]:
    """Problems with line 1, and a revision mismatch (reported alone: nothing else can fit then)."""
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        return [f'not a BCF export: line 1 must be the header {{"format": "{FORMAT}", …}}'], None
    problems = []
    if header.get("format_version") != FORMAT_VERSION:
        problems.append(f"format_version {json.dumps(header.get('format_version'))}; this service reads "
                        f"{FORMAT_VERSION}")
    if header.get("revision") != revision:
        return problems, (f"the dump is of schema revision {json.dumps(header.get('revision'))} but the "
                          f"database is at {json.dumps(revision)}: import into a database at the same "
                          "revision (`flask --app wsgi bcf init-db` upgrades to the latest; export "
                          "again from an upgraded source)")
    expected = [t.name for t in TABLES]
    if header.get("tables") != expected:
        problems.append(f"tables {json.dumps(header.get('tables'))}; this schema has {json.dumps(expected)}")
    return problems, None


def _reset_sequences(connection: Connection) -> None:
    """PostgreSQL hands out ids from sequences that an INSERT with explicit ids does not advance: set each
    to the table's largest id, so the next row the service writes gets the next id (SQLite's
    ``INTEGER PRIMARY KEY`` takes max(id) + 1 by itself)."""
    if connection.dialect.name != "postgresql":
        return
    for table in TABLES:
        for column in table.primary_key.columns:
            if isinstance(column.type, Integer) and column.autoincrement in (True, "auto"):
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                    f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 1), "
                    f"(SELECT MAX({column.name}) FROM {table.name}) IS NOT NULL)"),
                    {"table": table.name, "column": column.name})


def import_lines(engine: Engine, lines: Iterable[str], *, replace: bool = False,
                 progress: Progress | None = None) -> dict[str, int]:
    """Import a dump into ``engine``'s database in one transaction; answers the rows per table.

    Refuses (:class:`ImportRefused`, nothing written) a database that already holds rows unless
    ``replace`` (then every row is deleted first, in the same transaction), a dump of another schema
    revision, and a dump with any problem, each named with its line number.
    """
    revision = db.current_revision(engine)
    checker = _Checker()
    pending: dict[str, list[dict[str, Any]]] = {t.name: [] for t in TABLES}
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            existing = {name: n for name, n in (
                (t.name, connection.scalar(select(func.count()).select_from(t))) for t in TABLES) if n}
            if existing and not replace:
                held = ", ".join(f"{n} {name}" for name, n in existing.items())
                raise ImportRefused(f"the database is not empty ({held} rows); import into an empty, "
                                    "migrated database, or give --replace to delete every row first")
            if existing:
                for table in reversed(TABLES):
                    connection.execute(table.delete())

            def flush(table_name: str) -> None:
                if pending[table_name] and not checker.problems:
                    connection.execute(checker.tables[table_name].insert(), pending[table_name])
                pending[table_name] = []

            trailer: tuple[int, Any] | None = None
            number = 0
            current: str | None = None
            for number, raw in enumerate(lines, start=1):
                if progress:
                    progress(1)
                if len(checker.problems) >= MAX_PROBLEMS:
                    continue  # keep counting lines, report no more
                if not raw.strip():
                    checker.problem(number, "an empty line (each line is one JSON object)")
                    continue
                try:
                    obj = json.loads(raw)
                except ValueError as error:
                    obj = error
                if number == 1:
                    problems, mismatch = _header_problems(obj, revision)
                    if mismatch:
                        raise ImportRefused(mismatch)
                    for message in problems:
                        checker.problem(1, message)
                    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
                        # not a dump at all: its other lines would only repeat that
                        raise ImportRefused("the file is not a BCF export; nothing was imported",
                                            checker.problems)
                    continue
                if isinstance(obj, ValueError):
                    checker.problem(number, f"not JSON: {obj}")
                    continue
                if trailer is not None:
                    checker.problem(number, f"a line after the trailer (line {trailer[0]})")
                    continue
                if isinstance(obj, dict) and set(obj) == {"end"}:
                    trailer = (number, obj["end"])
                    continue
                if not isinstance(obj, dict) or set(obj) != {"table", "row"}:
                    checker.problem(number, 'a row line is {"table": …, "row": {…}}')
                    continue
                values = checker.row(number, obj["table"], obj["row"])
                if values is None:
                    continue
                if current != obj["table"] and current is not None:
                    flush(current)  # a parent's rows are in before its children's
                current = obj["table"]
                pending[current].append(values)
                if len(pending[current]) >= BATCH:
                    flush(current)
            if number == 0:
                raise ImportRefused("the file is empty: a dump starts with its header line")
            if trailer is None and len(checker.problems) < MAX_PROBLEMS:
                checker.problem(number, 'no trailer {"end": {…}}: the file is cut short (the last line '
                                        "of a dump counts its rows)")
            elif trailer is not None and trailer[1] != checker.counts and not checker.problems:
                checker.problem(trailer[0], f"the trailer counts {json.dumps(trailer[1])} rows but the "
                                            f"file holds {json.dumps(checker.counts)}")
            if checker.problems:
                capped = len(checker.problems) >= MAX_PROBLEMS
                more = f" (only the first {MAX_PROBLEMS} are listed)" if capped else ""
                raise ImportRefused(f"the dump has {len(checker.problems)} problem(s){more}; nothing was "
                                    "imported", checker.problems)
            for name in pending:
                flush(name)
            _reset_sequences(connection)
            transaction.commit()
        except IntegrityError as error:  # a rule the checks above do not know (a new constraint)
            transaction.rollback()
            raise ImportRefused(f"the database refused the dump ({error.orig}); nothing was imported") \
                from error
        except BaseException:
            transaction.rollback()
            raise
    return checker.counts
