"""The national report for spreadsheet users: a CSV per table, or one workbook with a sheet per table.

A spreadsheet user filters and sums one table at a time, so each table is flat (one row per group,
per group and tranche, per board, …) with one header row, and a CSV download holds exactly one of
them (``?table=groups`` by default; :data:`TABLES` lists them). The workbook holds them all, a sheet
each, header frozen and filtered, money formatted in pounds. The groups tables end with the national
row (group ``England``), so a column's group rows add up to its last row.

The figures are the report's (:func:`reports.build_report`), laid out unchanged: money keeps its
pennies (Decimal), an empty cell means "none" (no determination, pending), never a zero.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import xlsxwriter

from calculator.json_text import dumps
from reports.national import BANDS
from sheets.safety import neutralise
from sheets.writing import CSV_MIME, ILLEGAL_CHARACTERS, JSON_MIME, MONEY_FORMAT, PADDING, XLSX_MIME

TEXT, COUNT, MONEY, NUMBER, FLAG = "text", "count", "money", "number", "flag"


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT
    width: int = 14


Rows = Callable[[dict[str, Any]], Iterable[list]]

GROUP_COUNTS = ("boards", "boards_with_plan", "boards_determined", "boards_without_determination",
                "boards_assured", "boards_not_assured", "boards_assurance_not_assessed",
                "boards_recovery_plan_required")
AMOUNTS = ("available", "released", "held_back", "pending")


def _group_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The group rows, then the national row (once: grouping ``national`` has it as its only group)."""
    groups = list(report["groups"])
    return groups if report["grouping"] == "national" else [*groups, report["national"]]


def _use_columns(report: dict[str, Any]) -> list[Column]:
    return [Column(f"held_back_{use}", MONEY, 16) for use in report["held_back_uses"]]


def _groups(report):
    for g in _group_rows(report):
        yield [g["group"], *(g[k] for k in GROUP_COUNTS), *(g[k] for k in AMOUNTS),
               *(g["held_back_by_use"].get(use) for use in report["held_back_uses"])]


def _tranches(report):
    for g in _group_rows(report):
        for t in g["tranches"]:
            yield [g["group"], t["tranche"], t["boards"], *(t[k] for k in AMOUNTS),
                   t["boards_recovery_plan_required"]]


def _achievement(report):
    for g in _group_rows(report):
        for a in g["achievement"]:
            yield [g["group"], a["metric"], a["period"], *(a[b] for b in BANDS)]


BOARD_FIELDS = ("hwb_code", "hwb_name", "region", "nhs_region", "area_team", "group", "status", "has_plan",
                "determination_id", "determined_at", "rule_set", "plan_assured", "recovery_plan_required")


def _boards(report):
    for b in report["boards"]:
        yield [*(b[k] for k in BOARD_FIELDS), *(b[k] for k in AMOUNTS),
               *(b["held_back_by_use"].get(use) for use in report["held_back_uses"])]


def _board_tranches(report):
    for b in report["boards"]:
        for t in b["tranches"]:
            yield [b["hwb_code"], b["hwb_name"], t["tranche"], t["status"], *(t[k] for k in AMOUNTS),
                   t["held_back_use"], t["recovery_plan_required"]]


def _board_achievement(report):
    for b in report["boards"]:
        for a in b["achievement"]:
            yield [b["hwb_code"], b["hwb_name"], a["metric"], a["period"], a["achievement"], a["band"]]


def _funnel_points(report):
    for f in report["funnels"]:
        for p in f["points"]:
            yield [f["metric"], f["local_metric"], f["period"], f["statistic"], p["hwb_code"], p["hwb_name"],
                   p["value"], p["events"], p["denominator"], f["average"], p["significance"]]


def _funnel_limits(report):
    for f in report["funnels"]:
        limits = f["limits"] or {}
        for i, at in enumerate(limits.get("at") or []):
            yield [f["metric"], f["local_metric"], f["period"], f["statistic"], f["axis"], at,
                   limits["lower_998"][i], limits["lower_95"][i], f["average"], limits["upper_95"][i],
                   limits["upper_998"][i]]


