"""XmR charts (individual values and their moving ranges) of a monthly series, as NHS England's
"Making Data Count" programme draws them (NHS England and NHS Improvement, *Making Data Count:
strengthening your decisions*, 2019) and the NHS-R Community's NHSRplotthedots package computes them.

Limits. The centre line is the mean x̄ of the values; the moving ranges are |xᵢ − xᵢ₋₁|; the process limits
are x̄ ± 2.66·mR̄, where mR̄ is the mean moving range and 2.66 = 3/d₂ (d₂ = 1.128 for ranges of two
points), so the limits are x̄ ± 3σ̂ with σ̂ = mR̄/1.128. The 1σ and 2σ lines are x̄ ± (2.66/3)·k·mR̄.
Screening outliers (the default, as NHSRplotthedots and Nelson 1982, *J. Qual. Technol.* 14:172) drops
every moving range above 3.267·mR̄ (3.267 = D₄, the upper limit of a chart of ranges of two points) and
computes mR̄ once more from the ranges left; without screening the answer is the Making Data Count Excel
tool's.

Special-cause rules, in priority order (a point flagged by several rules reports the first):

1. a point above the upper or below the lower process limit (a point exactly on a limit is inside);
2. a trend: 7 points in a row, each higher than the one before (or each lower): 6 rises or 6 falls. An
   equal pair of neighbours (a tie) ends the trend;
3. two of three points in a row beyond the same 2σ line (strictly beyond x̄ + 2σ̂, or below x̄ − 2σ̂);
   the points beyond the line are flagged, the third point of the three is not;
4. a shift: 7 or more points in a row strictly on one side of the mean; a point exactly on the mean
   ends the run.

Every point of a trend, a pattern or a run is flagged, not only the one that completes it. Rule 3 is
read as written (and as Western Electric's rule 2): a point beyond the limit is also beyond the 2σ line,
and the third point may be anywhere. NHSRplotthedots differs there: it counts only points between the
2σ line and the limit, and asks all three points to be on one side of the mean. Screening leaves out
ranges strictly above 3.267·mR̄ (NHSRplotthedots also those equal to it), so a series whose ranges are
all 0 keeps them and gets mR̄ = 0.

A signal's direction is the side of the mean (rules 1, 3, 4) or the way the trend runs (rule 2: a falling
trend above the mean is low); a point where one trend ends and the next begins takes the later trend's
way. With the polarity the direction gives each point's type and the last point's variation icon; the
process limits against the target give the assurance.
"""

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ._checks import Problems, as_arrays

LIMIT = 2.66  # process limits at x̄ ± 2.66·mR̄ (= 3σ̂)
SIGMA = LIMIT / 3  # σ̂ = mR̄/1.128 ≈ 0.8867·mR̄
SCREEN = 3.267  # moving ranges above 3.267·mR̄ are left out when screening outliers
TREND_POINTS = 7  # rule 2: 6 rises or 6 falls in a row
TWO_OF_THREE = 3  # rule 3: 2 points of any 3 in a row beyond a 2σ line
SHIFT_POINTS = 7  # rule 4: points in a row on one side of the mean
TRIAL_BELOW = 13  # fewer values than this: the limits are trial limits
MIN_VALUES = 2  # one moving range at least

#: the rule numbers of :attr:`XmR.rule`: ``RULES[r]`` names rule r (0: no special cause)
RULES = ("common_cause", "outside_limits", "trend", "two_of_three", "shift")

#: polarity → the sign of an improvement
POLARITIES = {"higher": 1, "lower": -1, "neutral": 0}


