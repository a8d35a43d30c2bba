"""The national report laid out for spreadsheets: a CSV per table, a workbook with a sheet per table."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from calculator import load_calculator
from reports import BoardInput, build_report
from sheets.report_writing import TABLES, render_report, report_csv
from sheets.writing import XLSX_MIME


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from sheets.batch import calculate_upload
    from tests.sheets.conftest import TEMPLATES

    calculator, _ = load_calculator(allocations_file=tmp_path_factory.mktemp("w") / "allocations.csv")
    files = {name: (TEMPLATES / f"{name}.csv").read_bytes() for name in ("metrics", "conditions", "pools")}
    results = calculate_upload(files, calculator).boards
    inputs = {r.request.hwb_code: BoardInput(r.determination, r.request.payload) for r in results}
    return build_report(inputs, calculator.boards, calculator.rule_sets, calculator.catalogue,
                        grouping="region")


def test_money_has_its_pennies_and_unknown_is_an_empty_cell(report):
    lines = report_csv(report, "boards").splitlines()
    header = lines[0].split(",")
    rows = {line.split(",")[0]: line.split(",") for line in lines[1:]}
    hartlepool, darlington = rows["E06000001"], rows["E06000005"]
    assert hartlepool[header.index("available")] == "2200000.00"
    assert darlington[header.index("status")] == "no_determination"
    assert darlington[header.index("available")] == "" and darlington[header.index("has_plan")] == "FALSE"


def test_the_groups_table_ends_with_the_national_row_its_columns_add_up_to(report):
    lines = report_csv(report).splitlines()
    header = lines[0].split(",")
    rows = [line.split(",") for line in lines[1:]]
    assert rows[-1][0] == "England" and len(rows) == 10
    for column in ("available", "released", "held_back", "held_back_recovery_plan"):
        i = header.index(column)
        assert sum(Decimal(r[i]) for r in rows[:-1]) == Decimal(rows[-1][i])


def test_the_workbook_has_every_table_with_header_filter_and_pounds(report):
    book = load_workbook(io.BytesIO(render_report(report, XLSX_MIME)))
    assert book.sheetnames == list(TABLES)
    for name in TABLES:
        sheet = book[name]
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
        assert [c.value for c in sheet[1]] == report_csv(report, name).splitlines()[0].split(",")
    tranches = book["board_tranches"]
    header = [c.value for c in tranches[1]]
    assert tranches.cell(row=2, column=header.index("released") + 1).number_format == '"£"#,##0.00'


def test_unknown_tables_and_formats_are_refused(report):
    with pytest.raises(KeyError):
        report_csv(report, "everything")
    with pytest.raises(ValueError, match="unsupported report format text/html"):
        render_report(report, "text/html")
