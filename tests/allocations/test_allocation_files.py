"""bcf.allocation_files: reading and checking the allocation input files (issue 5), and telling a file's
role from its header. Every problem names file, row (header = row 1) and column, all at once.

ALL AMOUNTS HERE ARE SYNTHETIC, made up to exercise the checks.
"""

from decimal import Decimal

import pytest

from bcf.allocation_files import (
    MAX_ROWS,
    AllocationInputs,
    Table,
    check_inputs,
    input_role,
    inputs_from_tables,
)
from bcf.errors import MAX_PROBLEMS, InvalidInput

# --- bad input: every check, each naming file, row (header = row 1) and column --------------------------

GOOD_SPLIT = "ccg_code,hwb_code,share\n00A,E06000001,1\n"
GOOD_AMOUNTS = "ccg_code,ccg_core_nhs\n00A,100\n"


@pytest.mark.parametrize(("tables", "location", "fragment"), [
    ({"ccg_to_hwb": "ccg_code,hwb_code,share\n00A,E06000001,0.5\n00A,E06000002,0.4\n",
      "ccg_amounts": GOOD_AMOUNTS}, "ccg_to_hwb.csv row 2, column share", "add up to 0.9, not 1"),
    ({"ccg_to_hwb": "ccg_code,hwb_code,share\n00A,E99999999,1\n", "ccg_amounts": GOOD_AMOUNTS},
     "ccg_to_hwb.csv row 2, column hwb_code", "not one of the 152"),
    ({"ccg_to_hwb": GOOD_SPLIT, "ccg_amounts": "ccg_code,ccg_core_nhs\n00A,-5\n"},
     "ccg_amounts.csv row 2, column ccg_core_nhs", "negative"),
    ({"ccg_to_hwb": "ccg_code,hwb_code,share\n00A,E06000001,0.5\n00A,E06000001,0.5\n",
      "ccg_amounts": GOOD_AMOUNTS}, "ccg_to_hwb.csv row 3, column hwb_code", "already given in row 2"),
    ({"ccg_to_hwb": GOOD_SPLIT, "ccg_amounts": "ccg_code,ccg_core_nhs\n00A,1\n00A,2\n"},
     "ccg_amounts.csv row 3, column ccg_code", "duplicate"),
    ({"ccg_to_hwb": GOOD_SPLIT, "ccg_amounts": "ccg_code,ccg_core_nhs\n00A,lots\n"},
     "ccg_amounts.csv row 2, column ccg_core_nhs", "must be a number; got 'lots'"),
    ({"ccg_to_hwb": "ccg_code,hwb_code,share\n00A,E06000001,half\n", "ccg_amounts": GOOD_AMOUNTS},
     "ccg_to_hwb.csv row 2, column share", "must be a number; got 'half'"),
    ({"ccg_to_hwb": "ccg_code,hwb_code,share\n00A,E06000001,\u0661\n", "ccg_amounts": GOOD_AMOUNTS},
     "ccg_to_hwb.csv row 2, column share", "Arabic-Indic Digit One"),
    ({"ccg_to_hwb": GOOD_SPLIT, "ccg_amounts": "ccg_code,ccg_core_nhs\n00A,\uff11\uff10\uff10\n"},
     "ccg_amounts.csv row 2, column ccg_core_nhs", "Fullwidth Digit One"),
    ({"ccg_to_hwb": GOOD_SPLIT, "ccg_amounts": "ccg_code,ccg_core_nhs\n00A,5%\n"},
     "ccg_amounts.csv row 2, column ccg_core_nhs", "without %"),
    ({"ccg_to_hwb": GOOD_SPLIT, "ccg_amounts": "ccg_code,ccg_core_nhs\n00A,\"1,23\"\n"},
     "ccg_amounts.csv row 2, column ccg_core_nhs", "ambiguous"),
    ({"ccg_to_hwb": GOOD_SPLIT, "ccg_amounts": "ccg_code,ccg_core_nhs\n00A,10.001\n"},
     "ccg_amounts.csv row 2, column ccg_core_nhs", "to the penny"),
    ({"ccg_to_hwb": "ccg_code,hwb_code\n00A,E06000001\n", "ccg_amounts": GOOD_AMOUNTS},
     "ccg_to_hwb.csv row 1, column share", "needs a column share"),
    ({"ccg_to_hwb": GOOD_SPLIT, "ccg_amounts": "ccg_code,ccg_core_nsh\n00A,1\n"},
     "ccg_amounts.csv row 1, column ccg_core_nsh", "unknown column"),
    ({"ccg_to_hwb": GOOD_SPLIT, "ccg_amounts": "ccg_code,ccg_core_nhs\n00Z,1\n"},
     "ccg_amounts.csv row 2, column ccg_code", "no rows in ccg_to_hwb.csv"),
    ({"ccg_amounts": GOOD_AMOUNTS}, "ccg_to_hwb", "split table"),
    ({"council_grants": "council_code,dfg\nE06000001,1\nE06000001,2\n"},
     "council_grants.csv row 3, column council_code", "duplicate"),
    ({"council_grants": "council_code,dfg\nNOPE,1\n"}, "council_grants.csv row 2, column council_code",
     "not one of the 152"),
    ({"published": "hwb_code,p4p_amount\nE06000001,-1\n"}, "published.csv row 2, column p4p_amount",
     "negative"),
    ({"published": "hwb_code,p4p_amount\nE06000001,1e6\n"}, "published.csv row 2, column p4p_amount",
     "to the penny"),
    ({"published": "hwb_code\nE06000001\n"}, "published.csv row 1", "needs at least one of"),
])
def test_each_bad_input_names_file_row_and_column(csv_inputs, rule_set, boards, tables, location, fragment):
    with pytest.raises(InvalidInput) as caught:
        check_inputs(csv_inputs(**tables), rule_set, boards)
    matching = [p for p in caught.value.problems if p["location"] == location]
    assert matching, caught.value.problems
    assert any(fragment in p["message"] for p in matching), matching


