"""Metric assessment (rules-2015-16.md §4, §5, §7): values, intervals, achievement and significance.

For each metric and payment period of a checked plan: the baseline and actual values with their
confidence intervals (from counts, by the statistic type's public-health method in :mod:`metrics`), the
achievement of the level of ambition and its payable fraction, the minimum significant ambition, the
change test and the trend. All periods of one statistic type go to :mod:`metrics` as one array call, so a
whole plan costs a handful of vectorised calls rather than dozens of scalar ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

import metrics
from bcf.catalogue import LOCAL, Catalogue, MetricInfo, metric_info, statistic_type
from bcf.figures import apart, count, fmt, ratio_of_differences
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
    rank = {m: i for i, m in enumerate([*catalogue.national, LOCAL])}
    ordered = sorted(plan.metrics, key=lambda m: rank.get(m.metric, len(rank)))
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


# --- estimates ------------------------------------------------------------------------------------------


def _optional(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _listed(values: np.ndarray) -> list:
    """A :mod:`metrics` result array (arrays in, arrays out) as Python floats or str, taken out once
    rather than element by element (each numpy scalar costs a conversion)."""
    return values.tolist()


def _methods(method: str | np.ndarray, count: int) -> list[str]:
    """Per element: a method of its own (rates: exact or Byar's) or one for all (e.g. wilson)."""
    return [method] * count if isinstance(method, str) else method.tolist()


def _dsrs(
    chosen: list[Standardised],
    months: list[int],
    index: list[int],
    confidence: float,
    catalogue: Catalogue,
    out: list,
    variances: dict[int, float],
) -> None:
    """DSRs (one row of age bands each) and their variances, per month for a monthly average
    (value and limits ÷ months, variance ÷ months²)."""
    r = metrics.dsr(
        np.array([[b.events for b in block.bands] for block in chosen], dtype=float),
        np.array([[b.population for b in block.bands] for block in chosen], dtype=float),
        np.array([[b.standard_population for b in block.bands] for block in chosen], dtype=float),
        confidence,
        catalogue.statistic_types["dsr"].multiplier,
    )
    for i, m, value, lower, upper, variance in zip(
        index, months, _listed(r.value), _listed(r.lower), _listed(r.upper), _listed(r.variance), strict=True
    ):
        lower, upper = _optional(lower), _optional(upper)
        out[i] = Estimate(
            value / m,
            None if lower is None else lower / m,
            None if upper is None else upper / m,
            r.method if lower is not None else None,
        )
        variances[i] = variance / m**2


def estimates(
    blocks: Sequence[tuple[object, str, int]], confidence: float, catalogue: Catalogue
) -> tuple[list[Estimate], dict[int, float]]:
    """Value and interval of each ``(block, statistic type, months)``, one :mod:`metrics` call per type.

    A monthly average divides the value and its limits by the months (metrics.md: "then scaled like the
    value"); for rates that is the rate on person-time denominator × months.

    :return: the estimates, and the variance of each DSR keyed by the block's position (for its test).
    """
    out: list[Estimate | None] = [None] * len(blocks)
    variances: dict[int, float] = {}
    groups: dict[str, list[int]] = {}
    for i, (block, kind, _) in enumerate(blocks):
        if isinstance(block, BareValue):
            out[i] = Estimate(float(block.value))
        elif isinstance(block, Standardised):  # one call per number of age bands (areas x bands)
            groups.setdefault(f"dsr-{len(block.bands)}", []).append(i)
        else:
            groups.setdefault(kind if isinstance(block, Counts) else "score", []).append(i)
    for kind, index in groups.items():
        chosen = [blocks[i][0] for i in index]
        if kind.startswith("dsr"):
            _dsrs(chosen, [blocks[i][2] for i in index], index, confidence, catalogue, out, variances)
            continue
        # lists go to metrics as they are: it makes each one float array (numpy.asarray), where an
        # np.array here would make an integer array for it to convert again
        if kind == "score":
            r = metrics.mean_score(
                [b.mean for b in chosen], [b.sd for b in chosen], [b.n for b in chosen], confidence
            )
        elif kind == "proportion":
            r = metrics.proportion(
                [b.numerator for b in chosen],
                [b.denominator for b in chosen],
                confidence,
                catalogue.statistic_types["proportion"].multiplier,
            )
        else:  # rate, on person-time: denominator × months
            r = metrics.rate(
                [b.numerator for b in chosen],
                [b.denominator * blocks[i][2] for b, i in zip(chosen, index, strict=True)],
                confidence,
                catalogue.statistic_types["rate"].multiplier,
            )
        for i, value, lower, upper, method in zip(
            index, _listed(r.value), _listed(r.lower), _listed(r.upper), _methods(r.method, len(index)),
            strict=True,
        ):
            out[i] = Estimate(value, _optional(lower), _optional(upper), method)
    return out, variances  # type: ignore[return-value]


def change_p_values(
    pairs: Sequence[tuple[Subject, Estimate, Estimate, float | None, float | None]],
) -> list[float | None]:
    """Two-sided p-value of the change from baseline to actual (§7), one :mod:`metrics` call per type.

    ``pairs`` holds (subject, baseline, actual, baseline DSR variance, actual DSR variance). None where
    either value has no counts (a bare value) or no interval (too few events for a DSR).
    """
    out: list[float | None] = [None] * len(pairs)
    groups: dict[str, list[int]] = {}
    for i, (subject, base, actual, _, _) in enumerate(pairs):
        b, a = subject.period.baseline, subject.period.actual
        if (
            isinstance(b, BareValue)
            or isinstance(a, BareValue)
            or base.ci_lower is None
            or actual.ci_lower is None
        ):
            continue
        groups.setdefault("dsr" if isinstance(b, Standardised) else subject.kind, []).append(i)
    for kind, index in groups.items():
        b = [pairs[i][0].period.baseline for i in index]
        a = [pairs[i][0].period.actual for i in index]
        # lists go to metrics as they are (it makes each one a float array); exposures are denominator ×
        # months as float × float, the multiplication numpy did on the float arrays before
        if kind == "dsr":
            r = metrics.compare_dsrs(
                [pairs[i][1].value for i in index],
                [pairs[i][3] for i in index],
                [pairs[i][2].value for i in index],
                [pairs[i][4] for i in index],
            )
        elif kind == "rate":
            months = [float(pairs[i][0].months) for i in index]
            r = metrics.compare_rates(
                [x.numerator for x in b],
                [float(x.denominator) * m for x, m in zip(b, months, strict=True)],
                [x.numerator for x in a],
                [float(x.denominator) * m for x, m in zip(a, months, strict=True)],
            )
        elif kind == "proportion":
            r = metrics.compare_proportions(
                [x.numerator for x in b], [x.denominator for x in b], [x.numerator for x in a],
                [x.denominator for x in a],
            )
        else:
            r = metrics.compare_means(
                [x.mean for x in b], [x.sd for x in b], [x.n for x in b],
                [x.mean for x in a], [x.sd for x in a], [x.n for x in a],
            )
        for i, p in zip(index, _listed(r.p_value), strict=True):
            out[i] = _optional(p)
    return out


def trend_projections(subjects_: Sequence[Subject]) -> dict[int, float | None]:
    """§7 trend: the OLS projection of each period's history (at least three values), keyed by
    ``id(subject)``; histories of the same length go to :mod:`metrics` as one array call."""
    by_length: dict[int, list[Subject]] = {}
    for s in subjects_:
        if s.period.history is not None and len(s.period.history) >= 3:
            by_length.setdefault(len(s.period.history), []).append(s)
    out: dict[int, float | None] = {}
    for group in by_length.values():
        histories = np.array([s.period.history for s in group], dtype=float)
        fitted = _listed(metrics.trend_projection(histories).projection)
        for s, projection in zip(group, fitted, strict=True):
            out[id(s)] = _optional(projection)
    return out


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
        b, t, a = fmt(baseline), fmt(plan), fmt(actual)
        return math.nan, f"achievement cannot be computed from baseline {b}, plan {t}, actual {a}", True
    if not better(plan, baseline, polarity):
        b, t, a = apart(baseline, plan, actual)  # the sentence compares them
        value = 1.0 if not better(plan, actual, polarity) else 0.0
        words = "at least as good as" if value == 1.0 else "worse than"
        return (
            value,
            (
                f"the plan {t} is not an improvement on the baseline {b} ({polarity} is better), so "
                f"achievement is 1 if the actual is at least as good as the plan, else 0: actual {a} is "
                f"{words} the plan, achievement {value:g}"
            ),
            False,
        )
    # The ratio in Decimal from each value's shortest repr: 2.7 ÷ 3.6 is exactly 0.75 (a float gives
    # 0.7499999999999921, and released money then rounds a half penny down: review finding, §8).
    b_, t_, a_ = exact_decimal(baseline), exact_decimal(plan), exact_decimal(actual)
    if polarity == "lower":
        formula, order = "(B − A) ÷ (B − T)", (b_, a_, b_, t_)
    else:
        formula, order = "(A − B) ÷ (T − B)", (a_, b_, t_, b_)
    exact = (order[0] - order[1]) / (order[2] - order[3])
    value = float(exact)
    if not math.isfinite(value):  # a plan 1e-300 from its baseline: refused by non_finite_problems
        b, t, a = fmt(baseline), fmt(plan), fmt(actual)
        text = f"achievement {formula} cannot be computed from baseline {b}, plan {t}, actual {a}"
    else:
        text = f"achievement {formula} = {ratio_of_differences(*order, exact)} ({polarity} is better)"
    return value, text, True


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
    confidence: str,
    multiplier: str,
    figures: tuple[str, str | None, str | None] | None = None,
) -> str:
    """How a value was formed from its counts (metrics.md), to 4 significant figures.

    :param confidence: the confidence level as written ("95%"), :param multiplier: the rate multiplier as
        written ("100,000"): the same for every value, so written once per assessment, not per value.
    :param figures: the estimate as :func:`_written` writes it, when the caller has written it already
        (the baseline's figures appear again in the warnings): each figure is formatted once.
    """
    value, lower, upper = _written(estimate) if figures is None else figures
    months = subject.months
    if isinstance(block, BareValue):
        return value + " (a bare value: no interval)"
    if isinstance(block, Counts) and subject.kind == "rate":
        per_month = f" ÷ {months} months" if months != 1 else ""
        formula = f"{count(block.numerator)}{per_month} ÷ {count(block.denominator)} × {multiplier}"
    elif isinstance(block, Counts):
        formula = f"{count(block.numerator)} ÷ {count(block.denominator)} × 100%"
    elif isinstance(block, Score):
        formula = f"mean score of {count(block.n)} respondents"
    else:
        formula = f"DSR of {len(block.bands)} age bands" + (f" ÷ {months} months" if months != 1 else "")
    if lower is None:
        return f"{formula} = {value} (no interval: too few events)"
    method = METHOD_NAMES.get(estimate.method, estimate.method)
    return f"{formula} = {value} ({confidence} CI {lower} to {upper}, {method})"