@dataclass(frozen=True)
class XmR:
    """An XmR chart of one series. The arrays have one entry per value, oldest first, and are read only.

    Point types (:attr:`point_type`): ``common_cause``; ``special_cause_improvement`` and
    ``special_cause_concern`` (a signal in the better or the worse direction for the polarity);
    ``special_cause_neutral`` (any signal when the polarity is neutral).

    Variation icon of the last point (:attr:`icon`), Making Data Count's icons: ``common_cause`` (grey:
    no significant change); ``improvement_high`` / ``improvement_low`` (blue: special cause of an
    improving nature, the measure significantly higher / lower); ``concern_high`` / ``concern_low``
    (orange: special cause of a concerning nature, higher / lower); ``neutral_high`` / ``neutral_low``
    (purple: special cause, neither better nor worse, higher / lower).

    Assurance against the target (:attr:`assurance`): ``consistent_pass`` (both limits on the good side of
    the target: the process meets it every month), ``consistent_fail`` (both limits on the wrong side: it
    will miss it every month until the process changes), ``inconsistent`` (the target between the limits,
    or on one: it will sometimes hit and sometimes miss), None without a target or for a neutral polarity.
    """

    values: np.ndarray
    #: |xᵢ − xᵢ₋₁|, NaN for the first value
    moving_ranges: np.ndarray
    #: True where the moving range was left out of mR̄ by screening (never the first)
    screened: np.ndarray
    #: the rule that flagged each point, by number (:data:`RULES`); 0 for common cause
    rule: np.ndarray
    #: +1 a high (or rising) signal, −1 a low (or falling) one, 0 common cause
    direction: np.ndarray
    point_type: np.ndarray
    mean: float
    mean_moving_range: float
    upper_limit: float
    lower_limit: float
    upper_two_sigma: float
    lower_two_sigma: float
    upper_one_sigma: float
    lower_one_sigma: float
    icon: str
    assurance: str | None
    #: fewer than :data:`TRIAL_BELOW` values: the limits are provisional
    trial_limits: bool
    screened_count: int
    polarity: str
    target: float | None


def xmr(values, polarity: str, target=None, screen_outliers: bool = True) -> XmR:
    """The XmR chart of a series (NHS England "Making Data Count", 2019): limits, special causes, icons.

    :param values: the monthly values, oldest first (1-D, at least 2, no missing month).
    :param polarity: ``"higher"`` (higher is better), ``"lower"`` (lower is better) or ``"neutral"``.
    :param target: the planned ambition, for the assurance; None for none.
    :param screen_outliers: leave moving ranges above 3.267·mR̄ out of mR̄ (NHSRplotthedots' default);
        False gives the Making Data Count Excel tool's limits.
    :return: :class:`XmR`; the method and the four rules are in the module docstring.
    :raise ValueError: every problem with the arguments at once, values by position.
    """
    x, sign, target = _checked(values, polarity, target, screen_outliers)
    n = x.size

    mean = float(x.mean())
    steps = np.diff(x)
    ranges = np.abs(steps)
    mean_range = float(ranges.mean())
    left_out = np.zeros(n - 1, dtype=bool)
    if screen_outliers:  # one pass: ranges above 3.267·mR̄ out, mR̄ again from the rest (never all out)
        left_out = ranges > SCREEN * mean_range
        mean_range = float(ranges[~left_out].mean())
    sigma = SIGMA * mean_range
    upper, lower = mean + LIMIT * mean_range, mean - LIMIT * mean_range

    side = np.sign(x - mean).astype(int)
    outside = (x > upper) | (x < lower)  # rule 1
    rising = _spanned(_holds_throughout(steps > 0, TREND_POINTS - 1), TREND_POINTS, n)  # rule 2
    falling = _spanned(_holds_throughout(steps < 0, TREND_POINTS - 1), TREND_POINTS, n)
    two_of_three = _two_of_three(x > mean + 2 * sigma, n) | _two_of_three(x < mean - 2 * sigma, n)  # 3
    shift = (_spanned(_holds_throughout(side > 0, SHIFT_POINTS), SHIFT_POINTS, n)  # rule 4
             | _spanned(_holds_throughout(side < 0, SHIFT_POINTS), SHIFT_POINTS, n))
    rule = np.select([outside, rising | falling, two_of_three, shift], [1, 2, 3, 4], 0)

    next_step = np.sign(np.append(steps, 0.0)).astype(int)  # a turning point takes the later trend's way
    trend_way = np.where(rising & falling, next_step, np.where(rising, 1, -1))
    direction = np.where(rule == 0, 0, np.where(rule == 2, trend_way, side))

    if sign == 0:
        signal = np.full(n, "special_cause_neutral")
    else:
        signal = np.where(direction * sign > 0, "special_cause_improvement", "special_cause_concern")
    point_type = np.where(rule == 0, "common_cause", signal)

    moving_ranges = np.concatenate(([np.nan], ranges))
    screened = np.concatenate(([False], left_out))
    for array in (x, moving_ranges, screened, rule, direction, point_type):
        array.setflags(write=False)
    return XmR(
        values=x, moving_ranges=moving_ranges, screened=screened, rule=rule, direction=direction,
        point_type=point_type, mean=mean, mean_moving_range=mean_range, upper_limit=upper,
        lower_limit=lower, upper_two_sigma=mean + 2 * sigma, lower_two_sigma=mean - 2 * sigma,
        upper_one_sigma=mean + sigma, lower_one_sigma=mean - sigma,
        icon=_icon(str(point_type[-1]), int(direction[-1])), assurance=_assurance(sign, target, upper, lower),
        trial_limits=n < TRIAL_BELOW, screened_count=int(left_out.sum()), polarity=polarity, target=target,
    )


