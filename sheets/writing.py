"""Results for spreadsheet users: CSV (one row per board and tranche), JSON, and an XLSX workbook.

The figures are the determinations' own, unchanged: this module only lays them out. Money keeps its
pennies exactly (Decimal, never re-rounded); a figure that is pending (no actual yet) is an empty
cell, not a zero. Every text cell passes through :func:`sheets.safety.neutralise`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

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


def results_csv(results: Sequence[BoardResult]) -> str:
    """The results CSV of api.md: ``hwb_code, hwb_name, tranche, available, released, held_back,
    held_back_use, recovery_plan_required, plan_assured``; pending amounts are empty cells."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    odds = simulated(results)
    writer.writerow(RESULT_COLUMNS + (SIMULATION_COLUMNS if odds else ()))
    for row in tranche_rows(results, odds):
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


@dataclass(frozen=True)
class Column:
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


BOARD = (Column("hwb_code", 11), Column("hwb_name", 28))
AMOUNTS = (Column("available", 15, MONEY_FORMAT), Column("released", 15, MONEY_FORMAT),
           Column("held_back", 15, MONEY_FORMAT))
SHEETS: tuple[tuple[str, tuple[Column, ...], Callable[[Iterable[BoardResult]], Iterable[list]]], ...] = (
    ("Tranches", (*BOARD, Column("tranche", 22), *AMOUNTS, Column("held_back_use", 22),
                  Column("recovery_plan_required", 12), Column("plan_assured", 12)), tranche_rows),
    ("Metric lines", (*BOARD, Column("metric", 30), Column("local_metric", 12), Column("name", 40),
                      Column("period", 13), Column("status", 11), Column("polarity", 9), Column("unit", 18),
                      Column("baseline", 12),
                      Column("baseline_ci_lower", 12),
                      Column("baseline_ci_upper", 12),
                      Column("plan", 12), Column("actual", 12),
                      Column("actual_ci_lower", 12),
                      Column("actual_ci_upper", 12),
                      Column("achievement", 12), Column("payable_fraction", 12),
                      Column("significance", 14),
                      Column("minimum_significant_ambition", 14),
                      Column("ambition_significant", 12), Column("change_p_value", 12),
                      Column("change_significant", 12), Column("trend_projection", 12),
                      Column("ambition_beyond_trend", 12), *AMOUNTS), metric_rows),
    ("Conditions", (*BOARD, Column("condition", 22), Column("status", 14), Column("access", 9),
                    Column("tranche", 22), Column("reasons", 60), *AMOUNTS), condition_rows),
    ("Warnings", (*BOARD, Column("code", 30), Column("metric", 30), Column("period", 13),
                  Column("message", 80)), warning_rows),
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


def results_xlsx(results: Sequence[BoardResult]) -> bytes:
    """A workbook with a sheet per table: header row in bold, panes frozen below it and right of the
    board's name, widths set, numbers stored as numbers, money formatted as pounds.

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
    for title, columns, rows in SHEETS:
        if odds and rows is tranche_rows:
            columns = (*columns, *(Column(name, 12, MONEY_FORMAT if "release" in name else None)
                                   for name in SIMULATION_COLUMNS))
            rows = lambda results: tranche_rows(results, True)  # noqa: E731
        sheet = workbook.add_worksheet(title)
        sheet.freeze_panes(1, 2)  # C2
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width - PADDING)
            sheet.write_string(0, index, column.header, header)
        formats = [number_formats.get(column.number_format) for column in columns]
        write_string, write_number, write_boolean = (sheet.write_string, sheet.write_number,
                                                     sheet.write_boolean)
        for row_index, row in enumerate(rows(results), start=1):
            for index, value in enumerate(row):
                if value is None:
                    continue  # pending or not applicable: an empty cell, not a zero
                if isinstance(value, str):
                    write_string(row_index, index, _xlsx_value(value))
                elif isinstance(value, bool):
                    write_boolean(row_index, index, value)
                else:
                    write_number(row_index, index, value, formats[index])
    workbook.close()
    return out.getvalue()


WRITERS = {".csv": CSV_MIME, ".json": JSON_MIME, ".xlsx": XLSX_MIME}


def render(results: Sequence[BoardResult], mime: str) -> bytes:
    """The results in one of the three formats, as bytes ready to send or write."""
    if mime == CSV_MIME:
        return results_csv(results).encode("utf-8")
    if mime == JSON_MIME:
        return results_json(results).encode("utf-8")
    if mime == XLSX_MIME:
        return results_xlsx(results)
    raise ValueError(f"unsupported result format {mime}")
