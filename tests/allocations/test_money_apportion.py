"""bcf.money.apportion and apportion_pennies: parts rounded half up, one takes the remainder, never negative.

Expected parts are worked by hand.
"""

from decimal import Decimal

import numpy as np
import pytest

from bcf.money import apportion, apportion_pennies

D = Decimal


@pytest.mark.parametrize(("total", "weights", "remainder_to", "parts"), [
    ("1000", [1, 1, 1], -1, ["333.33", "333.33", "333.34"]),
    ("1000", [1, 1, 1], 0, ["333.34", "333.33", "333.33"]),
    ("0.05", [1, 1], -1, ["0.03", "0.02"]),  # 0.025 rounds half up
    # 0.005 each would round up to 0.01 three times, leaving the last -0.01: rounded down instead
    ("0.02", [1, 1, 1, 1], -1, ["0.00", "0.00", "0.00", "0.02"]),
])
def test_apportion(total, weights, remainder_to, parts):
    result = apportion(D(total), [D(w) for w in weights], remainder_to=remainder_to)
    assert result == [D(p) for p in parts]
    assert sum(result) == D(total)


@pytest.mark.parametrize("weights", [[], [D(-1), D(2)], [D(0), D(0)]])
def test_apportion_refuses_bad_weights(weights):
    with pytest.raises(ValueError):
        apportion(D("1"), weights)


def test_apportion_pennies_groups_half_up_last_takes_remainder():
    # group 1: 101p × 0.5 → 50.5 → 51, last 50; group 2: 45p × 0.7 = 31.5 → 32 (float says 31.4999…),
    # last 13; group 3: 2p over four quarters: 0.5p each would round up to 1p three times and leave the
    # last at -1p, so the group is rounded down: 0, 0, 0, 2
    pennies = np.array([101, 101, 45, 45, 2, 2, 2, 2])
    texts = ["0.5", "0.5", "0.7", "0.3", "0.25", "0.25", "0.25", "0.25"]
    shares = np.array([float(t) for t in texts])
    parts = apportion_pennies(pennies, shares, texts, np.array([0, 2, 4]))
    assert parts.tolist() == [51, 50, 32, 13, 0, 0, 0, 2]