def _holds_throughout(mask: np.ndarray, length: int) -> np.ndarray:
    """For each window of ``length`` consecutive entries, by its first position: is ``mask`` all True?"""
    if mask.size < length:
        return np.zeros(0, dtype=bool)
    return sliding_window_view(mask, length).all(axis=1)


def _spanned(starts: np.ndarray, width: int, n: int) -> np.ndarray:
    """Points 0…n−1 covered by a stretch of ``width`` points beginning at any True of ``starts``."""
    if not starts.any():
        return np.zeros(n, dtype=bool)
    return np.convolve(starts.astype(np.int64), np.ones(width, dtype=np.int64)) > 0  # length n


def _two_of_three(beyond: np.ndarray, n: int) -> np.ndarray:
    """Points beyond a 2σ line that lie in some 3 points in a row holding 2 or 3 such points."""
    if n < TWO_OF_THREE:
        return np.zeros(n, dtype=bool)
    starts = sliding_window_view(beyond, TWO_OF_THREE).sum(axis=1) >= 2
    return beyond & _spanned(starts, TWO_OF_THREE, n)


def _icon(last_type: str, last_direction: int) -> str:
    if last_type == "common_cause":
        return "common_cause"
    return f"{last_type.removeprefix('special_cause_')}_{'high' if last_direction > 0 else 'low'}"


def _assurance(sign: int, target: float | None, upper: float, lower: float) -> str | None:
    if target is None or sign == 0:
        return None
    if target > upper:  # every month below the target
        return "consistent_fail" if sign > 0 else "consistent_pass"
    if target < lower:  # every month above it
        return "consistent_pass" if sign > 0 else "consistent_fail"
    return "inconsistent"


def _checked(values, polarity, target, screen_outliers) -> tuple[np.ndarray, int, float | None]:
    """The values as a fresh float array, the polarity's sign and the target as a float (or None)."""
    x = as_arrays(values=values)[0]["values"]
    if x.ndim != 1:
        raise ValueError(f"values must be a 1-D sequence of months, oldest first (got shape {x.shape})")
    if x.size < MIN_VALUES:
        raise ValueError(f"values must hold at least {MIN_VALUES} months for a moving range (got {x.size})")
    x = np.array(x)  # our own copy, to make read only
    problems = Problems()
    problems.flag("values", x, ~np.isfinite(x), "must be finite, with no missing month (NaN or ±inf)")
    if not isinstance(polarity, str) or polarity not in POLARITIES:
        problems.messages.append(f"polarity must be one of 'higher', 'lower', 'neutral' (got {polarity!r})")
    if target is not None:
        try:
            number = np.asarray(target, dtype=float)
        except (TypeError, ValueError):
            number = np.asarray(np.nan)
        if isinstance(target, bool) or number.ndim or not np.isfinite(number):
            problems.messages.append(f"target must be a finite number or None (got {target!r})")
        else:
            target = float(number)
    if not isinstance(screen_outliers, bool | np.bool_):
        problems.messages.append(f"screen_outliers must be True or False (got {screen_outliers!r})")
    problems.raise_if_any()
    return x, POLARITIES[polarity], target
