"""§8 line splitting: equal lines rounded half up, the last takes the remainder, never negative."""

from decimal import Decimal

import pytest

from bcf.money import split


@pytest.mark.parametrize(
    ("total", "parts", "lines"),
    [
        ("250000.00", 3, ["83333.33", "83333.33", "83333.34"]),
        ("500000.00", 6, ["83333.33"] * 5 + ["83333.35"]),
        ("0.05", 2, ["0.03", "0.02"]),  # 0.025 rounds half up
        ("0.03", 6, ["0.00"] * 5 + ["0.03"]),  # half-up shares of 0.01 would leave the last line at -0.02
        ("0.00", 4, ["0.00"] * 4),
    ],
)
def test_lines_add_up_and_the_last_takes_the_remainder(total, parts, lines):
    result = split(Decimal(total), parts)
    assert result == [Decimal(x) for x in lines]
    assert sum(result) == Decimal(total)
