"""Reading CSV as Excel writes it, and refusing what is ambiguous or not CSV at all."""

from datetime import date
from decimal import Decimal

import pytest

from sheets.reading import (
    CellError,
    Location,
    NotReadable,
    decode,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_money,
    parse_number,
    read_csv,
)

KNOWN = ("hwb_code", "plan", "note")


def read(data: bytes, required=("hwb_code",)):
    return read_csv("metrics.csv", data, known=KNOWN, required=required)


@pytest.mark.parametrize("data", [
    "hwb_code,note\nE06000001,Café\n".encode(),                  # UTF-8
    b"\xef\xbb\xbf" + "hwb_code,note\nE06000001,Café\n".encode(),  # UTF-8 with BOM (Excel "CSV UTF-8")
    "hwb_code,note\r\nE06000001,Café\r\n".encode("cp1252"),       # Excel "CSV" on Windows: 1252, CRLF
])
def test_encodings_and_line_endings(data):
    table = read(data)
    assert table.columns == ("hwb_code", "note")
    assert [r.cells for r in table.rows] == [{"hwb_code": "E06000001", "note": "Café"}]


def test_bom_is_not_part_of_the_first_header():
    table = read(b"\xef\xbb\xbfhwb_code\r\nE06000001\r\n")
    assert table.columns == ("hwb_code",)


def test_cp1252_pound_sign_and_smart_quotes():
    assert decode("pools.csv", "£1,000 “quoted”".encode("cp1252")) == "£1,000 “quoted”"


def test_rows_numbered_as_excel_shows_them_with_blank_rows_skipped():
    data = b"hwb_code,plan\r\nE06000001,1\r\n\r\n , \r\nE06000002,2\r\n,\r\n,\r\n\r\n"
    table = read(data)
    assert [(r.number, r.cells["hwb_code"]) for r in table.rows] == [(2, "E06000001"), (5, "E06000002")]


def test_stray_spaces_and_header_case_are_ignored():
    table = read(b" HWB_Code , Plan \nE06000001 ,  450 \n")
    assert table.rows[0].cells == {"hwb_code": "E06000001", "plan": "450"}


def test_quoted_cell_with_newline_counts_as_one_excel_row():
    table = read(b'hwb_code,note\nE06000001,"two\nlines"\nE06000002,x\n')
    assert [r.number for r in table.rows] == [2, 3]


def test_header_problems_are_all_reported():
    with pytest.raises(NotReadable) as caught:
        read(b"hwb_code,plann,plan,plan\nE06000001,1,2,3\n", required=("hwb_code", "note"))
    problems = caught.value.problems
    assert (Location("metrics.csv", 1, "plann"), "unknown column; the columns of metrics.csv are "
            "hwb_code, plan, note") in problems
    assert (Location("metrics.csv", 1, "plan"), "this column appears twice") in problems
    assert (Location("metrics.csv", 1), "required column note is missing") in problems
    assert len(problems) == 3


def test_value_under_no_header_is_a_problem_but_empty_trailing_columns_are_not():
    empty = read(b"hwb_code,,\nE06000001,,\n")
    assert empty.rows[0].cells == {"hwb_code": "E06000001"} and empty.problems == ()
    stray = read(b"hwb_code\nE06000001,stray\n")  # the row is still read, so its cells are checked too
    assert stray.rows[0].cells == {"hwb_code": "E06000001"}
    assert stray.problems == ((Location("metrics.csv", 2),
                               "value 'stray' is in column 2, which has no header"),)


@pytest.mark.parametrize(("data", "expected"), [
    (b"PK\x03\x04rest-of-zip", "an Excel workbook (.xlsx)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old-style Excel workbook (.xls)"),
    ("hwb_code\n".encode("utf-16"), "UTF-16"),
    (b"hwb_code\x00\x01\x02", "not a text file"),
    (b"hwb_code;plan\nE06000001;1,5\n", "separated by semicolons"),
    (b"hwb_code\tplan\nE06000001\t1\n", "separated by tabs"),
    (b"", "the file is empty"),
    (b"hwb_code,plan\r\n\r\n", "no data rows"),
    (b"hwb_code\n\x81\x8d\x8f", "neither UTF-8 nor Windows-1252"),
])
def test_files_that_are_not_csv_are_refused_with_what_to_do(data, expected):
    with pytest.raises(NotReadable) as caught:
        read(data)
    assert expected in caught.value.problems[0][1]


@pytest.mark.parametrize(("text", "expected"), [
    ("1234", Decimal("1234")), ("1,234", Decimal("1234")), (" 1,234,567.5 ", Decimal("1234567.5")),
    ("-0.5", Decimal("-0.5")), ("+3", Decimal("3")), (".5", Decimal("0.5")), ("1.234", Decimal("1.234")),
    ("1.5E+03", Decimal("1500")), ("-1,000", Decimal("-1000")),
])
def test_numbers_as_typed_in_a_uk_spreadsheet(text, expected):
    assert parse_decimal(text, "plan") == expected


@pytest.mark.parametrize(("text", "message"), [
    ("1,23", "ambiguous"), ("1.234,5", "ambiguous"), ("12,34,567", "ambiguous"), ("1,2345", "ambiguous"),
    ("TBC", "plan must be a number; got 'TBC'"), ("45%", "got '45%'"), ("(12)", "got '(12)'"),
    ("nan", "got 'nan'"), ("inf", "got 'inf'"), ("", "the cell is empty"), ("£12", "got '£12'"),
])
def test_ambiguous_or_non_numbers_are_refused(text, message):
    with pytest.raises(CellError, match="plan must be a number") as caught:
        parse_decimal(text, "plan")
    assert message in str(caught.value)


