import pytest

from calculator import load_calculator


@pytest.fixture(scope="session")
def calculator(tmp_path_factory):
    # an allocation table of its own (absent): every plan here gives its pool (never the operator's)
    calc, _ = load_calculator(allocations_file=tmp_path_factory.mktemp("reports") / "allocations.csv")
    return calc
