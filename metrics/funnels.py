"""Funnel plots: control limits around an average and each area's significance, as PHE Fingertips draws them.

Methods: D. J. Spiegelhalter (2005), "Funnel plots for comparing institutional performance", Statistics in
Medicine 24:1185-1202; PHE Fingertips Technical Guide "Funnel plots" and the APHO Technical Briefing 2
"Statistical process control methods in public health intelligence" (2007); the same numbers as
PHEindicatormethods ``calculate_funnel_limits`` and ``assign_funnel_significance`` (written here from the
published method, not from that GPL code).

Limits are drawn at 95% (two-sided z = 1.959964, the "0.025" lines) and 99.8% (z = 3.090232, "0.001").

- Proportions: the limit at denominator n is the observed proportion whose Wilson score interval just
  reaches the average p̄. The Wilson interval of p̂ at n is the set of p with (p̂ − p)² ≤ z²p(1 − p)/n, so
  its end touches p̄ exactly when p̂ = p̄ ± z·√(p̄(1 − p̄)/n): a closed form, no root finding. Limits are
  clipped to [0, multiplier]. An area is significant when its proportion lies strictly outside the limits
  at its own denominator.
- Ratios (observed ÷ expected, e.g. an indirectly standardised ratio as a plain ratio, 1 = as expected):
  lines are drawn against the observed count O, at O ÷ μ where μ is an exact Poisson limit of O (the
  expected count for which O is just significant): lower O ÷ μ_upper, upper O ÷ μ_lower. An area is High
  when the lower limit of its own ratio's interval is above 1, Low when the upper is below 1, with exact
  (χ²) limits below 10 events and Byar's from 10 (:func:`metrics.rates.count_limits`). PHE shows ISRs ×100
  and count ratios −1: both are the same lines rescaled.
- Rates (crude or directly standardised): each area's denominator is its population (crude, when given)
  or is derived from its events and rate, multiplier × O ÷ rate; the average is Σ events ÷ Σ denominators.
  Lines at O events are average × O ÷ μ (μ as for ratios), and significance compares the average with each
  area's rate interval as for ratios. DSRs with fewer than 10 events are not assessed ("Not applicable …")
  and DSRs with no events add no denominator to the average.

The default axis points (``at=None``) are PHE's: 100 points from max(1, axis minimum) to the axis maximum,
each step the geometric ratio that would reach the maximum in the steps left, rounded to a whole number
and at least one more than the point before (so the small end is 1, 2, 3, …). The axis maximum is 1.05 ×
the largest denominator rounded up to two significant figures; the minimum is 0 when the largest
denominator is more than twice the smallest, else 0.95 × the smallest rounded down to one significant
figure. Denominators are the areas' denominators (proportions), expected counts (ratios; as in PHE the
ratio grid stops one step short of its maximum) or derived denominators (rates; the axis is then turned
into events by × average, rounded down at the minimum and up at the maximum).
"""

import math
from dataclasses import dataclass

import numpy as np

from ._checks import (
    Problems,
    as_arrays,
    clean,
    non_negative_number,
    positive_number,
)
from ._shared import z_quantile
from .rates import count_limits, exact

#: the two confidence levels of a PHE funnel: 95% ("0.025" each side) and 99.8% ("0.001" each side)
CONFIDENCE_95 = 0.95
CONFIDENCE_998 = 0.998

#: PHE's significance labels, word for word
HIGH_001 = "High (0.001)"
HIGH_025 = "High (0.025)"
LOW_025 = "Low (0.025)"
LOW_001 = "Low (0.001)"
NOT_SIGNIFICANT = "Not significant"
DSR_NOT_APPLICABLE = "Not applicable for events less than 10 for dsrs"
#: the label of a row with a missing (NaN) input: it takes no part in the funnel
MISSING = ""

#: DSRs with fewer events than this are not assessed (PHE: "Not applicable for events less than 10 for dsrs")
DSR_MIN_EVENTS = 10

