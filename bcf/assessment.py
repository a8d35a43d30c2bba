"""Metric assessment (rules-2015-16.md §4, §5, §7): values, intervals, achievement and significance.

For each metric and payment period of a checked plan: the baseline and actual values with their
confidence intervals (from counts, by the statistic type's public-health method in :mod:`metrics`), the
achievement of the level of ambition and its payable fraction, the minimum significant ambition, the
change test and the trend.

Two steps: :func:`measure` sends the counts of any number of plans to :mod:`metrics`, one array call per
statistic type for them all (a national run measures every board at once); :func:`assess` then judges one
plan's metric-periods from their statistics, and reads for that one plan.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

import numpy as np

import metrics
from bcf.catalogue import COUNT, LOCAL, Catalogue, MetricInfo, metric_info, statistic_type
from bcf.figures import apart, count, four_figures, ratio_of_differences
from bcf.money import exact_decimal
from bcf.plan import BareValue, Counts, MetricPlan, PeriodPlan, Plan, Score, Standardised
from bcf.results import (
    ASSESSED,
    DETERMINED,
    NOT_ASSESSABLE,
    PENDING,
    Estimate,
    MetricResult,
    PlanWarning,
)
from bcf.rules import RuleSet


@dataclass(frozen=True, slots=True)
class Subject:
    """One metric in one payment period, with what the catalogue and rule set say about it."""

    metric: MetricPlan
    info: MetricInfo
    kind: str  # the statistic type the count blocks give
    period_id: str
    months: int  # averaging months: the rule set's for a per-month metric, else 1
    period: PeriodPlan
    tranche: str | None


def subjects(plan: Plan, rule_set: RuleSet, catalogue: Catalogue) -> list[Subject]:
    """The plan's metric-periods in a fixed order (rule-set period, then catalogue order): the order of
    ``metrics`` in the request changes nothing."""
    tranche_of = rule_set.metric_tranches
    rank = {metric: i for i, metric in enumerate([*catalogue.national, LOCAL])}
    ordered = sorted(plan.metrics, key=lambda metric: rank.get(metric.metric, len(rank)))
    known = [(metric, metric_info(metric, catalogue)) for metric in ordered]  # what each is, once
    found = []
    for period_id, rule_periods in rule_set.periods.items():
        for metric, info in known:
            period = metric.periods.get(period_id)
            rule_period = rule_periods.get(metric.metric)  # rule_set.period(period_id, metric.metric)
            if period is None or rule_period is None or info is None:
                continue
            kind = statistic_type(info, (period.baseline, period.actual))
            months = rule_period.months if info.monthly_average else 1  # §4: per-month metrics only
            tranche = tranche_of.get((period_id, metric.metric))
            found.append(Subject(metric, info, kind, period_id, months, period, tranche))
    return found


# --- statistics: what metrics gives each metric-period ---------------------------------------------------

#: A metric-period of one of the plans measured together: (plan index, metric, period).
Key = tuple[int, str, str]
BASELINE, ACTUAL = "baseline", "actual"
#: One count block of a metric-period: (its key, BASELINE or ACTUAL).
BlockKey = tuple[Key, str]


@dataclass(frozen=True, slots=True)
class Statistics:
    """What :mod:`metrics` gives one metric-period: its estimates, the change test (§7) and the trend."""

    baseline: Estimate
    actual: Estimate | None  # None: no actual yet, or actuals ignored (setting ambitions)
    change_p_value: float | None
    trend_projection: float | None


class _Change(NamedTuple):
    """A change from baseline to actual to test (§7), with each DSR's variance (None for other types)."""

    subject: Subject
    baseline: Estimate
    actual: Estimate
    baseline_variance: float | None
    actual_variance: float | None


