"""XmR charts (metrics.spc): worked series with the arithmetic by hand, each rule alone, and a plain
loop-by-loop reading of the rules checked against the vectorised one on random series."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import metrics
from metrics.spc import RULES

COMMON = "common_cause"
BETTER = "special_cause_improvement"
WORSE = "special_cause_concern"
NEUTRAL = "special_cause_neutral"


def rules_of(result):
    return result.rule.tolist()


def only(rule, positions, n):
    """The rule list of a series of n values where ``rule`` flags ``positions`` and nothing else fires."""
    return [rule if i in positions else 0 for i in range(n)]


# --- limits ------------------------------------------------------------------------------------------

# NHSRplotthedots' vignette "Deviations from Excel defaults": one wild value among 1s and 2s; it reports
# UPL 4.6, mean 1.94, LPL -0.72 with screening (the default).
WILD = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]


def test_wild_month_screened():
    """Sum 35 over 18 → mean 35/18 = 1.9444. The 17 moving ranges: 1, 1, 1, 8, 9 and twelve 1s, sum 32,
    mR̄ = 32/17 = 1.8824; 3.267 × 1.8824 = 6.149, so 8 and 9 are left out and mR̄ = 15/15 = 1.
    Limits 1.9444 ± 2.66 × 1 = 4.6044 and −0.7156."""
    result = metrics.xmr(WILD, "higher")
    assert result.mean == pytest.approx(35 / 18)
    assert result.mean_moving_range == pytest.approx(1.0)
    assert result.upper_limit == pytest.approx(35 / 18 + 2.66)
    assert result.lower_limit == pytest.approx(35 / 18 - 2.66)
    assert (round(result.upper_limit, 2), round(result.mean, 2), round(result.lower_limit, 2)) == (
        4.6, 1.94, -0.72)  # as the vignette prints them
    assert result.screened_count == 2
    assert np.flatnonzero(result.screened).tolist() == [4, 5]  # the ranges into and out of the 10
    assert rules_of(result) == only(1, {4}, 18)


def test_wild_month_unscreened_is_the_excel_tool():
    """No screening: mR̄ = 32/17 = 1.882353, limits 1.944444 ± 2.66 × 1.882353 = 1.944444 ± 5.007059,
    i.e. 6.951503 and −3.062614; the 10 is still outside."""
    result = metrics.xmr(WILD, "higher", screen_outliers=False)
    assert result.mean_moving_range == pytest.approx(32 / 17)
    assert result.upper_limit == pytest.approx(6.951503, abs=1e-6)
    assert result.lower_limit == pytest.approx(-3.062614, abs=1e-6)
    assert result.screened_count == 0 and not result.screened.any()
    assert rules_of(result) == only(1, {4}, 18)


def test_moving_ranges_and_sigma_lines():
    """10, 11, 10, 11, 10, 11, 10, 14, 12, 14, 10, 11, 10, 11, 10: sum 165 → mean 11. Ranges: six 1s,
    4, 2, 2, 4, four 1s: sum 22, mR̄ = 22/14 = 1.571429 (3.267 × 1.5714 = 5.13: none left out).
    σ̂ = 2.66/3 × 1.571429 = 1.393333; limits 11 ± 4.18; 2σ lines 11 ± 2.786667; 1σ lines 11 ± 1.393333."""
    result = metrics.xmr(TWO_OF_THREE, "neutral")
    assert np.isnan(result.moving_ranges[0])
    assert result.moving_ranges[1:].tolist() == [1] * 6 + [4, 2, 2, 4] + [1] * 4
    assert result.mean == 11.0
    assert result.mean_moving_range == pytest.approx(22 / 14)
    assert (result.lower_limit, result.upper_limit) == pytest.approx((6.82, 15.18))
    assert (result.lower_two_sigma, result.upper_two_sigma) == pytest.approx((8.213333, 13.786667))
    assert (result.lower_one_sigma, result.upper_one_sigma) == pytest.approx((9.606667, 12.393333))


def test_a_constant_series_has_no_spread_and_no_signal():
    """mR̄ = 0, so both limits are the mean and every point is on them: a point on a limit is inside
    (x > UPL and x < LPL are strict) and a point on the mean is on neither side of it."""
    result = metrics.xmr([7] * 15, "higher")
    assert result.mean_moving_range == 0 and result.upper_limit == result.lower_limit == 7
    assert rules_of(result) == [0] * 15 and result.icon == COMMON


# --- each rule alone ---------------------------------------------------------------------------------

# Rule 1. Sum 40 + 30 + 40 = 110 → mean 7.3333. Ranges: six 4s, 26, 26, six 4s (sum 100, mR̄ 7.1429;
# 3.267 × 7.1429 = 23.34 screens out both 26s) → mR̄ = 48/12 = 4, UPL = 7.3333 + 10.64 = 17.9733, LPL
# −3.3067; 2σ lines 7.3333 ± 7.0933 (14.4267, 0.24): every 4 and 8 inside them.
OUTSIDE = [4, 8, 4, 8, 4, 8, 4, 30, 4, 8, 4, 8, 4, 8, 4]

# Rule 2. Sum 90 → mean 6. Ranges 8, 8, 8, 7, six 1s, 7, 8, 8, 8: sum 68, mR̄ 4.857, limits 6 ± 12.92,
# 2σ lines 6 ± 8.61. 3, 4, 5, 6, 7, 8, 9 rise six times and cross the mean (6 is on it): no shift.
TREND = [2, 10, 2, 10, 3, 4, 5, 6, 7, 8, 9, 2, 10, 2, 10]

# Rule 3. Mean 11, 2σ lines 8.2133 and 13.7867, limits 6.82 and 15.18 (test_moving_ranges_and_sigma_lines):
# 14, 12, 14 holds two points beyond the upper 2σ line and inside the limit; 12 is not beyond the line.
TWO_OF_THREE = [10, 11, 10, 11, 10, 11, 10, 14, 12, 14, 10, 11, 10, 11, 10]

# Rule 4. Sum 25 + 52 + 15 = 92 → mean 6.1333; ranges 5, 5, 5, 5, 4, six 1s, 4, 6, 6: sum 46, mR̄ 3.2857,
# limits 6.1333 ± 8.74, 2σ lines 6.1333 ± 5.83 (11.96, 0.31). 7, 8, 7, 8, 7, 8, 7: seven above the mean,
# between 3s below it; the 8s at 1 and 3 and the 9 are above it alone.
SHIFT = [3, 8, 3, 8, 3, 7, 8, 7, 8, 7, 8, 7, 3, 9, 3]


@pytest.mark.parametrize(("values", "expected"), [
    (OUTSIDE, only(1, {7}, 15)),
    (TREND, only(2, set(range(4, 11)), 15)),
    (TWO_OF_THREE, only(3, {7, 9}, 15)),
    (SHIFT, only(4, set(range(5, 12)), 15)),
], ids=["rule 1 outside limits", "rule 2 trend", "rule 3 two of three", "rule 4 shift"])
def test_each_rule_alone(values, expected):
    result = metrics.xmr(values, "higher")
    assert rules_of(result) == expected
    assert set(result.point_type[np.array(expected) == 0]) == {COMMON}
    assert set(result.point_type[np.array(expected) != 0]) == {BETTER}  # every signal here is high


def test_rule_names():
    assert RULES == ("common_cause", "outside_limits", "trend", "two_of_three", "shift")


def test_a_tie_breaks_a_trend():
    """TREND with 6 → 5: 3, 4, 5, 5, 7, 8, 9 rises twice, ties, rises three times: no trend. Sum 89,
    mean 5.9333, mR̄ still 68/14 (|5 − 5| = 0, |5 − 7| = 2 replace 1 and 1): nothing else fires."""
    tied = TREND[:7] + [5] + TREND[8:]
    assert tied[4:11] == [3, 4, 5, 5, 7, 8, 9]
    assert rules_of(metrics.xmr(tied, "higher")) == [0] * 15


def test_six_points_are_not_a_trend():
    """TREND with the 9 → 1: 3 … 8 is six points (five rises)."""
    short = TREND[:10] + [1] + TREND[11:]
    assert rules_of(metrics.xmr(short, "higher")) == [0] * 15


def test_eight_rising_points_are_all_flagged():
    """16, 8 alternating, then 3, 4, 5, 6, 7, 8, 9, 16 (seven rises), then 8, 16. Sum 170 → mean 10;
    ranges six 8s, 13, six 1s, 7, 8, 8: sum 90, mR̄ 5.625, limits 10 ± 14.9625. The 3 … 9 are also seven
    points below the mean (rule 4), but a trend comes first and its way is up: higher is better → an
    improvement, although every point of it but the 16 is below the mean."""
    values = [16, 8, 16, 8, 16, 8, 16, 3, 4, 5, 6, 7, 8, 9, 16, 8, 16]
    result = metrics.xmr(values, "higher")
    assert result.mean == 10 and result.mean_moving_range == pytest.approx(5.625)
    assert rules_of(result) == only(2, set(range(7, 15)), 17)
    assert set(result.point_type[7:15]) == {BETTER}
    assert set(metrics.xmr(values, "lower").point_type[7:15]) == {WORSE}


def test_a_falling_trend_is_low():
    result = metrics.xmr(TREND[::-1], "higher")
    assert rules_of(result) == only(2, set(range(4, 11)), 15)
    assert result.direction[4:11].tolist() == [-1] * 7
    assert set(result.point_type[4:11]) == {WORSE}


def test_a_point_at_the_turn_of_two_trends_takes_the_later_one():
    """10, 2, 10, 2, then 3 … 9 up (with the 2 before it, eight rising points), 8 … 3 down (with the 9,
    seven falling points), then 10, 2, 10. Sum 24 + 42 + 33 + 22 = 121, mean 6.05; ranges 8, 8, 8, 1,
    six 1s, six 1s, 7, 8, 8: sum 60, mR̄ 60/19 = 3.1579, limits 6.05 ± 8.4 (−2.35, 14.45), 2σ lines
    6.05 ± 5.6 (0.45, 11.65). The 9 at the peak is in both trends and takes the falling one."""
    values = [10, 2, 10, 2, 3, 4, 5, 6, 7, 8, 9, 8, 7, 6, 5, 4, 3, 10, 2, 10]
    result = metrics.xmr(values, "higher")
    assert result.mean_moving_range == pytest.approx(60 / 19)
    assert rules_of(result) == only(2, set(range(3, 17)), 20)
    assert result.direction[3:17].tolist() == [1] * 7 + [-1] * 7
    assert result.point_type[9] == BETTER and result.point_type[10] == WORSE


def test_two_of_three_on_opposite_sides_is_nothing():
    """10, 11 … 14, 11, 7, 10, 11 …: sum 157, mean 10.4667; ranges eleven 1s… (1 × 10, 3, 3, 4, 3):
    sum 24, mR̄ 1.7143, 2σ lines 10.4667 ± 3.04 = 13.5067 and 7.4267. The 14 is beyond the upper line and
    the 7 beyond the lower one, in the same three points: not two beyond the same line."""
    values = [10, 11, 10, 11, 10, 11, 10, 14, 11, 7, 10, 11, 10, 11, 10]
    result = metrics.xmr(values, "higher")
    assert result.upper_two_sigma == pytest.approx(157 / 15 + 2 * 2.66 / 3 * 24 / 14)
    assert values[7] > result.upper_two_sigma and values[9] < result.lower_two_sigma
    assert rules_of(result) == [0] * 15


def test_a_point_beyond_the_limit_counts_towards_two_of_three():
    """10, 12 alternating, then 22, 13, 17, then 10, 12, 10, 10, 10. Sum 76 + 52 + 52 = 180, mean 12.
    Ranges six 2s, 12, 9, 4, 7, 2, 2, 0, 0: sum 48, mR̄ 3.4286, × 3.267 = 11.2, so the 12 is screened:
    mR̄ = 36/13 = 2.7692, UPL 12 + 7.3662 = 19.3662, upper 2σ line 12 + 4.9108 = 16.9108. The 22 is
    beyond the limit (rule 1) and so also beyond the 2σ line: with the 17 that makes two of three, and
    the 17 is flagged by rule 3 (NHSRplotthedots counts only points between the line and the limit)."""
    values = [10, 12, 10, 12, 10, 12, 10, 22, 13, 17, 10, 12, 10, 10, 10]
    result = metrics.xmr(values, "higher")
    assert result.mean == 12 and result.mean_moving_range == pytest.approx(36 / 13)
    assert result.upper_two_sigma < 17 < result.upper_limit < 22
    assert rules_of(result) == [0] * 7 + [1, 0, 3] + [0] * 5


def test_two_of_three_low_is_low():
    """TWO_OF_THREE mirrored about 11 (x → 22 − x): the 8s at 7 and 9 are below the lower 2σ line 8.2133."""
    result = metrics.xmr([22 - v for v in TWO_OF_THREE], "higher")
    assert rules_of(result) == only(3, {7, 9}, 15)
    assert result.direction[[7, 9]].tolist() == [-1, -1]
    assert result.point_type[7] == WORSE


def test_a_point_on_the_mean_breaks_a_run():
    """SHIFT with the 8 at position 8 → 6: sum 90, mean exactly 6, ranges unchanged (|7 − 6| = |6 − 7| =
    1), so 7, 8, 7, 6, 7, 8, 7 is three above, one on, three above: no run of seven."""
    broken = SHIFT[:8] + [6] + SHIFT[9:]
    result = metrics.xmr(broken, "higher")
    assert result.mean == 6.0 and result.values[8] == result.mean
    assert result.mean_moving_range == pytest.approx(46 / 14)
    assert rules_of(result) == [0] * 15


def test_a_long_run_is_flagged_whole():
    """3, 5 alternating (seven) then 7, 9 alternating (seven): sum 27 + 55 = 82, mean 5.857; every low
    point below it and every high above, so two runs of seven."""
    result = metrics.xmr([3, 5, 3, 5, 3, 5, 3, 7, 9, 7, 9, 7, 9, 7], "higher")
    assert rules_of(result) == [4] * 14
    assert result.point_type.tolist() == [WORSE] * 7 + [BETTER] * 7


# --- polarity, point types and the icon --------------------------------------------------------------

@pytest.mark.parametrize(("polarity", "kind"), [("higher", BETTER), ("lower", WORSE), ("neutral", NEUTRAL)])
def test_polarity_gives_the_point_type(polarity, kind):
    result = metrics.xmr(OUTSIDE, polarity)
    assert result.point_type[7] == kind
    assert result.direction[7] == 1
    assert set(np.delete(result.point_type, 7)) == {COMMON}


# High: 13 values 4, 8 … 4 (sum 76) then 30: mean 106/14 = 7.5714; ranges twelve 4s and 26 (mR̄ 74/13 =
# 5.69, × 3.267 = 18.6: the 26 is screened) → mR̄ 4, UPL 18.2114: the 30 is above it.
HIGH_LAST = [4, 8] * 6 + [4, 30]
# Low: 13 values 24, 28 … 24 (sum 336) then 0: mean 336/14 = 24; ranges twelve 4s and 24 (mR̄ 72/13 =
# 5.54, × 3.267 = 18.1: the 24 is screened) → mR̄ 4, LPL 24 − 10.64 = 13.36: the 0 is below it.
LOW_LAST = [24, 28] * 6 + [24, 0]


@pytest.mark.parametrize(("values", "polarity", "icon"), [
    (HIGH_LAST, "higher", "improvement_high"),
    (HIGH_LAST, "lower", "concern_high"),
    (HIGH_LAST, "neutral", "neutral_high"),
    (LOW_LAST, "higher", "concern_low"),
    (LOW_LAST, "lower", "improvement_low"),
    (LOW_LAST, "neutral", "neutral_low"),
    (OUTSIDE, "higher", "common_cause"),  # a special cause earlier, but the last month is common cause
    (SHIFT[:-3] + [7, 8, 7], "lower", "concern_high"),  # ten above the mean, the last in the run
])
def test_icon_of_the_last_point(values, polarity, icon):
    result = metrics.xmr(values, polarity)
    assert result.icon == icon
    assert (result.rule[-1] == 0) == (icon == COMMON)


def test_the_low_spike_is_rule_one():
    result = metrics.xmr(LOW_LAST, "lower")
    assert result.mean == 24 and result.lower_limit == pytest.approx(13.36)
    assert rules_of(result) == only(1, {13}, 14)


# --- assurance ---------------------------------------------------------------------------------------

# TREND: limits 6 ± 12.92 = −6.92 and 18.92.
@pytest.mark.parametrize(("polarity", "target", "assurance"), [
    ("higher", 10, "inconsistent"),
    ("higher", 20, "consistent_fail"),  # above the UPL: the process will always fall short
    ("higher", -8, "consistent_pass"),  # below the LPL: every month beats it
    ("lower", 10, "inconsistent"),
    ("lower", 20, "consistent_pass"),
    ("lower", -8, "consistent_fail"),
    ("neutral", 20, None),
    ("higher", None, None),
])
def test_assurance(polarity, target, assurance):
    result = metrics.xmr(TREND, polarity, target=target)
    assert (result.lower_limit, result.upper_limit) == pytest.approx((-6.92, 18.92))
    assert result.assurance == assurance


def test_a_target_on_a_limit_is_inconsistent():
    result = metrics.xmr(TREND, "higher")
    on_limit = metrics.xmr(TREND, "higher", target=result.upper_limit)
    assert on_limit.assurance == "inconsistent"
    assert metrics.xmr(TREND, "higher", target=np.nextafter(result.upper_limit, 99)).assurance == (
        "consistent_fail")
    assert on_limit.target == result.upper_limit and type(on_limit.target) is float


# --- trial limits, the result, bad input -------------------------------------------------------------

@pytest.mark.parametrize(("n", "trial"), [(2, True), (12, True), (13, False), (24, False)])
def test_trial_limits_below_thirteen_points(n, trial):
    result = metrics.xmr(([10, 11] * 12)[:n], "higher")
    assert result.trial_limits is trial
    assert np.isfinite(result.upper_limit)  # shown all the same


def test_two_points_are_enough():
    """Mean 5, one range 2: limits 5 ± 5.32; too short for any run."""
    result = metrics.xmr([4, 6], "lower")
    assert (result.lower_limit, result.upper_limit) == pytest.approx((-0.32, 10.32))
    assert rules_of(result) == [0, 0] and result.icon == COMMON


def test_the_result_is_frozen_and_read_only():
    result = metrics.xmr(TREND, "higher")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.mean = 0
    for array in (result.values, result.moving_ranges, result.screened, result.rule, result.direction,
                  result.point_type):
        assert len(array) == 15
        with pytest.raises(ValueError, match="read-only"):
            array[0] = array[1]
    assert type(result.mean) is float and type(result.screened_count) is int


def test_the_caller_s_array_is_not_frozen():
    values = np.array(TREND, dtype=float)
    metrics.xmr(values, "higher")
    values[0] = 3.0  # still writeable


@pytest.mark.parametrize(("call", "match"), [
    (lambda: metrics.xmr([5], "higher"), r"values must hold at least 2 months .*\(got 1\)"),
    (lambda: metrics.xmr([], "higher"), r"at least 2 months .*\(got 0\)"),
    (lambda: metrics.xmr(5, "higher"), r"values must be a 1-D sequence .*\(got shape \(\)\)"),
    (lambda: metrics.xmr([[1, 2], [3, 4]], "higher"), r"1-D .*\(got shape \(2, 2\)\)"),
    (lambda: metrics.xmr(["a", "b"], "higher"), "values must be numeric"),
    (lambda: metrics.xmr([1, np.nan, 3, np.inf], "higher"),
     r"values must be finite, with no missing month \(NaN or ±inf\) at positions 1, 3"),
    (lambda: metrics.xmr([1, 2, 3], "up"),
     r"polarity must be one of 'higher', 'lower', 'neutral' \(got 'up'\)"),
    (lambda: metrics.xmr([1, 2, 3], None), "polarity must be one of"),
    (lambda: metrics.xmr([1, 2, 3], "higher", target=np.nan), r"target must be a finite number or None"),
    (lambda: metrics.xmr([1, 2, 3], "higher", target=[1, 2]), "target must be a finite number or None"),
    (lambda: metrics.xmr([1, 2, 3], "higher", target="x"), "target must be a finite number or None"),
    (lambda: metrics.xmr([1, 2, 3], "higher", target=True), "target must be a finite number or None"),
    (lambda: metrics.xmr([1, 2, 3], "higher", screen_outliers="no"), "screen_outliers must be True or False"),
], ids=["one value", "no values", "a number", "2-D", "text", "missing", "polarity", "no polarity",
        "NaN target", "many targets", "text target", "bool target", "screen flag"])
def test_bad_input_is_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValueError) as raised:
        metrics.xmr([1, np.nan], "sideways", target=np.inf)
    message = str(raised.value)
    for part in ("values must be finite", "polarity must be one of", "target must be a finite number"):
        assert part in message


# --- the vectorised rules against a plain reading of them ---------------------------------------------

def reference(values, screen):
    """The method of the module docstring, point by point with loops."""
    n = len(values)
    mean = sum(values) / n
    ranges = [abs(values[i] - values[i - 1]) for i in range(1, n)]
    mr = sum(ranges) / len(ranges)
    if screen:
        kept = [r for r in ranges if not r > 3.267 * mr]
        mr = sum(kept) / len(kept)
    upper, lower = mean + 2.66 * mr, mean - 2.66 * mr
    sigma = 2.66 / 3 * mr
    high, low = mean + 2 * sigma, mean - 2 * sigma

    flagged = {rule: [False] * n for rule in (1, 2, 3, 4)}
    for i, v in enumerate(values):
        flagged[1][i] = v > upper or v < lower
    for s in range(n - 6):
        w = values[s:s + 7]
        steps = [w[i + 1] - w[i] for i in range(6)]
        if all(d > 0 for d in steps) or all(d < 0 for d in steps):
            flagged[2][s:s + 7] = [True] * 7
        if all(v > mean for v in w) or all(v < mean for v in w):
            flagged[4][s:s + 7] = [True] * 7
    for s in range(n - 2):
        for beyond in (lambda v: v > high, lambda v: v < low):
            if sum(beyond(v) for v in values[s:s + 3]) >= 2:
                for i in range(s, s + 3):
                    flagged[3][i] = flagged[3][i] or beyond(values[i])
    rule = [next((r for r in (1, 2, 3, 4) if flagged[r][i]), 0) for i in range(n)]
    return mean, mr, rule


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 12), min_size=2, max_size=40), st.booleans())
def test_matches_the_plain_reading(values, screen):
    mean, mr, rule = reference(values, screen)
    result = metrics.xmr(values, "higher", screen_outliers=screen)
    assert result.mean == pytest.approx(mean, rel=1e-12)
    assert result.mean_moving_range == pytest.approx(mr, rel=1e-12, abs=1e-12)
    assert rules_of(result) == rule
    assert ((result.direction != 0) == (result.rule != 0)).all()
    by_side = np.isin(result.rule, [1, 3, 4])
    assert (result.direction[by_side] == np.sign(result.values - result.mean)[by_side]).all()
    better = result.point_type == BETTER
    assert (better == (result.direction > 0)).all()  # higher is better: every high signal, only those