#: number of default axis points (PHE draws 100)
AXIS_POINTS = 100

_LABELS = np.array([LOW_001, LOW_025, HIGH_001, HIGH_025, NOT_SIGNIFICANT, DSR_NOT_APPLICABLE, MISSING])
_LOW_001, _LOW_025, _HIGH_001, _HIGH_025, _NOT_SIGNIFICANT, _DSR_NA, _MISSING = range(len(_LABELS))


@dataclass(frozen=True)
class Funnel:
    """Funnel plot limits over ``at`` and one significance label per input row.

    ``average`` is the centre line's value (proportions and rates scaled by their multiplier; for ratios
    Σ observed ÷ Σ expected, shown for reference: ratio limits and significance are judged against 1).
    ``at`` holds the denominators (proportions) or event counts (ratios, rates) at which the four limit
    arrays are given.
    """

    statistic: str
    average: float
    at: np.ndarray
    lower_95: np.ndarray
    upper_95: np.ndarray
    lower_998: np.ndarray
    upper_998: np.ndarray
    significance: np.ndarray


# --- the default axis -------------------------------------------------------------------------------------


def _digits(value: float) -> int:
    """Digits of the whole number ``value`` (≥ 0), as R's ``nchar`` counts them."""
    return len(str(int(value)))


def _to_places(value: float, shift: int, rounding) -> float:
    """``value`` rounded (``math.floor`` or ``math.ceil``) to a multiple of 10**shift; a negative shift
    divides by a power of ten rather than multiplying by an inexact 0.1 (5.3, not 5.300000000000001)."""
    if shift >= 0:
        return float(rounding(value / 10**shift) * 10**shift)
    return rounding(value * 10**-shift) / 10**-shift


def _neat_floor(x: float) -> float:
    """0.95·x rounded down to one significant figure (0 stays 0)."""
    if x == 0:
        return 0.0
    return _to_places(x * 0.95, _digits(math.floor(x * 0.95)) - 1, math.floor)


def _neat_ceiling(x: float) -> float:
    """1.05·x rounded up to two significant figures (0 stays 0)."""
    if x == 0:
        return 0.0
    return _to_places(x * 1.05, _digits(math.ceil(x * 1.05)) - 2, math.ceil)


def axis_range(smallest: float, largest: float) -> tuple[float, float]:
    """PHE's axis ends for denominators from ``smallest`` to ``largest``: 0 when they span more than a
    factor of 2, else 0.95 × smallest rounded down to one significant figure; and 1.05 × largest rounded
    up to two significant figures."""
    minimum = 0.0 if largest > 2 * smallest else _neat_floor(smallest)
    return minimum, _neat_ceiling(largest)


def axis_points(minimum: float, maximum: float, short_by: int = 0) -> np.ndarray:
    """PHE's 100 axis points from max(1, minimum) towards ``maximum``: each the previous × the geometric
    step that would reach ``maximum`` in the steps left (``short_by`` more steps for ratio funnels, whose
    grid stops short), rounded half to even as R does, and at least the previous + 1.

    A recurrence of 99 steps on one number each, so plain Python: it does not grow with the data.
    """
    points = [max(1.0, float(minimum))]
    for j in range(2, AXIS_POINTS + 1):
        previous = points[-1]
        left = AXIS_POINTS + 1 - j + short_by
        points.append(float(max(round((maximum / previous) ** (1 / left) * previous), previous + 1)))
    return np.array(points)


# --- shared pieces ----------------------------------------------------------------------------------------


def _one_dimensional(shape: tuple[int, ...]) -> tuple[int, ...]:
    if len(shape) > 1:
        raise ValueError(f"a funnel takes one value per area: arguments must be 1-D (got shape {shape})")
    return shape if shape else (1,)