def _written(estimate: Estimate) -> tuple[str, str | None, str | None]:
    """An estimate's value and limits as :func:`fmt` writes them; limits None without an interval (a
    lower limit of None is what :func:`describe` tests for "no interval")."""
    if estimate.ci_lower is None:
        return fmt(estimate.value), None, None
    return fmt(estimate.value), fmt(estimate.ci_lower), fmt(estimate.ci_upper)


# --- the assessment ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Assessment:
    """A metric result with what the tranche needs: the achievement sentence and the unrounded value."""

    result: MetricResult
    achievement_text: str | None
    unrounded_achievement: float | None


def assess(
    subjects_: Sequence[Subject], rule_set: RuleSet, catalogue: Catalogue, with_actuals: bool = True
) -> tuple[list[Assessment], list[PlanWarning]]:
    """Assess every metric-period (§4, §5, §7); ``with_actuals=False`` ignores actuals (setting ambitions).

    :return: the assessments in ``subjects_`` order, and the warnings they raise.
    """
    return assess_many([subjects_], rule_set, catalogue, with_actuals)[0]


def assess_many(
    plans: Sequence[Sequence[Subject]], rule_set: RuleSet, catalogue: Catalogue, with_actuals: bool = True
) -> list[tuple[list[Assessment], list[PlanWarning]]]:
    """:func:`assess` for many plans' metric-periods at once: every plan's values, change tests and
    trends go to :mod:`metrics` together (one array call per statistic type for the lot), because for
    the handful of values one plan has, numpy's per-call overhead costs more than the sums.

    Each element of ``metrics`` is computed on its own, so a plan's figures do not depend on which
    plans it is assessed with.

    :return: per plan, in ``plans`` order, what :func:`assess` returns for it.
    """
    confidence = float(rule_set.confidence_level)
    multiplier = catalogue.statistic_types["rate"].multiplier
    texts = (f"{confidence:.0%}", f"{multiplier:,}")  # as every sentence writes them: "95%", "100,000"
    everything = [s for subjects_ in plans for s in subjects_]
    blocks: list[tuple[object, str, int]] = []
    for s in everything:
        blocks.append((s.period.baseline, s.kind, s.months))
        if with_actuals and s.period.actual is not None:
            blocks.append((s.period.actual, s.kind, s.months))
    # Extreme but valid inputs may overflow to inf or nan here; non_finite_problems refuses such plans.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        values, variances = estimates(blocks, confidence, catalogue)
    paired, tests, position = [], [], 0
    for s in everything:
        base, var1 = values[position], variances.get(position)
        position += 1
        actual = None
        if with_actuals and s.period.actual is not None:
            actual = values[position]
            tests.append((s, base, actual, var1, variances.get(position)))
            position += 1
        paired.append((s, base, actual))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        p_values = change_p_values(tests)
    p_of = dict(zip([id(t[0]) for t in tests], p_values, strict=True))
    projections = trend_projections(everything)

    answers, start = [], 0
    for subjects_ in plans:
        results: list[Assessment] = []
        warnings: list[PlanWarning] = []
        for s, base, actual in paired[start : start + len(subjects_)]:
            results.append(
                _assessment(
                    s, base, actual, p_of.get(id(s)), projections.get(id(s)), rule_set, confidence,
                    texts, with_actuals, warnings,
                )
            )
        start += len(subjects_)
        answers.append((results, warnings))
    return answers