def test_all_problems_are_reported_at_once(csv_inputs, rule_set, boards):
    inputs = csv_inputs(
        ccg_to_hwb="ccg_code,hwb_code,share\n00A,E06000001,0.6\n00A,E99999999,0.6\n00B,E06000002,x\n",
        ccg_amounts="ccg_code,ccg_core_nhs,dfg\n00A,-1\n",
        council_grants="council_code,dfg\nE06000001,abc\n",
    )
    with pytest.raises(InvalidInput) as caught:
        check_inputs(inputs, rule_set, boards)
    locations = {p["location"] for p in caught.value.problems}
    assert {
        "ccg_to_hwb.csv row 2, column share",  # 0.6 + 0.6
        "ccg_to_hwb.csv row 3, column hwb_code",
        "ccg_to_hwb.csv row 4, column share",
        "ccg_amounts.csv row 1, column dfg",  # a council grant is not a CCG amount
        "ccg_amounts.csv row 2, column ccg_core_nhs",
        "council_grants.csv row 2, column dfg",
    } <= locations


def test_amounts_and_shares_are_read_as_the_calculator_reads_them(csv_inputs, rule_set, boards):
    """One number reader for every CSV (issue 15): thousands separators and £ in amounts, and a share
    as a percentage (a share is a 0–1 fraction, so 12.5% is 0.125), exactly."""
    inputs = csv_inputs(
        ccg_to_hwb='ccg_code,hwb_code,share\n00A,E06000001,12.5%\n00A,E06000002,0.875\n',
        ccg_amounts='ccg_code,ccg_core_nhs\n00A,"1,234,567.89"\n',
        council_grants='council_code,dfg\nE06000001,"£2,000"\n',
    )
    checked = check_inputs(inputs, rule_set, boards)
    assert checked.ccg_amounts["ccg_core_nhs"] == {"00A": Decimal("1234567.89")}
    assert checked.grants["dfg"] == {"E06000001": Decimal("2000.00")}
    assert checked.split["share"].tolist() == [0.125, 0.875]
    assert checked.split["share_text"].tolist() == ["0.125", "0.875"]


def test_a_share_over_100_percent_is_out_of_range(csv_inputs, rule_set, boards):
    inputs = csv_inputs(ccg_to_hwb="ccg_code,hwb_code,share\n00A,E06000001,150%\n", ccg_amounts=GOOD_AMOUNTS)
    with pytest.raises(InvalidInput) as caught:
        check_inputs(inputs, rule_set, boards)
    assert {"location": "ccg_to_hwb.csv row 2, column share",
            "message": "share 150% is not between 0 and 1"} in caught.value.problems


def test_a_million_row_table_is_refused_without_reading_it(tmp_path):
    """The row cap (MAX_ROWS) is checked while reading: the answer names the file and the limit."""
    path = tmp_path / "ccg_to_hwb.csv"
    path.write_text("ccg_code,hwb_code,share\n" + "00A,E06000001,x\n" * 1_000_000)
    with pytest.raises(InvalidInput) as caught:
        Table.from_csv("ccg_to_hwb.csv", path)
    assert caught.value.problems == [{"location": "ccg_to_hwb.csv", "message": (
        f"the file has more than {MAX_ROWS:,} rows, the most one table may have (211 CCGs × 152 boards "
        "is 32,072)")}]


@pytest.mark.parametrize(("text", "location", "cells"), [
    ("ccg_code,hwb_code,share" + ",x" * 200_000 + "\n00A,E06000001,1\n", "ccg_to_hwb.csv row 1", 200_003),
    ("ccg_code,hwb_code,share\n00A,E06000001,1\n" + "x," * 1_000_000 + "\n", "ccg_to_hwb.csv row 3",
     1_000_001),
])
def test_a_table_too_wide_is_refused_before_pandas_reads_it(text, location, cells):
    """pandas took minutes over these (a worker killed at its timeout); now one problem, at once."""
    from bcf.allocation_files import MAX_COLUMNS

    with pytest.raises(InvalidInput) as caught:
        Table.from_csv("ccg_to_hwb.csv", text.encode())
    assert caught.value.problems == [{"location": location, "message": (
        f"the row has {cells:,} cells, more than the {MAX_COLUMNS} a table may have; is this the right "
        "file?")}]