def _at_points(at, default) -> np.ndarray:
    """The caller's axis points (positive, finite, 1-D), or the default grid."""
    if at is None:
        return default()
    arrays, shape = as_arrays(at=at)
    points = np.atleast_1d(arrays["at"]).astype(float)
    if len(shape) > 1:
        raise ValueError(f"at must be a 1-D array of axis points (got shape {shape})")
    if not clean((points, positive_number)):
        problems = Problems()
        problems.flag("at", points, ~np.isfinite(points), "must be finite numbers")
        problems.positive("at", points)
        problems.raise_if_any()
    return points


def _labels(low_001, low_025, high_001, high_025) -> np.ndarray:
    """PHE's order of tests: Low (0.001), Low (0.025), High (0.001), High (0.025), else not significant."""
    codes = np.select([low_001, low_025, high_001, high_025], [_LOW_001, _LOW_025, _HIGH_001, _HIGH_025],
                      default=_NOT_SIGNIFICANT)
    return codes


def _poisson_lines(at: np.ndarray, centre: float) -> tuple[np.ndarray, ...]:
    """centre × O ÷ μ at O = ``at``, μ the exact Poisson limits of O: (lower_95, upper_95, lower_998,
    upper_998)."""
    lines = []
    for confidence in (CONFIDENCE_95, CONFIDENCE_998):
        mean_low, mean_high = exact(at, np.asarray(1 - confidence))
        lines += [centre * at / mean_high, centre * at / mean_low]
    return tuple(lines)


def _count_significance(observed: np.ndarray, scale: np.ndarray, target: float) -> np.ndarray:
    """Label codes comparing ``target`` with each row's interval on observed × ``scale`` (exact below 10
    events, Byar's from 10): High when the interval's lower end is above the target."""
    (lower_95, upper_95), _ = count_limits(observed, np.asarray(CONFIDENCE_95))
    (lower_998, upper_998), _ = count_limits(observed, np.asarray(CONFIDENCE_998))
    with np.errstate(invalid="ignore"):
        return _labels(upper_998 * scale < target, upper_95 * scale < target,
                       lower_998 * scale > target, lower_95 * scale > target)


def _finish(codes: np.ndarray, missing: np.ndarray) -> np.ndarray:
    return _LABELS[np.where(missing, _MISSING, codes)]


def _no_rows(name: str) -> ValueError:
    return ValueError(f"{name}: no complete rows (every row has a missing value), so there is no average")


# --- proportions ------------------------------------------------------------------------------------------


def proportion_funnel(numerator, denominator, multiplier=100, at=None) -> Funnel:
    """Funnel limits for proportions and each area's significance (PHE Technical Guide "Funnel plots";
    Spiegelhalter 2005; Wilson 1927 score limits, see the module docstring).

    :param numerator: each area's successes, ≥ 0 and ≤ its denominator (need not be whole); 1-D.
    :param denominator: each area's trials, > 0.
    :param multiplier: scale of ``average`` and the limits (100 = per cent), > 0.
    :param at: denominators at which to give the limits; default PHE's 100 axis points.
    :return: :class:`Funnel`; ``average`` = Σ numerators ÷ Σ denominators × multiplier over the complete
        rows; limits clipped to [0, multiplier]; label "" for a row with a missing (NaN) value.
    :raise ValueError: naming each argument and offending rows.
    """
    arrays, shape = as_arrays(numerator=numerator, denominator=denominator, multiplier=multiplier)
    x, n, k = arrays.values()
    shape = _one_dimensional(shape)
    above = np.broadcast_to(x > n, shape)
    if not (clean((x, non_negative_number), (n, positive_number), (k, positive_number)) and not above.any()):
        problems = Problems()
        problems.finite(arrays)
        problems.non_negative("numerator", x)
        problems.positive("denominator", n)
        problems.flag("numerator", x, above, "must not be greater than the denominator")
        problems.positive("multiplier", k)
        problems.raise_if_any()
    if k.ndim:
        raise ValueError("multiplier must be a single number")
    x, n, k = np.broadcast_to(x, shape), np.broadcast_to(n, shape), float(k)

    missing = np.isnan(x) | np.isnan(n)
    if missing.all():
        raise _no_rows("proportion_funnel")
    average = x[~missing].sum() / n[~missing].sum()

    def default():
        return axis_points(*axis_range(n[~missing].min(), n[~missing].max()))

    points = _at_points(at, default)
    half_95, half_998 = (z_quantile(np.asarray(c)) * np.sqrt(average * (1 - average) / points)
                         for c in (CONFIDENCE_95, CONFIDENCE_998))

    def clip(limit):
        return np.clip(limit, 0.0, 1.0) * k

    with np.errstate(invalid="ignore"):
        value = x / n
        spread_95, spread_998 = (z_quantile(np.asarray(c)) * np.sqrt(average * (1 - average) / n)
                                 for c in (CONFIDENCE_95, CONFIDENCE_998))
        codes = _labels(value < average - spread_998, value < average - spread_95,
                        value > average + spread_998, value > average + spread_95)
    return Funnel(
        statistic="proportion",
        average=float(average * k),
        at=points,
        lower_95=clip(average - half_95),
        upper_95=clip(average + half_95),
        lower_998=clip(average - half_998),
        upper_998=clip(average + half_998),
        significance=_finish(codes, missing),
    )