def _assessment(
    s: Subject,
    base: Estimate,
    actual: Estimate | None,
    p_value: float | None,
    projection: float | None,
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
    polarity, plan = s.info.polarity, float(s.period.plan)
    metric, period_id = s.metric.metric, s.period_id
    lower = polarity == "lower"
    msa = base.ci_lower if lower else base.ci_upper
    significant = None if msa is None else better(plan, msa, polarity)
    beyond = None if projection is None else better(plan, projection, polarity)
    # Each figure written once: the plan, the baseline and its limits appear in the warnings again, and
    # the minimum significant ambition is one of the baseline's limits.
    figures = _written(base)
    plan_text = fmt(plan)
    parts = [
        f"{metric} {period_id} ({s.kind}, {polarity} is better): baseline ",
        describe(s.period.baseline, base, s, *texts, figures),
        ", plan ",
        plan_text,
    ]
    if msa is not None:
        msa_text = figures[1 if lower else 2] if figures[1] is not None else fmt(msa)
        parts.append(
            f" ({'beyond' if significant else 'not beyond'} the minimum significant ambition {msa_text})"
        )
    if projection is not None:
        parts.append(f", trend projection {fmt(projection)}")
    if significant is False:
        # without an interval on one side fmt(None) fails here, as it did when it was written out each time
        low, high = figures[1:] if figures[1] is not None else (fmt(base.ci_lower), fmt(base.ci_upper))
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
                f"The planned value {plan_text} is not an improvement on the baseline {figures[0]} "
                f"({polarity} is better): achievement is 1 if the actual is at least as good as the "
                f"plan, else 0.",
            )
        )
    size = _size(s.period.baseline)
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
        parts += (", actual ", describe(s.period.actual, actual, s, *texts), "; ", text)
        if p_value is not None:
            parts.append(
                f"; change p = {p_value:.4g} "
                f"({'significant' if p_value < 1 - confidence else 'not significant'} "
                f"at {confidence_text})"
            )
    elif with_actuals:
        parts.append("; no actual yet, so achievement is pending")
    value_text = "".join(parts)
    no_interval = base.ci_lower is None or (actual is not None and actual.ci_lower is None)
    result = MetricResult(
        metric=metric,
        period=period_id,
        tranche=s.tranche,
        local_metric=s.metric.local_metric,
        name=s.info.name,
        type=s.kind,
        polarity=polarity,
        unit=s.info.unit,
        months=s.months,
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
        explanation=value_text,
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
    isfinite = math.isfinite
    for a in assessments:
        r = a.result
        achieved = a.unrounded_achievement
        base, actual = r.baseline, r.actual
        if (  # the usual case, every figure finite, tested at once; the loop below says which is not
            (base is None or (
                isfinite(base.value)
                and (base.ci_lower is None or isfinite(base.ci_lower))
                and (base.ci_upper is None or isfinite(base.ci_upper))))
            and (actual is None or (
                isfinite(actual.value)
                and (actual.ci_lower is None or isfinite(actual.ci_lower))
                and (actual.ci_upper is None or isfinite(actual.ci_upper))))
            and (achieved is None or isfinite(achieved))
        ):
            continue
        where = f"metrics[{index[r.metric]}].periods.{r.period}"
        found = len(problems)
        for name, estimate in (("baseline", r.baseline), ("actual", r.actual)):
            figures = () if estimate is None else (estimate.value, estimate.ci_lower, estimate.ci_upper)
            if any(x is not None and not math.isfinite(x) for x in figures):
                problems.append({"location": f"{where}.{name}", "message": (
                    "these figures give a value too large to compute: check the denominator")})
        if len(problems) == found and achieved is not None and not math.isfinite(achieved):
            problems.append({"location": f"{where}.plan", "message": (
                "the plan is too close to the baseline for the change to be measured against it: "
                "achievement is not a finite number")})
    return problems


def _size(block: object) -> float | None:
    """The baseline's denominator (population, cohort or respondents) for the small-numbers check."""
    if isinstance(block, Counts):
        return block.denominator
    if isinstance(block, Score):
        return block.n
    if isinstance(block, Standardised):
        return sum(b.population for b in block.bands)
    return None
