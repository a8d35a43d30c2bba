"""Results for spreadsheet users: CSV tables, JSON, and an XLSX workbook.

The figures are the determinations' own, unchanged: this module only lays them out. Money keeps its
pennies exactly (Decimal, never re-rounded); a figure that is pending (no actual yet) is an empty
cell, not a zero. Every text cell passes through :func:`sheets.safety.neutralise`.

The CSV answer is one of :data:`CSV_TABLES` (``?table=``): ``tranches`` (api.md's results CSV, one row
per board and tranche, the default), ``lines`` (one row per metric and condition line of each
tranche, with its explanation) or ``totals`` (one row per board). A CSV holds one table; the workbook
holds them all, a sheet each, with the metrics, conditions and warnings besides.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

import xlsxwriter

from calculator.json_text import dumps
from sheets.batch import BoardResult
from sheets.safety import neutralise

CSV_MIME = "text/csv"
JSON_MIME = "application/json"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

RESULT_COLUMNS = ("hwb_code", "hwb_name", "tranche", "available", "released", "held_back", "held_back_use",
                  "recovery_plan_required", "plan_assured")


def money(x) -> Decimal | None:
    """A money figure from a response dict as an exact Decimal (the response may carry floats)."""
    if x is None:
        return None
    if isinstance(x, Decimal):
        return x
    return Decimal(repr(x)) if isinstance(x, float) else Decimal(str(x))


#: when the upload asked for a simulation (issue 13 §1): each tranche's odds under the planned values and
#: under the baselines, and the seed that reproduces them
ODDS = ("p_at_least_70", "p_at_least_100", "p_recovery_plan", "expected_release", "release_p5",
        "release_p95")
SIMULATION_COLUMNS = (*ODDS, *(f"baseline_{name}" for name in ODDS), "simulation_seed")


def simulated(results: Sequence[BoardResult]) -> bool:
    """Whether the results carry odds (the upload asked for a simulation): the columns are added."""
    return any("simulation" in result.determination for result in results)


def _odds_cells(determination: dict, tranche_id: str | None) -> list:
    simulation = determination.get("simulation")
    if simulation is None:
        return [None] * len(SIMULATION_COLUMNS)
    cells = []
    for scenario in (simulation, simulation.get("baseline", {})):
        odds = next((t for t in scenario.get("tranches", []) if t.get("tranche") == tranche_id), {})
        cells += [money(odds.get(name)) if name.startswith(("expected", "release")) else odds.get(name)
                  for name in ODDS]
    return [*cells, simulation.get("seed")]


def tranche_rows(results: Sequence[BoardResult], odds: bool = False) -> Iterable[list]:
    """One row per board and tranche, typed: Decimal money, bool or None flags, str text; with
    ``odds``, the :data:`SIMULATION_COLUMNS` after them."""
    for result in results:
        d = result.determination
        for tranche in d.get("tranches", []):
            row = [result.request.hwb_code, result.request.hwb_name, tranche.get("tranche"),
                   money(tranche.get("available")), money(tranche.get("released")),
                   money(tranche.get("held_back")), tranche.get("held_back_use"),
                   tranche.get("recovery_plan_required"), d.get("plan_assured")]
            yield row + _odds_cells(d, tranche.get("tranche")) if odds else row


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as Excel writes booleans
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(neutralise(value))


_LINE_KIND = {"metrics": "metric", "conditions": "condition"}  # a tranche's kind → what each line is for


def line_rows(results: Iterable[BoardResult]) -> Iterable[list]:
    """One row per line of every tranche: a metric's or a condition's share of it, and why."""
    for result in results:
        for tranche in result.determination.get("tranches", []):
            kind = tranche.get("kind") or str(tranche.get("tranche", "")).rpartition("/")[2]
            kind = _LINE_KIND.get(kind, kind)
            for line in tranche.get("lines", []):
                yield [result.request.hwb_code, result.request.hwb_name, tranche.get("tranche"), kind,
                       line.get("item"), line.get("status"), money(line.get("available")),
                       money(line.get("released")), money(line.get("held_back")),
                       six_places(line.get("payable_fraction")), line.get("explanation")]


def total_rows(results: Iterable[BoardResult]) -> Iterable[list]:
    """One row per board: its pool and what of it is released and held back over the year."""
    for result in results:
        d = result.determination
        totals = d.get("totals") or {}
        yield [result.request.hwb_code, result.request.hwb_name, money(d.get("p4p_pool")),
               money(totals.get("available")), money(totals.get("released")), money(totals.get("held_back")),
               d.get("plan_assured"), d.get("recovery_plan_required")]


LINE_COLUMNS = ("hwb_code", "hwb_name", "tranche", "kind", "item", "status", "available", "released",
                "held_back", "payable_fraction", "explanation")
TOTAL_COLUMNS = ("hwb_code", "hwb_name", "p4p_pool", "available", "released", "held_back", "plan_assured",
                 "recovery_plan_required")
#: ``?table=`` → the CSV's header and rows; the first is the default (api.md's results CSV)
CSV_TABLES: dict[str, tuple[tuple[str, ...], Callable[[Iterable[BoardResult]], Iterable[list]]]] = {
    "tranches": (RESULT_COLUMNS, tranche_rows),
    "lines": (LINE_COLUMNS, line_rows),
    "totals": (TOTAL_COLUMNS, total_rows),
}


def results_csv(results: Sequence[BoardResult], table: str = "tranches") -> str:
    """One table of :data:`CSV_TABLES` as CSV. ``tranches`` is api.md's results CSV: ``hwb_code,
    hwb_name, tranche, available, released, held_back, held_back_use, recovery_plan_required,
    plan_assured``; pending amounts are empty cells.

    :raise KeyError: ``table`` is not one of :data:`CSV_TABLES`.
    """
    columns, rows = CSV_TABLES[table]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    if rows is tranche_rows and simulated(results):  # the upload asked for the odds (issue 13 §1)
        columns, rows = (*columns, *SIMULATION_COLUMNS), partial(tranche_rows, odds=True)
    writer.writerow(columns)
    for row in rows(results):
        writer.writerow([_csv_cell(v) for v in row])
    return out.getvalue()


def results_json(results: Sequence[BoardResult]) -> str:
    """The determinations as a JSON list, each exactly as ``POST /api/v1/calculations`` answers."""
    return dumps([r.determination for r in results])


# --- XLSX -------------------------------------------------------------------------------------------

MONEY_FORMAT = '"£"#,##0.00'


def significant(x, figures: int = 4):
    """A rate, percentage or p-value as a human report gives it: 4 significant figures (rules §8).

    Stored as a plain number, so it needs no per-cell number format (the slow part of writing XLSX);
    the JSON results keep every digit.
    """
    return None if x is None else float(f"{x:.{figures}g}")


def six_places(x):
    """Achievement and payable fraction are reported to 6 decimal places (rules §5)."""
    return None if x is None else round(x, 6)


PERCENT_FORMAT = "0.0%"


@dataclass(frozen=True)
class Column:
    """A workbook column: the header a person reads (the CSV's name is in the docs), its stored width
    and its number format."""

    header: str
    width: int
    number_format: str | None = None


def _name_of(request_payload: dict, metric: dict) -> str | None:
    """What the board calls a metric: the determination's ``name`` or, failing that, the request's own
    definition name or menu id (a local alternative's name is the board's text, and may be hostile)."""
    if metric.get("name"):
        return metric["name"]
    for sent in request_payload.get("metrics", []):
        if sent.get("metric") == metric.get("metric"):
            return (sent.get("definition") or {}).get("name") or sent.get("local_metric")
    return None


def _lines(determination: dict) -> dict[tuple[str, str], dict]:
    """(tranche id, item) → the tranche line with its available, released and held back."""
    return {(t.get("tranche"), line.get("item")): line
            for t in determination.get("tranches", []) for line in t.get("lines", [])}


def _interval(block: dict | None) -> list:
    block = block or {}
    return [significant(block.get("value")), significant(block.get("ci_lower")),
            significant(block.get("ci_upper"))]


def metric_rows(results: Iterable[BoardResult]) -> Iterable[list]:
    for result in results:
        d = result.determination
        lines = _lines(d)
        for m in d.get("metrics", []):
            tranche = m.get("tranche") or f"{m.get('period')}/metrics"
            line = lines.get((tranche, m.get("metric")), {})
            yield [result.request.hwb_code, result.request.hwb_name, m.get("metric"), m.get("local_metric"),
                   _name_of(result.request.payload, m), m.get("period"), m.get("status"), m.get("polarity"),
                   m.get("unit"), *_interval(m.get("baseline")), m.get("plan"), *_interval(m.get("actual")),
                   six_places(m.get("achievement")), six_places(m.get("payable_fraction")),
                   m.get("significance"),
                   significant(m.get("minimum_significant_ambition")), m.get("ambition_significant"),
                   significant(m.get("change_p_value")), m.get("change_significant"),
                   significant(m.get("trend_projection")),
                   m.get("ambition_beyond_trend"),
                   money(line.get("available")), money(line.get("released")), money(line.get("held_back"))]


def condition_rows(results: Iterable[BoardResult]) -> Iterable[list]:
    for result in results:
        d = result.determination
        lines = _lines(d)
        for c in d.get("conditions", []):
            line = lines.get((c.get("tranche"), c.get("condition")), {})
            yield [result.request.hwb_code, result.request.hwb_name, c.get("condition"), c.get("status"),
                   c.get("access"), c.get("tranche"), "; ".join(str(r) for r in c.get("reasons") or []),
                   money(line.get("available")), money(line.get("released")), money(line.get("held_back"))]


def warning_rows(results: Iterable[BoardResult]) -> Iterable[list]:
    for result in results:
        for w in result.determination.get("warnings", []):
            yield [result.request.hwb_code, result.request.hwb_name, w.get("code"), w.get("metric"),
                   w.get("period"), w.get("message")]


BOARD = (Column("HWB code", 11), Column("Health and Wellbeing Board", 28))
#: inserted after the board's name on every sheet, so a region's boards can be filtered together
REGIONS = (Column("Region", 18), Column("NHS region", 18))
AMOUNTS = (Column("Available", 15, MONEY_FORMAT), Column("Released", 15, MONEY_FORMAT),
           Column("Held back", 15, MONEY_FORMAT))
FLAG = 12
SHEETS: tuple[tuple[str, tuple[Column, ...], Callable[[Iterable[BoardResult]], Iterable[list]]], ...] = (
    ("Totals", (*BOARD, Column("Performance pool", 16, MONEY_FORMAT), *AMOUNTS,
                Column("Plan assured", FLAG), Column("Recovery plan required", FLAG)), total_rows),
    ("Tranches", (*BOARD, Column("Tranche", 22), *AMOUNTS, Column("Use of the money held back", 22),
                  Column("Recovery plan required", FLAG), Column("Plan assured", FLAG)), tranche_rows),
    ("Lines", (*BOARD, Column("Tranche", 22), Column("Line for a", 10), Column("Metric or condition", 30),
               Column("Status", 13), *AMOUNTS, Column("Payable", 10, PERCENT_FORMAT),
               Column("Explanation", 100)), line_rows),
    ("Metrics", (*BOARD, Column("Metric", 30), Column("Local metric", 12), Column("Name", 40),
                 Column("Period", 13), Column("Status", 11), Column("Better when", 9), Column("Unit", 18),
                 Column("Baseline", 12),
                 Column("Baseline, lower 95% limit", 12),
                 Column("Baseline, upper 95% limit", 12),
                 Column("Plan", 12), Column("Actual", 12),
                 Column("Actual, lower 95% limit", 12),
                 Column("Actual, upper 95% limit", 12),
                 Column("Achievement", 12, PERCENT_FORMAT), Column("Payable", 12, PERCENT_FORMAT),
                 Column("Significance", 14),
                 Column("Minimum significant ambition", 14),
                 Column("Ambition significant", FLAG), Column("Change p-value", 12),
                 Column("Change significant", FLAG), Column("Trend projection", 12),
                 Column("Ambition beyond trend", FLAG), *AMOUNTS), metric_rows),
    ("Conditions", (*BOARD, Column("Condition", 22), Column("Status", 14), Column("Access", 9),
                    Column("Tranche", 22), Column("Reasons", 60), *AMOUNTS), condition_rows),
    ("Warnings", (*BOARD, Column("Code", 30), Column("Metric", 30), Column("Period", 13),
                  Column("Message", 80)), warning_rows),
)


#: control characters a workbook cannot hold (XML 1.0 forbids them): dropped from text cells
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: xlsxwriter takes a width as typed in Excel's column-width box and stores it plus Calibri 11's padding
#: (5 pixels of 7-pixel digits); :class:`Column` widths are the stored ones, so the padding comes off
PADDING = 5 / 7


def _xlsx_value(value):
    if isinstance(value, str):
        # isprintable() is False for every character ILLEGAL_CHARACTERS matches, so a printable text
        # has none to drop, and skipping the substitution (most cells: codes, names) changes nothing
        return neutralise(value if value.isprintable() else ILLEGAL_CHARACTERS.sub("", value))
    return value


#: the same in the workbook, headed as people read them
SIMULATION_SHEET_COLUMNS = tuple(
    Column(f"{scenario}{header}", 14, MONEY_FORMAT if money_column else None)
    for scenario in ("", "Under the baseline: ")
    for header, money_column in (("P(every line at least 70%)", False),
                                 ("P(every line at least 100%)", False),
                                 ("P(recovery plan)", False), ("Expected release", True),
                                 ("Release, 5th percentile", True), ("Release, 95th percentile", True))
) + (Column("Simulation seed", 18),)


def results_xlsx(results: Sequence[BoardResult]) -> bytes:
    """A workbook with a sheet per table: headers a person reads, in bold, with an autofilter; panes
    frozen below them and right of the board's name; the board's region and NHS region beside its
    name; widths set, numbers stored as numbers, money formatted as pounds, achievement and the
    payable fraction as percentages (the cell keeps the fraction: 0.5 shows as 50.0%).

    Written with xlsxwriter, about twice as fast as openpyxl's write-only mode for 152 boards (~55,000
    cells, benchmarks/batch.py). Each cell is written by its type, so text is never taken for a
    formula, a number or a link, whatever it starts with.
    """
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                         "strings_to_numbers": False, "strings_to_urls": False})
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    number_formats = {c.number_format: workbook.add_format({"num_format": c.number_format})
                      for _, columns, _ in SHEETS for c in columns if c.number_format}
    odds = simulated(results)
    for title, table_columns, rows in SHEETS:
        columns = (*table_columns[:2], *REGIONS, *table_columns[2:])
        if odds and rows is tranche_rows:  # the upload asked for the odds (issue 13 §1)
            columns, rows = (*columns, *SIMULATION_SHEET_COLUMNS), partial(tranche_rows, odds=True)
        sheet = workbook.add_worksheet(title)
        sheet.freeze_panes(1, 2)  # C2
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width - PADDING)
            sheet.write_string(0, index, column.header, header)
        formats = [number_formats.get(column.number_format) for column in columns]
        write_string, write_number, write_boolean = (sheet.write_string, sheet.write_number,
                                                     sheet.write_boolean)
        row_index = 0
        for result in results:
            regions = [result.request.region or None, result.request.nhs_region or None]
            for row in rows((result,)):
                row_index += 1
                for index, value in enumerate([*row[:2], *regions, *row[2:]]):
                    if value is None:
                        continue  # pending or not applicable: an empty cell, not a zero
                    if isinstance(value, str):
                        write_string(row_index, index, _xlsx_value(value))
                    elif isinstance(value, bool):
                        write_boolean(row_index, index, value)
                    else:
                        write_number(row_index, index, value, formats[index])
        sheet.autofilter(0, 0, max(row_index, 1), len(columns) - 1)
    workbook.close()
    return out.getvalue()


WRITERS = {".csv": CSV_MIME, ".json": JSON_MIME, ".xlsx": XLSX_MIME}


def render(results: Sequence[BoardResult], mime: str, table: str = "tranches") -> bytes:
    """The results in one of the three formats, as bytes ready to send or write; ``table`` chooses
    the CSV's table (:data:`CSV_TABLES`; JSON and the workbook hold everything)."""
    if mime == CSV_MIME:
        return results_csv(results, table).encode("utf-8")
    if mime == JSON_MIME:
        return results_json(results).encode("utf-8")
    if mime == XLSX_MIME:
        return results_xlsx(results)
    raise ValueError(f"unsupported result format {mime}")