def measure(
    plans: Sequence[Sequence[Subject]], rule_set: RuleSet, catalogue: Catalogue, with_actuals: bool = True
) -> list[list[Statistics]]:
    """The statistics of every metric-period of ``plans``: one :mod:`metrics` array call per statistic
    type for them all, because for the handful of values one plan has, numpy's per-call overhead costs more
    than the sums (a national run measures 152 boards together).

    Each element of ``metrics`` is computed on its own, so a plan's figures do not depend on which plans
    it is measured with. ``with_actuals=False`` ignores actuals (setting ambitions).

    :return: per plan, the statistics of each of its subjects, in the orders given.
    """
    confidence = float(rule_set.confidence_level)
    subject_of = {_key(i, subject): subject for i, plan in enumerate(plans) for subject in plan}
    blocks: dict[BlockKey, tuple[object, str, int]] = {}
    for key, subject in subject_of.items():
        blocks[key, BASELINE] = (subject.period.baseline, subject.kind, subject.months)
        if with_actuals and subject.period.actual is not None:
            blocks[key, ACTUAL] = (subject.period.actual, subject.kind, subject.months)
    # Extreme but valid inputs may overflow to inf or nan here; non_finite_problems refuses such plans.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        values, variances = estimates(blocks, confidence, catalogue)
        changes = {
            key: _Change(
                subject, values[key, BASELINE], values[key, ACTUAL],
                variances.get((key, BASELINE)), variances.get((key, ACTUAL)),
            )
            for key, subject in subject_of.items()
            if (key, ACTUAL) in values
        }
        p_values = change_p_values(changes)
    projections = trend_projections(subject_of)
    statistics_of = {
        key: Statistics(
            values[key, BASELINE], values.get((key, ACTUAL)), p_values.get(key), projections.get(key)
        )
        for key in subject_of
    }
    return [[statistics_of[_key(i, subject)] for subject in plan] for i, plan in enumerate(plans)]


def _key(plan_index: int, subject: Subject) -> Key:
    """The one place where a position (the plan's, among those measured together) becomes part of a key."""
    return plan_index, subject.metric.metric, subject.period_id