def test_parse_number_gives_json_numbers():
    assert parse_number("3,100", "x") == 3100 and isinstance(parse_number("3,100", "x"), int)
    assert parse_number("0.04", "x") == pytest.approx(0.04)
    assert isinstance(parse_number("1e2", "x"), int)


def test_money_keeps_pennies_and_accepts_a_pound_sign():
    assert parse_money("£1,000,000.05", "p4p_pool") == Decimal("1000000.05")
    assert parse_money("2200000.00", "p4p_pool") == Decimal("2200000.00")
    with pytest.raises(CellError, match="must not be negative"):
        parse_money("-5", "p4p_pool")


@pytest.mark.parametrize(("text", "expected"), [
    ("TRUE", True), ("FALSE", False), ("true", True), ("false", False), ("Yes", True), ("no", False),
    (" TRUE ", True),
])
def test_booleans(text, expected):
    assert parse_bool(text, "confirmed") is expected


@pytest.mark.parametrize("text", ["1", "0", "Y", "maybe", ""])
def test_other_booleans_are_refused(text):
    with pytest.raises(CellError, match="confirmed must be TRUE or FALSE"):
        parse_bool(text, "confirmed")


@pytest.mark.parametrize(("text", "expected"), [
    ("2015-03-31", date(2015, 3, 31)), ("31/03/2015", date(2015, 3, 31)), ("1/4/2015", date(2015, 4, 1)),
])
def test_dates_iso_or_uk(text, expected):
    assert parse_date(text, "open_apis_planned_date") == expected


@pytest.mark.parametrize(("text", "message"), [
    ("03/31/2015", "must be a real date"), ("31/03/15", "YYYY-MM-DD or DD/MM/YYYY"),
    ("2015-02-30", "must be a real date"), ("March 2015", "got 'March 2015'"),
])
def test_bad_dates_are_refused(text, message):
    with pytest.raises(CellError, match="open_apis_planned_date") as caught:
        parse_date(text, "open_apis_planned_date")
    assert message in str(caught.value)


# --- issue 15: limits and the readers' own errors --------------------------------------------------

def test_a_million_rows_are_refused_after_the_limit_without_reading_on(tmp_path):
    """The row cap is checked while reading; the answer names the file and the limit."""
    from sheets.reading import MAX_ROWS

    path = tmp_path / "metrics.csv"
    path.write_bytes(b"hwb_code,plan\n" + b"x,\n" * 1_000_000)
    with pytest.raises(NotReadable) as caught:
        read(path.read_bytes())
    assert caught.value.problems == [(Location("metrics.csv"), f"the file has more than {MAX_ROWS:,} data "
                                      "rows, the most one upload may have; split the boards over several "
                                      "uploads")]


def test_blank_rows_do_not_count_towards_the_limit():
    from sheets.reading import MAX_ROWS

    table = read(b"hwb_code\n" + b"E06000001\n" * MAX_ROWS + b",\n" * 10)
    assert len(table.rows) == MAX_ROWS


@pytest.mark.parametrize("data", [
    b'hwb_code,note\nE06000001,ok\nE06000001,"' + b"x" * 140_000 + b'"\n',        # a cell over the limit
    b'hwb_code,note\nE06000001,ok\nE06000001,"never closed\n' + b"E06000001,x\n" * 20_000,  # a lone quote
])
def test_the_field_limit_is_a_problem_naming_the_row(data):
    with pytest.raises(NotReadable) as caught:
        read(data)
    [(location, message)] = caught.value.problems
    assert location == Location("metrics.csv", 3)
    assert message.startswith("a cell starting in this row is longer than 131,072 characters, or a quote")


@pytest.mark.parametrize("text", ["\uff11\uff12\uff13", "\u0661\u0662\u0663", "1\u0662", "\u096a"])
def test_numbers_in_other_scripts_are_refused(text):
    with pytest.raises(CellError, match="written with the digits 0-9"):
        parse_decimal(text, "plan")


def test_dates_in_other_scripts_are_refused():
    with pytest.raises(CellError, match="must be a date"):
        parse_date("\u0662\u0660\u0661\u0665-04-01", "date")


def test_a_percentage_is_refused_unless_the_field_takes_one():
    from sheets.reading import Percent

    with pytest.raises(CellError, match="without %"):
        parse_number("3%", "plan")
    assert parse_number("3%", "plan", percent=Percent.POINTS) == 3
    assert parse_number("12.5 %", "share", percent=Percent.FRACTION) == 0.125
    assert parse_decimal("1,234.5%", "plan", percent=Percent.FRACTION) == Decimal("12.345")


def test_a_row_of_thousands_of_cells_is_one_problem_naming_the_row():
    from sheets.reading import MAX_COLUMNS

    with pytest.raises(NotReadable) as caught:
        read(b"hwb_code\nE06000001\n" + b"x," * 5000 + b"\n")
    assert caught.value.problems == [(Location("metrics.csv", 3), f"the row has 5,001 cells, more than the "
                                      f"{MAX_COLUMNS} a row may have; is this the right file?")]


def test_a_header_of_thousands_of_columns_is_one_problem():
    with pytest.raises(NotReadable) as caught:
        read(b"hwb_code," + b"x," * 5000 + b"\nE06000001\n")
    [(location, _)] = caught.value.problems
    assert location == Location("metrics.csv", 1)


def test_millions_of_blank_rows_are_skipped_and_rows_keep_their_numbers():
    table = read(b"hwb_code\n" + b",\n" * 300_000 + b"E06000001\n")
    assert [(row.number, row.cells) for row in table.rows] == [(300_002, {"hwb_code": "E06000001"})]