def test_every_row_wider_than_its_header_is_named_in_words():
    """An unquoted 1,234 once gave pandas' "Error tokenizing data. C error: …", for the first row alone."""
    text = "hwb_code,dfg\nE06000001,1,234\nE06000002,500\nE06000003,2,000,5\n"
    with pytest.raises(InvalidInput) as caught:
        Table.from_csv("council_grants.csv", text.encode())
    assert [(p["location"], p["message"].split(":")[0]) for p in caught.value.problems] == [
        ("council_grants.csv row 2", "the row has 3 cells but the header names 2 columns"),
        ("council_grants.csv row 4", "the row has 4 cells but the header names 2 columns")]
    assert all("thousands separator must be quoted" in p["message"] for p in caught.value.problems)
    quoted = Table.from_csv("council_grants.csv", b'hwb_code,dfg\nE06000001,"1,234"\n')
    assert quoted.frame.iloc[0, 1] == "1,234"


def test_problems_are_capped_and_counted(csv_inputs, rule_set, boards):
    """Every bad row is counted; the first MAX_PROBLEMS are listed and a last entry says how many more."""
    rows = "".join(f"00A,E06000001,bad{i}\n" for i in range(MAX_PROBLEMS + 500))
    inputs = csv_inputs(ccg_to_hwb="ccg_code,hwb_code,share\n" + rows, ccg_amounts=GOOD_AMOUNTS)
    with pytest.raises(InvalidInput) as caught:
        check_inputs(inputs, rule_set, boards)
    total = caught.value.context["problem_count"]
    assert total > MAX_PROBLEMS + 500  # each bad share, and the repeated (ccg, board) pairs
    assert len(caught.value.problems) == MAX_PROBLEMS + 1
    assert caught.value.problems[-1] == {"location": "$",
                                         "message": f"… and {total - MAX_PROBLEMS} more problems."}
    assert caught.value.problems[0]["location"] == "ccg_to_hwb.csv row 2, column share"


def test_blank_lines_keep_excel_row_numbers(csv_inputs, rule_set, boards):
    inputs = csv_inputs(ccg_to_hwb="ccg_code,hwb_code,share\n\n00A,E06000001,1\n00A,E06000001,1\n",
                        ccg_amounts=GOOD_AMOUNTS)
    with pytest.raises(InvalidInput) as caught:
        check_inputs(inputs, rule_set, boards)
    assert "ccg_to_hwb.csv row 4, column hwb_code" in {p["location"] for p in caught.value.problems}


def test_json_tables_name_problems_by_json_path(rule_set, boards):
    inputs = AllocationInputs(
        ccg_to_hwb=Table.from_records("ccg_to_hwb",
                                      [{"ccg_code": "00A", "hwb_code": "E06000001", "share": 0.5}]),
        ccg_amounts=Table.from_records("ccg_amounts", [{"ccg_code": "00A", "ccg_core_nhs": True}]),
    )
    with pytest.raises(InvalidInput) as caught:
        check_inputs(inputs, rule_set, boards)
    locations = {p["location"] for p in caught.value.problems}
    assert locations == {"ccg_to_hwb[0].share", "ccg_amounts[0].ccg_core_nhs"}


def test_no_inputs_at_all_is_an_error(rule_set, boards):
    with pytest.raises(InvalidInput, match="No allocation inputs"):
        check_inputs(AllocationInputs(), rule_set, boards)


@pytest.mark.parametrize("content", [b"\xff\xfe\x00junk", b""])
def test_unreadable_csv_is_invalid_input_naming_the_file(content):
    with pytest.raises(InvalidInput) as caught:
        Table.from_csv("published.csv", content)
    assert caught.value.problems[0]["location"] == "published.csv"


# --- the CLI's FILE… arguments: which input is each file? -------------------------------------------


@pytest.mark.parametrize(("header", "role"), [
    ("ccg_code,hwb_code,share", "ccg_to_hwb"),
    ("hwb_code,ccg_contribution,dfg,social_care_capital_grant,minimum_fund,p4p_amount", "published"),
    ("ccg_code,ccg_core_nhs", "ccg_amounts"),
    ("hwb_code,social_care_transfer", "ccg_amounts"),
    ("council_code,dfg,social_care_capital_grant", "council_grants"),
])
def test_input_role_from_columns(header, role, rule_set):
    assert input_role(Table.from_csv("x.csv", header + "\n"), rule_set) == role


def test_two_files_with_one_role_are_refused(rule_set):
    tables = [Table.from_csv(name, "ccg_code,hwb_code,share\n") for name in ("a.csv", "b.csv")]
    with pytest.raises(InvalidInput) as caught:
        inputs_from_tables(tables, rule_set)
    assert caught.value.problems[0]["location"] == "b.csv row 1"