def _optional(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _methods(method: str | np.ndarray, size: int) -> list[str]:
    """Per element: a method of its own (rates: exact or Byar's) or one for all (e.g. wilson)."""
    return [method] * size if isinstance(method, str) else method.tolist()


def _dsr_estimates(
    chosen: list[Standardised], months: list[int], confidence: float, catalogue: Catalogue
) -> list[tuple[Estimate, float]]:
    """DSRs (one row of age bands each) and their variances, per month for a monthly average
    (value and limits ÷ months, variance ÷ months²)."""
    dsr = metrics.dsr(
        np.array([[band.events for band in block.bands] for block in chosen], dtype=float),
        np.array([[band.population for band in block.bands] for block in chosen], dtype=float),
        np.array([[band.standard_population for band in block.bands] for block in chosen], dtype=float),
        confidence,
        catalogue.statistic_types["dsr"].multiplier,
    )
    found = []
    for each_months, value, lower, upper, variance in zip(
        months, dsr.value.tolist(), dsr.lower.tolist(), dsr.upper.tolist(), dsr.variance.tolist(), strict=True
    ):
        lower, upper = _optional(lower), _optional(upper)
        estimate = Estimate(
            value / each_months,
            None if lower is None else lower / each_months,
            None if upper is None else upper / each_months,
            dsr.method if lower is not None else None,
        )
        found.append((estimate, variance / each_months**2))
    return found


def estimates(
    blocks: Mapping[BlockKey, tuple[object, str, int]], confidence: float, catalogue: Catalogue
) -> tuple[dict[BlockKey, Estimate], dict[BlockKey, float]]:
    """Value and interval of each ``(count block, statistic type, months)``, one :mod:`metrics` call per
    type (per number of age bands for DSRs).

    A monthly average divides the value and its limits by the months (metrics.md: "then scaled like the
    value"); for rates that is the rate on person-time denominator × months.

    :return: the estimates, and the variance of each DSR (for its change test), by the keys of ``blocks``.
    """
    found: dict[BlockKey, Estimate] = {}
    variances: dict[BlockKey, float] = {}
    groups: dict[str, list[BlockKey]] = {}
    for key, (block, kind, _) in blocks.items():
        if isinstance(block, BareValue) and kind == COUNT:  # the count itself: a Poisson interval on it
            groups.setdefault(COUNT, []).append(key)
        elif isinstance(block, BareValue):
            found[key] = Estimate(float(block.value))
        elif isinstance(block, Standardised):  # one call per number of age bands (areas x bands)
            groups.setdefault(f"dsr-{len(block.bands)}", []).append(key)
        else:
            groups.setdefault(kind if isinstance(block, Counts) else "score", []).append(key)
    for kind, group in groups.items():
        chosen = [blocks[key][0] for key in group]
        months = [blocks[key][2] for key in group]
        if kind.startswith("dsr"):
            for key, (estimate, variance) in zip(
                group, _dsr_estimates(chosen, months, confidence, catalogue), strict=True
            ):
                found[key], variances[key] = estimate, variance
            continue
        # lists go to metrics as they are: it makes each one float array (numpy.asarray), where an
        # np.array here would make an integer array for it to convert again
        if kind == "score":
            interval = metrics.mean_score(
                [block.mean for block in chosen],
                [block.sd for block in chosen],
                [block.n for block in chosen],
                confidence,
            )
        elif kind == COUNT:  # a count over its own period: the rate on an exposure of 1, multiplier 1
            interval = metrics.rate(
                [block.value for block in chosen], [1.0] * len(chosen), confidence,
                catalogue.statistic_types[COUNT].multiplier,
            )
        elif kind == "proportion":
            interval = metrics.proportion(
                [block.numerator for block in chosen],
                [block.denominator for block in chosen],
                confidence,
                catalogue.statistic_types["proportion"].multiplier,
            )
        else:  # rate, on person-time: denominator × months
            interval = metrics.rate(
                [block.numerator for block in chosen],
                [block.denominator * each_months for block, each_months in zip(chosen, months, strict=True)],
                confidence,
                catalogue.statistic_types["rate"].multiplier,
            )
        for key, value, lower, upper, method in zip(
            group, interval.value.tolist(), interval.lower.tolist(), interval.upper.tolist(),
            _methods(interval.method, len(group)), strict=True,
        ):
            found[key] = Estimate(value, _optional(lower), _optional(upper), method)
    return found, variances


def change_p_values(changes: Mapping[Key, _Change]) -> dict[Key, float | None]:
    """Two-sided p-value of each change from baseline to actual (§7), one :mod:`metrics` call per type.

    No entry where either value has no counts (a bare value) or no interval (too few events for a DSR).
    """
    groups: dict[str, list[Key]] = {}
    for key, change in changes.items():
        baseline, actual = change.subject.period.baseline, change.subject.period.actual
        if change.subject.kind == COUNT and change.baseline.ci_lower is not None:
            groups.setdefault(COUNT, []).append(key)  # counts sent as {value}: the count itself
            continue
        if (
            isinstance(baseline, BareValue)
            or isinstance(actual, BareValue)
            or change.baseline.ci_lower is None
            or change.actual.ci_lower is None
        ):
            continue
        kind = "dsr" if isinstance(baseline, Standardised) else change.subject.kind
        groups.setdefault(kind, []).append(key)
    found: dict[Key, float | None] = {}
    for kind, keys in groups.items():
        group = [changes[key] for key in keys]
        before = [change.subject.period.baseline for change in group]
        after = [change.subject.period.actual for change in group]
        # lists go to metrics as they are (it makes each one a float array); exposures are denominator ×
        # months as float × float, the multiplication numpy did on the float arrays before
        if kind == COUNT:  # two counts over periods of the same length (a quarter and its baseline)
            test = metrics.compare_rates(
                [block.value for block in before], [1.0] * len(group),
                [block.value for block in after], [1.0] * len(group),
            )
        elif kind == "dsr":
            test = metrics.compare_dsrs(
                [change.baseline.value for change in group],
                [change.baseline_variance for change in group],
                [change.actual.value for change in group],
                [change.actual_variance for change in group],
            )
        elif kind == "rate":
            months = [float(change.subject.months) for change in group]
            test = metrics.compare_rates(
                [block.numerator for block in before],
                [float(block.denominator) * each for block, each in zip(before, months, strict=True)],
                [block.numerator for block in after],
                [float(block.denominator) * each for block, each in zip(after, months, strict=True)],
            )
        elif kind == "proportion":
            test = metrics.compare_proportions(
                [block.numerator for block in before], [block.denominator for block in before],
                [block.numerator for block in after], [block.denominator for block in after],
            )
        else:
            test = metrics.compare_means(
                [block.mean for block in before],
                [block.sd for block in before],
                [block.n for block in before],
                [block.mean for block in after],
                [block.sd for block in after],
                [block.n for block in after],
            )
        for key, p_value in zip(keys, test.p_value.tolist(), strict=True):
            found[key] = _optional(p_value)
    return found


def trend_projections(subject_of: Mapping[Key, Subject]) -> dict[Key, float | None]:
    """§7 trend: the OLS projection of each period's history (at least three values; no entry without);
    histories of the same length go to :mod:`metrics` as one array call."""
    by_length: dict[int, list[Key]] = {}
    for key, subject in subject_of.items():
        history = subject.period.history
        if history is not None and len(history) >= 3:
            by_length.setdefault(len(history), []).append(key)
    found: dict[Key, float | None] = {}
    for group in by_length.values():
        histories = np.array([subject_of[key].period.history for key in group], dtype=float)
        fitted = metrics.trend_projection(histories).projection.tolist()
        for key, projection in zip(group, fitted, strict=True):
            found[key] = _optional(projection)
    return found


# --- achievement (§5) ----------------------------------------------------------------------------------


def better(x: float, y: float, polarity: str) -> bool:
    """``x`` is strictly better than ``y`` for a metric of this polarity."""
    return x < y if polarity == "lower" else x > y


def achievement(baseline: float, plan: float, actual: float, polarity: str) -> tuple[float, str, bool]:
    """Achievement of the level of ambition, unclipped (§5), with the sentence that shows the sum.

    The sum is the one exception to the 4 significant figures of the value descriptions (rules §8): B, T
    and A are shown with the decimal places that make the shown differences carry 4 significant figures
    and give the achievement shown, and the achievement is never shown as 1 when it is not 1
    (:func:`bcf.figures.ratio_of_differences`). At 4 significant figures the differences can vanish:
    "(478.4 − 478.2) ÷ (478.4 − 478.3) = 1.623" gives 2.0 to a reader who does the sum (review finding).

    :return: (achievement, explanation, whether the plan is an improvement on the baseline).
    """
    # not finite: refused by non_finite_problems
    if not (math.isfinite(baseline) and math.isfinite(plan) and math.isfinite(actual)):
        return math.nan, f"achievement cannot be computed from {_terms(baseline, plan, actual)}", True
    if not better(plan, baseline, polarity):
        baseline_text, plan_text, actual_text = apart(baseline, plan, actual)  # the sentence compares them
        value = 1.0 if not better(plan, actual, polarity) else 0.0
        words = "at least as good as" if value == 1.0 else "worse than"
        return (
            value,
            (
                f"the plan {plan_text} is not an improvement on the baseline {baseline_text} ({polarity} is "
                f"better), so achievement is 1 if the actual is at least as good as the plan, else 0: actual "
                f"{actual_text} is {words} the plan, achievement {value:g}"
            ),
            False,
        )
    formula = "(B − A) ÷ (B − T)" if polarity == "lower" else "(A − B) ÷ (T − B)"
    terms, exact = achievement_ratio(baseline, plan, actual, polarity)
    value = float(exact)
    if not math.isfinite(value):  # a plan 1e-300 from its baseline: refused by non_finite_problems
        text = f"achievement {formula} cannot be computed from {_terms(baseline, plan, actual)}"
    else:
        text = f"achievement {formula} = {ratio_of_differences(*terms, exact)} ({polarity} is better)"
    return value, text, True


def achievement_ratio(baseline: float, plan: float, actual: float, polarity: str
                      ) -> tuple[tuple[Decimal, Decimal, Decimal, Decimal], Decimal]:
    """The achievement of an improving plan (§5) in Decimal, with the four terms of its formula.

    The ratio is taken from each value's shortest repr: 2.7 ÷ 3.6 is exactly 0.75 (a float gives
    0.7499999999999921, and released money then rounds a half penny down: review finding, §8).
    :mod:`bcf.simulation` prices a draw too close to call with it.
    """
    exact_baseline, exact_plan = exact_decimal(baseline), exact_decimal(plan)
    exact_actual = exact_decimal(actual)
    if polarity == "lower":
        terms = (exact_baseline, exact_actual, exact_baseline, exact_plan)
    else:
        terms = (exact_actual, exact_baseline, exact_plan, exact_baseline)
    return terms, (terms[0] - terms[1]) / (terms[2] - terms[3])


def _terms(baseline: float, plan: float, actual: float) -> str:
    return f"baseline {four_figures(baseline)}, plan {four_figures(plan)}, actual {four_figures(actual)}"


def payable_fraction(value: float, payment_mode: str) -> float:
    """§5: pro-rata clamps achievement to [0, 1]; all-or-nothing pays only a full achievement."""
    if payment_mode == "all_or_nothing":
        return 1.0 if value >= 1 else 0.0
    return min(max(value, 0.0), 1.0)


# --- describing one value ---------------------------------------------------------------------------------


METHOD_NAMES = {"byars": "Byar's", "exact": "exact Poisson", "wilson": "Wilson", "dobson": "Dobson", "t": "t"}


def describe(
    block: object,
    estimate: Estimate,
    subject: Subject,
    confidence_text: str,
    multiplier_text: str,
    estimate_texts: tuple[str, str | None, str | None] | None = None,
) -> str:
    """How a value was formed from its counts (metrics.md), to 4 significant figures.

    :param confidence_text: the confidence level as written ("95%"), :param multiplier_text: the rate
        multiplier as written ("100,000"): the same for every value, so written once per plan.
    :param estimate_texts: the estimate as :func:`_estimate_texts` writes it, when the caller has written
        it already (the baseline's figures appear again in the warnings): each figure is formatted once.
    """
    value, lower, upper = _estimate_texts(estimate) if estimate_texts is None else estimate_texts
    months = subject.months
    if isinstance(block, BareValue) and subject.kind != COUNT:
        return value + " (a bare value: no interval)"
    if isinstance(block, BareValue):
        formula = "a count of"
    elif isinstance(block, Counts) and subject.kind == "rate":
        per_month = f" ÷ {months} months" if months != 1 else ""
        formula = f"{count(block.numerator)}{per_month} ÷ {count(block.denominator)} × {multiplier_text}"
    elif isinstance(block, Counts):
        formula = f"{count(block.numerator)} ÷ {count(block.denominator)} × 100%"
    elif isinstance(block, Score):
        formula = f"mean score of {count(block.n)} respondents"
    else:
        formula = f"DSR of {len(block.bands)} age bands" + (f" ÷ {months} months" if months != 1 else "")
    if isinstance(block, BareValue):  # a count: "a count of 5,000 (95% CI …)"
        return f"{formula} {value} ({confidence_text} CI {lower} to {upper}, {METHOD_NAMES[estimate.method]})"
    if lower is None:
        return f"{formula} = {value} (no interval: too few events)"
    method = METHOD_NAMES.get(estimate.method, estimate.method)
    return f"{formula} = {value} ({confidence_text} CI {lower} to {upper}, {method})"


def _estimate_texts(estimate: Estimate) -> tuple[str, str | None, str | None]:
    """An estimate's value and limits as :func:`four_figures` writes them; limits None without an interval
    (a lower limit of None is what :func:`describe` tests for "no interval")."""
    if estimate.ci_lower is None:
        return four_figures(estimate.value), None, None
    return four_figures(estimate.value), four_figures(estimate.ci_lower), four_figures(estimate.ci_upper)


# --- the assessment of one plan ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Assessment:
    """A metric result with what the tranche needs: the achievement sentence and the unrounded value."""

    result: MetricResult
    achievement_text: str | None
    unrounded_achievement: float | None


def assess(
    metric_periods: Sequence[Subject],
    measured: Sequence[Statistics],
    rule_set: RuleSet,
    catalogue: Catalogue,
    with_actuals: bool = True,
) -> tuple[list[Assessment], list[PlanWarning]]:
    """Assess one plan's metric-periods (§4, §5, §7) from their statistics (:func:`measure`);
    ``with_actuals=False`` ignores actuals (setting ambitions).

    :return: the assessments in ``metric_periods`` order, and the warnings they raise.
    """
    confidence = float(rule_set.confidence_level)
    multiplier = catalogue.statistic_types["rate"].multiplier
    texts = (f"{confidence:.0%}", f"{multiplier:,}")  # as every sentence writes them: "95%", "100,000"
    warnings: list[PlanWarning] = []
    assessments = [
        _assessment(subject, stats, rule_set, confidence, texts, with_actuals, warnings)
        for subject, stats in zip(metric_periods, measured, strict=True)
    ]
    return assessments, warnings


def _assessment(
    subject: Subject,
    stats: Statistics,
    rule_set: RuleSet,
    confidence: float,
    texts: tuple[str, str],
    with_actuals: bool,
    warnings: list[PlanWarning],
) -> Assessment:
    """One metric-period's result from its estimates, test and trend; its warnings go to ``warnings``.

    :param texts: the confidence level and the rate multiplier as written ("95%", "100,000").
    """
    confidence_text = texts[0]
    minimum_denominator = rule_set.small_numbers_min_denominator
    base, actual = stats.baseline, stats.actual
    p_value, projection = stats.change_p_value, stats.trend_projection
    polarity, plan = subject.info.polarity, float(subject.period.plan)
    metric, period_id = subject.metric.metric, subject.period_id
    lower = polarity == "lower"
    msa = base.ci_lower if lower else base.ci_upper
    significant = None if msa is None else better(plan, msa, polarity)
    beyond = None if projection is None else better(plan, projection, polarity)
    # Each figure written once: the plan, the baseline and its limits appear in the warnings again, and
    # the minimum significant ambition is one of the baseline's limits.
    base_texts = _estimate_texts(base)
    plan_text = four_figures(plan)
    parts = [
        f"{metric} {period_id} ({subject.kind}, {polarity} is better): baseline ",
        describe(subject.period.baseline, base, subject, *texts, base_texts),
        ", plan ",
        plan_text,
    ]
    if msa is not None:
        msa_text = base_texts[1 if lower else 2] if base_texts[1] is not None else four_figures(msa)
        parts.append(
            f" ({'beyond' if significant else 'not beyond'} the minimum significant ambition {msa_text})"
        )
    if projection is not None:
        parts.append(f", trend projection {four_figures(projection)}")
    if significant is False:
        # without an interval on one side four_figures(None) fails here, as it did when it was written out
        # each time
        low, high = (
            base_texts[1:] if base_texts[1] is not None
            else (four_figures(base.ci_lower), four_figures(base.ci_upper))
        )
        warnings.append(
            PlanWarning(
                "ambition_not_significant",
                metric,
                period_id,
                f"The planned value {plan_text} does not go beyond {msa_text}, the improving side of "
                f"the baseline's {confidence_text} confidence interval ({low} to "
                f"{high}): a change short of that may be variation alone.",
            )
        )
    if not better(plan, base.value, polarity):
        warnings.append(
            PlanWarning(
                "ambition_not_an_improvement",
                metric,
                period_id,
                f"The planned value {plan_text} is not an improvement on the baseline {base_texts[0]} "
                f"({polarity} is better): achievement is 1 if the actual is at least as good as the "
                f"plan, else 0.",
            )
        )
    size = _size(subject.period.baseline)
    if size is not None and size < minimum_denominator:
        warnings.append(
            PlanWarning(
                "small_numbers",
                metric,
                period_id,
                f"The baseline denominator {count(size)} is below {minimum_denominator}: the metric is "
                f"subject to small numbers, which the guidance asks plans to avoid.",
            )
        )

    achieved = fraction = text = None
    if actual is not None:
        achieved, text, _ = achievement(base.value, plan, actual.value, polarity)
        fraction = payable_fraction(achieved, rule_set.payment_mode)
        parts += (", actual ", describe(subject.period.actual, actual, subject, *texts), "; ", text)
        if p_value is not None:
            parts.append(
                f"; change p = {p_value:.4g} "
                f"({'significant' if p_value < 1 - confidence else 'not significant'} "
                f"at {confidence_text})"
            )
    elif with_actuals:
        parts.append("; no actual yet, so achievement is pending")
    if subject.tranche is None and metric in rule_set.monitored_metrics:
        parts.append(f"; monitored only under {rule_set.id}: assessed and reported, no tranche pays it")
    no_interval = base.ci_lower is None or (actual is not None and actual.ci_lower is None)
    result = MetricResult(
        metric=metric,
        period=period_id,
        tranche=subject.tranche,
        local_metric=subject.metric.local_metric,
        name=subject.info.name,
        type=subject.kind,
        polarity=polarity,
        unit=subject.info.unit,
        months=subject.months,
        status=DETERMINED if actual is not None else PENDING,
        baseline=base,
        plan=plan,
        actual=actual,
        achievement=None if achieved is None else round(achieved, 6),
        payable_fraction=fraction,
        significance=NOT_ASSESSABLE if no_interval else ASSESSED,
        minimum_significant_ambition=msa,
        ambition_significant=significant,
        change_p_value=p_value,
        change_significant=None if p_value is None else p_value < 1 - confidence,
        trend_projection=projection,
        ambition_beyond_trend=beyond,
        explanation="".join(parts),
    )
    return Assessment(result, text, achieved)


def non_finite_problems(plan: Plan, assessments: Sequence[Assessment]) -> list[dict[str, str]]:
    """Inputs each within bounds can still give a figure no float can hold (1e12 events over a
    population of 1e-300; a plan 1e-300 from its baseline): such a plan is refused, naming the block,
    rather than answered with Infinity (not JSON) or failing when the money is priced.

    :return: one ``{location, message}`` per block or plan whose computed figures are not finite.
    """
    index = {metric.metric: i for i, metric in enumerate(plan.metrics)}
    problems = []
    for assessment in assessments:
        result, achieved = assessment.result, assessment.unrounded_achievement
        where = f"metrics[{index[result.metric]}].periods.{result.period}"
        blocks = [name for name, estimate in (("baseline", result.baseline), ("actual", result.actual))
                  if not _finite(estimate)]
        for name in blocks:
            problems.append({"location": f"{where}.{name}", "message": (
                "these figures give a value too large to compute: check the denominator")})
        if not blocks and achieved is not None and not math.isfinite(achieved):
            problems.append({"location": f"{where}.plan", "message": (
                "the plan is too close to the baseline for the change to be measured against it: "
                "achievement is not a finite number")})
    return problems


def _finite(estimate: Estimate | None) -> bool:
    """No estimate, or one whose value and limits are all finite numbers."""
    return estimate is None or (
        math.isfinite(estimate.value)
        and (estimate.ci_lower is None or math.isfinite(estimate.ci_lower))
        and (estimate.ci_upper is None or math.isfinite(estimate.ci_upper))
    )


def _size(block: object) -> float | None:
    """The baseline's denominator (population, cohort or respondents) for the small-numbers check."""
    if isinstance(block, Counts):
        return block.denominator
    if isinstance(block, Score):
        return block.n
    if isinstance(block, Standardised):
        return sum(band.population for band in block.bands)
    return None