# --- ratios -----------------------------------------------------------------------------------------------


def ratio_funnel(observed, expected, at=None) -> Funnel:
    """Funnel limits for ratios of observed to expected counts (e.g. standardised ratios, 1 = as
    expected) and each area's significance against 1 (PHE Technical Guide "Funnel plots"; exact Poisson
    limits, Ulm 1990; Byar's approximation, Breslow & Day 1987; see the module docstring).

    :param observed: each area's observed events, ≥ 0; 1-D.
    :param expected: each area's expected events, > 0.
    :param at: observed counts at which to give the limits (> 0); default PHE's axis points over the
        expected counts.
    :return: :class:`Funnel` with ratio limits O ÷ μ (not scaled: ×100 for PHE's ISR lines, −1 for its
        count lines); ``average`` = Σ observed ÷ Σ expected over the complete rows.
    :raise ValueError: naming each argument and offending rows.
    """
    arrays, shape = as_arrays(observed=observed, expected=expected)
    o, e = arrays.values()
    shape = _one_dimensional(shape)
    if not clean((o, non_negative_number), (e, positive_number)):
        problems = Problems()
        problems.finite(arrays)
        problems.non_negative("observed", o)
        problems.positive("expected", e)
        problems.raise_if_any()
    o, e = np.broadcast_to(o, shape), np.broadcast_to(e, shape)

    missing = np.isnan(o) | np.isnan(e)
    if missing.all():
        raise _no_rows("ratio_funnel")
    average = o[~missing].sum() / e[~missing].sum()

    def default():
        return axis_points(*axis_range(e[~missing].min(), e[~missing].max()), short_by=1)

    points = _at_points(at, default)
    lower_95, upper_95, lower_998, upper_998 = _poisson_lines(points, 1.0)
    codes = _count_significance(o, 1 / e, 1.0)
    return Funnel(
        statistic="ratio",
        average=float(average),
        at=points,
        lower_95=lower_95,
        upper_95=upper_95,
        lower_998=lower_998,
        upper_998=upper_998,
        significance=_finish(codes, missing),
    )


# --- rates ------------------------------------------------------------------------------------------------

RATE_TYPES = ("crude", "dsr")


