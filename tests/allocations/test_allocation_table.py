"""The stored allocation table (bcf.allocation_table): flat rows, atomic write, read back. SYNTHETIC data."""

from decimal import ROUND_HALF_UP, Decimal

import pytest

from bcf import allocation_table
from bcf.allocations import calculate_allocations
from bcf.errors import ReferenceDataError


@pytest.fixture()
def allocations(csv_inputs, rule_set, boards):
    inputs = csv_inputs(
        ccg_amounts="ccg_code,ccg_core_nhs,carers_breaks\n00A,1000,10\n",
        ccg_to_hwb="ccg_code,hwb_code,share\n00A,E06000001,0.6\n00A,E06000002,0.4\n",
        published="hwb_code,p4p_amount\nE06000002,99.99\n",
    )
    return calculate_allocations(inputs, rule_set, boards)


def test_written_table_reads_back_the_same(allocations, rule_set, boards, tmp_path):
    path = tmp_path / "allocations.csv"
    allocation_table.write_table(path, allocations, rule_set)
    again = allocation_table.read_table(path, {rule_set.id: rule_set}, boards)
    assert again.boards == allocations.boards
    assert again.totals == allocations.totals
    assert again.warnings == allocations.warnings and again.warnings  # kept beside the table (issue 15)
    # no temporary file left; the warnings in their sidecar
    assert sorted(p.name for p in tmp_path.iterdir()) == ["allocations.csv", "allocations.warnings.json"]


def test_warnings_of_another_table_are_not_attached(allocations, rule_set, boards, tmp_path):
    path = tmp_path / "allocations.csv"
    allocation_table.write_table(path, allocations, rule_set)
    path.write_text(path.read_text().replace("99.99", "88.88"))  # edited by hand after loading
    [warning] = allocation_table.read_table(path, {rule_set.id: rule_set}, boards).warnings
    assert warning.code == "warnings-not-stored" and "belongs to another table" in warning.message
    allocation_table.warnings_path(path).unlink()  # a table written before warnings were kept
    [warning] = allocation_table.read_table(path, {rule_set.id: rule_set}, boards).warnings
    assert warning.code == "warnings-not-stored" and "no allocations.warnings.json" in warning.message


def test_changes_between_two_tables(csv_inputs, rule_set, boards):
    def table(published):
        return calculate_allocations(csv_inputs(published=published), rule_set, boards)

    old = table("hwb_code,minimum_fund,p4p_amount\nE06000001,10,100\nE06000002,20,200\nE06000003,30,300\n")
    new = table("hwb_code,minimum_fund,p4p_amount\nE06000001,10,100\nE06000002,21,200\nE06000003,30,350\n"
                "E06000004,40,400\n")
    changes = allocation_table.changes(old, new)
    assert [b.hwb_code for b in changes.added] == ["E06000004"] and changes.removed == ()
    assert [(o.p4p_pool.amount, n.p4p_pool.amount) for o, n in changes.changed_pools] == \
        [(Decimal("300.00"), Decimal("350.00"))]
    assert changes.other_changes == ("E06000002",) and changes.unchanged == 1
    lines = changes.lines()
    assert lines[0] == ("1 board(s) added, 0 removed, 1 with a changed pool, 1 with other figures changed, "
                        "1 unchanged")
    assert "  E06000003 Redcar and Cleveland: pool £300.00 → pool £350.00" in lines
    assert not allocation_table.changes(old, old).any and allocation_table.changes(old, new).any
    removed = allocation_table.changes(new, old)
    assert [b.hwb_code for b in removed.removed] == ["E06000004"]


def test_columns_carry_source_and_explanation_for_every_figure(allocations, rule_set):
    [first, _] = allocation_table.rows(allocations, rule_set)
    assert first["ccg_core_nhs"] == Decimal("600.00") and first["ccg_core_nhs_source"] == "derived"
    assert first["ccg_reablement"] is None and first["ccg_reablement_source"] is None
    quarter = (first["p4p_pool"] * Decimal("0.25")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert first["april-2015/conditions"] == quarter
    assert set(first) == set(allocation_table.columns(rule_set))


def test_a_malformed_stored_table_is_a_reference_data_error_naming_the_row(allocations, rule_set, boards,
                                                                           tmp_path):
    path = tmp_path / "allocations.csv"
    allocation_table.write_table(path, allocations, rule_set)
    path.write_text(path.read_text().replace("E06000002", "E0600000X"))
    with pytest.raises(ReferenceDataError, match="row 3"):
        allocation_table.read_table(path, {rule_set.id: rule_set}, boards)
