"""Fixtures for the allocation tests. Every amount in these tests is SYNTHETIC: made up to exercise the
rules, not any board's real 2015/16 allocation (none ship with the service)."""

from pathlib import Path

import pytest

from bcf.allocation_files import AllocationInputs, Table
from bcf.boards import load_boards
from bcf.rules import current_rule_set, load_rule_sets

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def rule_set():
    return current_rule_set(load_rule_sets(ROOT / "reference_data" / "rules"))


@pytest.fixture(scope="session")
def boards():
    return load_boards(ROOT / "reference_data" / "boards.csv")


@pytest.fixture(scope="session")
def csv_inputs():
    """``csv_inputs(ccg_to_hwb="ccg_code,hwb_code,share\\n...")`` → inputs named like uploaded files."""

    def make(**texts: str) -> AllocationInputs:
        return AllocationInputs(**{name: Table.from_csv(f"{name}.csv", text) for name, text in texts.items()})

    return make