def rate_funnel(numerator, rate, multiplier=100_000, rate_type="crude", population=None, at=None) -> Funnel:
    """Funnel limits for crude or directly standardised rates and each area's significance (PHE Technical
    Guide "Funnel plots"; exact Poisson limits, Ulm 1990; Byar's, Breslow & Day 1987; see the module
    docstring).

    :param numerator: each area's events, ≥ 0; 1-D.
    :param rate: each area's rate per ``multiplier``, ≥ 0 (> 0 where it gives the denominator).
    :param multiplier: the rate's scale, e.g. 100000 for "per 100,000"; > 0.
    :param rate_type: "crude" or "dsr". DSRs under 10 events are labelled "Not applicable for events less
        than 10 for dsrs" and DSRs with no events add no denominator to the average.
    :param population: crude rates only: each area's denominator, > 0 (NaN where not known); used in
        place of multiplier × events ÷ rate, and needed where a crude rate has no events.
    :param at: event counts at which to give the limits (> 0); default PHE's axis points.
    :return: :class:`Funnel`; ``average`` = Σ events ÷ Σ denominators × multiplier over the complete rows.
    :raise ValueError: naming each argument and offending rows.
    """
    if rate_type not in RATE_TYPES:
        raise ValueError(f"rate_type must be 'crude' or 'dsr' (got {rate_type!r})")
    if population is not None and rate_type == "dsr":
        raise ValueError("population applies to crude rates only: a DSR's denominator is derived from "
                         "its events and rate")
    named = dict(numerator=numerator, rate=rate, multiplier=multiplier)
    if population is not None:
        named["population"] = population
    arrays, shape = as_arrays(**named)
    shape = _one_dimensional(shape)
    o, r, k = arrays["numerator"], arrays["rate"], arrays["multiplier"]
    pop = arrays.get("population")
    problems = Problems()
    problems.finite(arrays)
    problems.non_negative("numerator", o)
    problems.non_negative("rate", r)
    problems.positive("multiplier", k)
    if pop is not None:
        problems.positive("population", pop)
    problems.raise_if_any()
    if k.ndim:
        raise ValueError("multiplier must be a single number")
    o, r, k = np.broadcast_to(o, shape), np.broadcast_to(r, shape), float(k)
    pop = np.broadcast_to(pop, shape) if pop is not None else np.full(shape, np.nan)

    known_pop = ~np.isnan(pop)
    missing = np.isnan(o) | (np.isnan(r) & ~known_pop)
    needs_rate = ~missing & ~known_pop & (o > 0)
    problems.flag("rate", r, needs_rate & (r == 0),
                  "must be greater than zero where the numerator is (it gives the denominator)")
    if rate_type == "crude":
        problems.flag("population", pop, ~missing & ~known_pop & (o == 0),
                      "is needed for a crude rate with no events (the rate cannot give the denominator)")
    problems.raise_if_any()
    if missing.all():
        raise _no_rows("rate_funnel")

    with np.errstate(divide="ignore", invalid="ignore"):
        denominator = np.where(known_pop, pop, np.where(o > 0, k * o / r, np.nan))
    counted = ~missing & ~np.isnan(denominator)
    if not counted.any():
        raise ValueError("rate_funnel: no row has a denominator (every DSR has no events)")
    average = o[~missing].sum() / denominator[counted].sum()

    def default():
        minimum, maximum = axis_range(denominator[counted].min(), denominator[counted].max())
        return axis_points(math.floor(minimum * average), math.ceil(maximum * average))

    points = _at_points(at, default)
    lower_95, upper_95, lower_998, upper_998 = _poisson_lines(points, average * k)
    with np.errstate(divide="ignore", invalid="ignore"):
        codes = _count_significance(o, 1 / denominator, average)
    if rate_type == "dsr":
        codes = np.where(o < DSR_MIN_EVENTS, _DSR_NA, codes)
    return Funnel(
        statistic=f"rate ({rate_type})",
        average=float(average * k),
        at=points,
        lower_95=lower_95,
        upper_95=upper_95,
        lower_998=lower_998,
        upper_998=upper_998,
        significance=_finish(codes, missing),
    )