def _columns(report: dict[str, Any]) -> dict[str, tuple[list[Column], Rows]]:
    amounts = [Column(k, MONEY, 16) for k in AMOUNTS]
    board = [Column("hwb_code", width=11), Column("hwb_name", width=28)]
    funnel = [Column("metric", width=30), Column("local_metric", width=12), Column("period", width=13),
              Column("statistic", width=11)]
    return {
        "groups": ([Column("group", width=28), *(Column(k, COUNT, 12) for k in GROUP_COUNTS), *amounts,
                    *_use_columns(report)], _groups),
        "tranches": ([Column("group", width=28), Column("tranche", width=22), Column("boards", COUNT, 9),
                      *amounts, Column("boards_recovery_plan_required", COUNT, 12)], _tranches),
        "achievement": ([Column("group", width=28), Column("metric", width=30), Column("period", width=13),
                         *(Column(b, COUNT, 12) for b in BANDS)], _achievement),
        "boards": ([*board, Column("region", width=20), Column("nhs_region", width=20),
                    Column("area_team", width=10), Column("group", width=20), Column("status", width=16),
                    Column("has_plan", FLAG, 9), Column("determination_id", COUNT, 11),
                    Column("determined_at", width=22), Column("rule_set", width=20),
                    Column("plan_assured", FLAG, 9), Column("recovery_plan_required", FLAG, 12), *amounts,
                    *_use_columns(report)], _boards),
        "board_tranches": ([*board, Column("tranche", width=22), Column("status", width=11), *amounts,
                            Column("held_back_use", width=22), Column("recovery_plan_required", FLAG, 12)],
                           _board_tranches),
        "board_achievement": ([*board, Column("metric", width=30), Column("period", width=13),
                               Column("achievement", NUMBER, 12), Column("band", width=22)],
                              _board_achievement),
        "funnel_points": ([*funnel, *board, Column("value", NUMBER, 12), Column("events", NUMBER, 10),
                           Column("denominator", NUMBER, 12), Column("average", NUMBER, 12),
                           Column("significance", width=18)], _funnel_points),
        "funnel_limits": ([*funnel, Column("axis", width=11), Column("at", NUMBER, 10),
                           *(Column(k, NUMBER, 12) for k in ("lower_998", "lower_95", "average", "upper_95",
                                                             "upper_998"))], _funnel_limits),
    }


#: the tables, in the workbook's sheet order; a CSV download is one of them (``?table=``)
TABLES = ("groups", "tranches", "achievement", "boards", "board_tranches", "board_achievement",
          "funnel_points", "funnel_limits")
DEFAULT_TABLE = "groups"


def table(report: dict[str, Any], name: str) -> tuple[list[Column], list[list]]:
    """One table of the report: its columns and its rows (typed values, not yet cells)."""
    columns, rows = _columns(report)[name]
    return columns, list(rows(report))


# --- CSV ---------------------------------------------------------------------------------------------


def _csv_cell(value: Any, column: Column) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as Excel writes booleans
    if column.kind == MONEY:
        return f"{value:.2f}"
    if isinstance(value, float):
        return repr(value)  # every digit: a CSV is read back by programs too
    return str(neutralise(value) if isinstance(value, str) else value)


def report_csv(report: dict[str, Any], name: str = DEFAULT_TABLE) -> str:
    """One table as CSV (header row, CRLF as Excel writes it).

    :raise KeyError: ``name`` is not one of :data:`TABLES`.
    """
    columns, rows = table(report, name)
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    for row in rows:
        writer.writerow([_csv_cell(v, c) for v, c in zip(row, columns, strict=True)])
    return out.getvalue()


# --- XLSX --------------------------------------------------------------------------------------------


def _text(value: str) -> str:
    return neutralise(value if value.isprintable() else ILLEGAL_CHARACTERS.sub("", value))


def report_xlsx(report: dict[str, Any]) -> bytes:
    """Every table, a sheet each: bold header frozen in place with an autofilter over the table, money
    as numbers in pounds, counts and statistics as plain numbers, flags as TRUE/FALSE.

    Written with xlsxwriter (the batch results' writer, benchmarks/batch.py); text is written as text,
    never taken for a formula, number or link.
    """
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                         "strings_to_numbers": False, "strings_to_urls": False})
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    pounds = workbook.add_format({"num_format": MONEY_FORMAT})
    for name in TABLES:
        columns, rows = table(report, name)
        sheet = workbook.add_worksheet(name)
        sheet.freeze_panes(1, 0)
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width - PADDING)
            sheet.write_string(0, index, column.header, header)
        sheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
        formats = [pounds if c.kind == MONEY else None for c in columns]
        for row_index, row in enumerate(rows, start=1):
            for index, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(row_index, index, _text(value))
                elif isinstance(value, bool):
                    sheet.write_boolean(row_index, index, value)
                else:
                    sheet.write_number(row_index, index, value, formats[index])
    workbook.close()
    return out.getvalue()


# --- the formats --------------------------------------------------------------------------------------

#: file suffix → media type, for ``bcf report national --out FILE``
REPORT_WRITERS = {".csv": CSV_MIME, ".json": JSON_MIME, ".xlsx": XLSX_MIME}


def render_report(report: dict[str, Any], mime: str, table_name: str = DEFAULT_TABLE) -> bytes:
    """The report as JSON (money as two-decimal numbers), one CSV table, or the workbook.

    :raise ValueError: a media type this module does not write (the HTML pages are drawn elsewhere).
    """
    if mime == JSON_MIME:
        return dumps(report).encode("utf-8")
    if mime == CSV_MIME:
        return report_csv(report, table_name).encode("utf-8")
    if mime == XLSX_MIME:
        return report_xlsx(report)
    raise ValueError(f"unsupported report format {mime}")
