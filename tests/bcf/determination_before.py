"""Verbatim copies of the code that made the results, sentences and money before fast-bcf (commit 9ae7ca1):
the oracle for ``test_results_fast.py``. Only the imports below are new; what these functions call that
fast-bcf did not change (the metrics glue, the plan checks, the figures) is imported from ``bcf``.
Do not edit the copies: they are what "the same output" means.
"""
# ruff: noqa

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

import numpy as np

from bcf.assessment import change_p_values, estimates, trend_projections
from bcf.catalogue import LOCAL, Catalogue, MetricInfo, metric_info, statistic_type
from bcf.determination import _checked
from bcf.errors import InvalidInput
from bcf.plan import MetricPlan, PeriodPlan
from bcf.figures import apart, count, fmt, percent, ratio_of_differences
from bcf.money import PENNY, ZERO, exact_decimal, round_money
from bcf.plan import BareValue, Conditions, Counts, Plan, Score, Standardised
from bcf.results import (
    ASSESSED,
    CONTINGENCY_PLAN,
    DETERMINED,
    MET,
    NONE,
    NOT_ASSESSABLE,
    NOT_ASSESSED,
    NOT_MET,
    PENDING,
    PENDING_ASSURANCE,
    PENDING_CONDITIONS,
    RECOVERY_PLAN,
    UNASSESSABLE,
    ConditionResult,
    Determination,
    LineResult,
    MetricResult,
    PlanWarning,
    Totals,
    TrancheResult,
)
from bcf.rules import RuleSet, Tranche
from bcf.conditions import RULES
from bcf.validation import CheckedPlan




# --- bcf/money.py: split
def split(total: Decimal, parts: int, quantum: Decimal = PENNY, mode: str = ROUND_HALF_UP) -> list[Decimal]:
    """Split ``total`` into ``parts`` equal lines, each rounded; the last takes the remainder (§8)."""
    if parts <= 0:
        raise ValueError("parts must be at least 1")
    each = round_money(total / parts, quantum, mode)
    if each * (parts - 1) > total >= 0:
        # Only for totals of a few pennies (under half a penny per pair of parts): rounding the share up
        # would leave the last part negative, so the share is rounded down instead (found by property tests).
        each = round_money(total / parts, quantum, ROUND_DOWN)
    return [each] * (parts - 1) + [total - each * (parts - 1)]


# --- bcf/assessment.py: Subject
@dataclass(frozen=True)
class Subject:
    """One metric in one payment period, with what the catalogue and rule set say about it."""

    metric: MetricPlan
    info: MetricInfo
    kind: str  # the statistic type the count blocks give
    period_id: str
    months: int  # averaging months: the rule set's for a per-month metric, else 1
    period: PeriodPlan
    tranche: str | None


# --- bcf/assessment.py: subjects
def subjects(plan: Plan, rule_set: RuleSet, catalogue: Catalogue) -> list[Subject]:
    """The plan's metric-periods in a fixed order (rule-set period, then catalogue order): the order of
    ``metrics`` in the request changes nothing."""
    tranche_of = {(t.payment, m): t.id for t in rule_set.tranches if t.kind == "metrics" for m in t.lines}
    rank = {m: i for i, m in enumerate([*catalogue.national, LOCAL])}
    ordered = sorted(plan.metrics, key=lambda m: rank.get(m.metric, len(rank)))
    found = []
    for period_id in rule_set.periods:
        for metric in ordered:
            period = metric.periods.get(period_id)
            rule_period = rule_set.period(period_id, metric.metric)
            info = metric_info(metric, catalogue)
            if period is None or rule_period is None or info is None:
                continue
            kind = statistic_type(info, (period.baseline, period.actual))
            months = rule_period.months if info.monthly_average else 1  # §4: per-month metrics only
            tranche = tranche_of.get((period_id, metric.metric))
            found.append(Subject(metric, info, kind, period_id, months, period, tranche))
    return found


# --- bcf/assessment.py: non_finite_problems
def non_finite_problems(plan: Plan, assessments: Sequence[Assessment]) -> list[dict[str, str]]:
    """Inputs each within bounds can still give a figure no float can hold (1e12 events over a
    population of 1e-300; a plan 1e-300 from its baseline): such a plan is refused, naming the block,
    rather than answered with Infinity (not JSON) or failing when the money is priced.

    :return: one ``{location, message}`` per block or plan whose computed figures are not finite.
    """
    index = {metric.metric: i for i, metric in enumerate(plan.metrics)}
    problems = []
    for a in assessments:
        r = a.result
        where = f"metrics[{index[r.metric]}].periods.{r.period}"
        found = len(problems)
        for name, estimate in (("baseline", r.baseline), ("actual", r.actual)):
            figures = () if estimate is None else (estimate.value, estimate.ci_lower, estimate.ci_upper)
            if any(x is not None and not math.isfinite(x) for x in figures):
                problems.append({"location": f"{where}.{name}", "message": (
                    "these figures give a value too large to compute: check the denominator")})
        achieved = a.unrounded_achievement
        if len(problems) == found and achieved is not None and not math.isfinite(achieved):
            problems.append({"location": f"{where}.plan", "message": (
                "the plan is too close to the baseline for the change to be measured against it: "
                "achievement is not a finite number")})
    return problems


# --- bcf/determination.py: _refuse_non_finite
def _refuse_non_finite(plan: Plan, assessments: list[Assessment]) -> None:
    """:raise InvalidInput: a figure computed from the plan is not a finite number (see
    :func:`bcf.assessment.non_finite_problems`)."""
    problems = non_finite_problems(plan, assessments)
    if problems:
        raise InvalidInput(f"the plan has {len(problems)} problem(s)", problems=problems)


# --- bcf/money.py: format_pounds
def format_pounds(amount: Decimal) -> str:
    """Pounds as people write them in explanations: ``£1,234,567.89`` (``-£5.00`` when negative)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


# --- bcf/assessment.py: better
def better(x: float, y: float, polarity: str) -> bool:
    """``x`` is strictly better than ``y`` for a metric of this polarity."""
    return x < y if polarity == "lower" else x > y


# --- bcf/assessment.py: achievement
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
    b_, t_, a_ = (exact_decimal(x) for x in (baseline, plan, actual))
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


# --- bcf/assessment.py: payable_fraction
def payable_fraction(value: float, payment_mode: str) -> float:
    """§5: pro-rata clamps achievement to [0, 1]; all-or-nothing pays only a full achievement."""
    if payment_mode == "all_or_nothing":
        return 1.0 if value >= 1 else 0.0
    return min(max(value, 0.0), 1.0)


# --- bcf/assessment.py: METHOD_NAMES
METHOD_NAMES = {"byars": "Byar's", "exact": "exact Poisson", "wilson": "Wilson", "dobson": "Dobson", "t": "t"}


# --- bcf/assessment.py: describe
def describe(block: object, estimate: Estimate, subject: Subject, confidence: str, multiplier: str) -> str:
    """How a value was formed from its counts (metrics.md), to 4 significant figures.

    :param confidence: the confidence level as written ("95%"), :param multiplier: the rate multiplier as
        written ("100,000"): the same for every value, so written once per assessment, not per value.
    """
    kind, months = subject.kind, subject.months
    if isinstance(block, BareValue):
        return f"{fmt(estimate.value)} (a bare value: no interval)"
    if isinstance(block, Counts) and kind == "rate":
        per_month = f" ÷ {months} months" if months != 1 else ""
        formula = f"{count(block.numerator)}{per_month} ÷ {count(block.denominator)} × {multiplier}"
    elif isinstance(block, Counts):
        formula = f"{count(block.numerator)} ÷ {count(block.denominator)} × 100%"
    elif isinstance(block, Score):
        formula = f"mean score of {count(block.n)} respondents"
    else:
        formula = f"DSR of {len(block.bands)} age bands" + (f" ÷ {months} months" if months != 1 else "")
    if estimate.ci_lower is None:
        return f"{formula} = {fmt(estimate.value)} (no interval: too few events)"
    return (
        f"{formula} = {fmt(estimate.value)} ({confidence} CI {fmt(estimate.ci_lower)} to "
        f"{fmt(estimate.ci_upper)}, {METHOD_NAMES.get(estimate.method, estimate.method)})"
    )


# --- bcf/assessment.py: Assessment
@dataclass(frozen=True)
class Assessment:
    """A metric result with what the tranche needs: the achievement sentence and the unrounded value."""

    result: MetricResult
    achievement_text: str | None
    unrounded_achievement: float | None


# --- bcf/assessment.py: assess_many
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


# --- bcf/assessment.py: _assessment
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
    where = f"{s.metric.metric} {s.period_id}"
    msa = base.ci_lower if polarity == "lower" else base.ci_upper
    significant = None if msa is None else better(plan, msa, polarity)
    beyond = None if projection is None else better(plan, projection, polarity)
    value_text = (
        f"{where} ({s.kind}, {polarity} is better): baseline "
        + describe(s.period.baseline, base, s, *texts)
        + f", plan {fmt(plan)}"
    )
    if msa is not None:
        value_text += (
            f" ({'beyond' if significant else 'not beyond'} the minimum significant ambition {fmt(msa)})"
        )
    if projection is not None:
        value_text += f", trend projection {fmt(projection)}"
    if significant is False:
        warnings.append(
            PlanWarning(
                "ambition_not_significant",
                s.metric.metric,
                s.period_id,
                f"The planned value {fmt(plan)} does not go beyond {fmt(msa)}, the improving side of "
                f"the baseline's {confidence_text} confidence interval ({fmt(base.ci_lower)} to "
                f"{fmt(base.ci_upper)}): a change short of that may be variation alone.",
            )
        )
    if not better(plan, base.value, polarity):
        warnings.append(
            PlanWarning(
                "ambition_not_an_improvement",
                s.metric.metric,
                s.period_id,
                f"The planned value {fmt(plan)} is not an improvement on the baseline {fmt(base.value)} "
                f"({polarity} is better): achievement is 1 if the actual is at least as good as the "
                f"plan, else 0.",
            )
        )
    size = _size(s.period.baseline)
    if size is not None and size < minimum_denominator:
        warnings.append(
            PlanWarning(
                "small_numbers",
                s.metric.metric,
                s.period_id,
                f"The baseline denominator {count(size)} is below {minimum_denominator}: the metric is "
                f"subject to small numbers, which the guidance asks plans to avoid.",
            )
        )

    achieved = fraction = text = None
    if actual is not None:
        achieved, text, _ = achievement(base.value, plan, actual.value, polarity)
        fraction = payable_fraction(achieved, rule_set.payment_mode)
        value_text += (
            ", actual " + describe(s.period.actual, actual, s, *texts) + f"; {text}"
        )
        if p_value is not None:
            value_text += (
                f"; change p = {p_value:.4g} "
                f"({'significant' if p_value < 1 - confidence else 'not significant'} "
                f"at {confidence_text})"
            )
    elif with_actuals:
        value_text += "; no actual yet, so achievement is pending"
    no_interval = base.ci_lower is None or (actual is not None and actual.ci_lower is None)
    result = MetricResult(
        metric=s.metric.metric,
        period=s.period_id,
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


# --- bcf/assessment.py: _size
def _size(block: object) -> float | None:
    """The baseline's denominator (population, cohort or respondents) for the small-numbers check."""
    if isinstance(block, Counts):
        return block.denominator
    if isinstance(block, Score):
        return block.n
    if isinstance(block, Standardised):
        return sum(b.population for b in block.bands)
    return None


# --- bcf/conditions.py: assess_conditions
def assess_conditions(
    conditions: Conditions | None, rule_set: RuleSet
) -> tuple[tuple[ConditionResult, ...], bool | None]:
    """Judge every condition the rule set names; say whether the plan is assured.

    :return: the condition results (in the order of §3) and ``plan_assured``: None when no conditions
        evidence was sent at all (access not checked), else whether every access condition is met.
    """
    tranche_of = {c: t.id for t in rule_set.tranches if t.kind == "conditions" for c in t.lines}
    results = []
    for condition in rule_set.conditions:
        access = condition in rule_set.access_conditions
        evidence = None if conditions is None else getattr(conditions, condition)
        if evidence is None:
            status, reasons = NOT_ASSESSED, ()
            why = (
                "no conditions evidence was sent"
                if conditions is None
                else f"no evidence was sent for {condition}"
            )
            explanation = f"{condition}: not assessed, {why}" + (
                "; as a condition of access it leaves the plan not assured" if access and conditions else ""
            )
        else:
            reasons = tuple(RULES[condition](evidence))
            status = NOT_MET if reasons else MET
            explanation = (
                f"{condition}: not met because " + "; ".join(reasons)
                if reasons
                else f"{condition}: met, the evidence fields satisfy rules §3"
            )
        results.append(
            ConditionResult(condition, status, access, tranche_of.get(condition), reasons, explanation)
        )
    if conditions is None:
        return tuple(results), None
    assured = all(r.status == MET for r in results if r.access)
    return tuple(results), assured


# --- bcf/tranches.py: LineInput
@dataclass(frozen=True)
class LineInput:
    """What the conditions or the metric assessment say about one line, before money.

    ``achievement`` is the reported (6 dp) achievement, judged against the threshold; ``why`` is the
    sentence that says how ``payable_fraction`` came about.
    """

    item: str
    status: str  # determined | pending | not_assessed | unassessable
    payable_fraction: float | None
    achievement: float | None
    why: str


# --- bcf/tranches.py: tranche_available
def tranche_available(pool: Decimal, tranche: Tranche, rule_set: RuleSet) -> Decimal:
    """§8: tranche available = round(pool × tranche share)."""
    return round_money(pool * tranche.share, rule_set.rounding.quantum, rule_set.rounding.mode)


# --- bcf/tranches.py: line_availables
def line_availables(
    available: Decimal, statuses: Sequence[str], rule_set: RuleSet
) -> tuple[list[Decimal], list[int]]:
    """§8 with §2: each line's share of the tranche; the last sharing line takes the remainder.

    Under ``unassessable_metric_share: redistribute`` the unassessable lines get nothing and the others
    share the tranche equally; if no line can be assessed there is nothing to redistribute over and every
    line keeps its share (held back).

    :return: the amounts, line by line, and the indices of the lines that share the tranche.
    """
    sharing = list(range(len(statuses)))
    if rule_set.unassessable_metric_share == "redistribute" and any(s != UNASSESSABLE for s in statuses):
        sharing = [i for i, s in enumerate(statuses) if s != UNASSESSABLE]
    amounts = [ZERO] * len(statuses)
    if sharing:
        parts = split(available, len(sharing), rule_set.rounding.quantum, rule_set.rounding.mode)
        for i, amount in zip(sharing, parts, strict=True):
            amounts[i] = amount
    return amounts, sharing


# --- bcf/tranches.py: _share_text
def _share_text(amount: str, tranche_total: str, i: int, sharing: Sequence[int]) -> str:
    """The line's share, from the line's and the tranche's amounts as :func:`pounds` writes them."""
    n = len(sharing)
    if n > 1 and i == sharing[-1]:
        return f"line share {amount} (the remainder of {tranche_total} over {n} lines)"
    return f"line share {amount} ({tranche_total} ÷ {n})"


# --- bcf/tranches.py: price_tranche
def price_tranche(
    tranche: Tranche,
    pool: Decimal,
    lines: Sequence[LineInput],
    plan_assured: bool | None,
    rule_set: RuleSet,
    access_failures: Sequence[str] = (),
) -> TrancheResult:
    """Money for one tranche: lines, released and held back, status, held-back use and recovery plan.

    :param plan_assured: False → nothing released anywhere, everything held back pending assurance (§3);
        None → conditions not sent, access not checked, metrics tranches priced as assured.
    :param access_failures: the access conditions not met or not assessed ("data_sharing not met"), named
        in explanations. A metrics tranche needs a recovery plan when an assessed metric's reported (6 dp)
        achievement is below ``threshold`` (§6), the figure the user sees.
    """
    rounding = rule_set.rounding
    available = tranche_available(pool, tranche, rule_set)
    statuses = [line.status for line in lines]
    amounts, sharing = line_availables(available, statuses, rule_set)
    not_assured = plan_assured is False
    results = []
    available_text = pounds(available)  # each amount written once: a sentence may name it twice
    for i, (line, amount) in enumerate(zip(lines, amounts, strict=True)):
        amount_text = pounds(amount)
        share = _share_text(amount_text, available_text, i, sharing)
        released: Decimal | None
        if i not in sharing:
            released, held = ZERO, ZERO
            text = (
                f"{line.item}: {line.why}; its share is redistributed equally over the assessable metrics "
                f"(unassessable_metric_share: redistribute)"
            )
        elif not_assured:
            released, held = ZERO, amount
            text = (
                f"{line.item}: {line.why}; {share}; the plan is not assured "
                f"({', '.join(access_failures)}), so nothing is released and {amount_text} is "
                f"held back pending assurance"
            )
        elif line.status == PENDING:
            released = held = None
            text = f"{line.item}: {line.why}; {share} at stake, pending the actual"
        elif line.status in (UNASSESSABLE, NOT_ASSESSED):
            released, held = ZERO, amount
            text = f"{line.item}: {line.why}; {share} held back"
        else:
            fraction = line.payable_fraction
            released = round_money(amount * exact_decimal(fraction), rounding.quantum, rounding.mode)
            held = amount - released
            text = f"{line.item}: {line.why}; {share}: {percent(fraction)} of {amount_text} released"
            text += f" ({pounds(released)})"
            if held:
                text += f", {pounds(held)} held back"
        results.append(
            LineResult(line.item, line.status, amount, released, held, line.payable_fraction, text)
        )

    pending = any(line.status == PENDING for line in lines)
    if tranche.kind == "conditions":
        recovery: bool | None = False
    elif pending:
        recovery = None
    else:
        threshold = rule_set.threshold
        recovery = any(
            exact_decimal(line.achievement) < threshold
            for line in lines
            if line.status == DETERMINED and line.achievement is not None
        )

    if not_assured:
        status = DETERMINED
    elif pending:
        status = PENDING
    elif all(line.status == NOT_ASSESSED for line in lines):
        status = NOT_ASSESSED
    else:
        status = DETERMINED
    if status == PENDING:
        released_total = held_total = None
        use = None
    else:
        released_total = sum((r.released for r in results), ZERO)
        held_total = sum((r.held_back for r in results), ZERO)
        if not_assured:
            use = PENDING_ASSURANCE
        elif not held_total:
            use = NONE
        elif tranche.kind == "conditions":
            use = PENDING_CONDITIONS
        else:
            use = RECOVERY_PLAN if recovery else CONTINGENCY_PLAN
    explanation = _tranche_text(
        tranche, pool, available_text, released_total, held_total, use, recovery, status, rule_set
    )
    return TrancheResult(
        tranche.id,
        tranche.payment,
        tranche.kind,
        tranche.share,
        status,
        available,
        released_total,
        held_total,
        use,
        recovery,
        tuple(results),
        explanation,
    )


# --- bcf/tranches.py: USES
USES = {
    NONE: "nothing is held back",
    PENDING_ASSURANCE: "held back pending assurance of the plan (an access condition is not met)",
    PENDING_CONDITIONS: "held back until the conditions are shown to be met",
    CONTINGENCY_PLAN: "held back to fund the agreed contingency plan (no metric below the threshold)",
    RECOVERY_PLAN: "held back to fund a recovery plan (a metric is below the threshold)",
}


# --- bcf/tranches.py: _tranche_text
def _tranche_text(
    tranche: Tranche,
    pool: Decimal,
    available: str,
    released: Decimal | None,
    held: Decimal | None,
    use: str | None,
    recovery: bool | None,
    status: str,
    rule_set: RuleSet,
) -> str:
    text = f"{tranche.id}: {percent(float(tranche.share))} of the pool {pounds(pool)} = {available}"
    if status == PENDING:
        return text + "; pending: a line has no actual yet, so released and held back are not known"
    text += f"; released {pounds(released)}, held back {pounds(held)}: {USES[use]}"
    if tranche.kind == "metrics" and recovery is not None:
        text += (
            f"; recovery plan {'required' if recovery else 'not required'} "
            f"(threshold {percent(float(rule_set.threshold))} of the ambition)"
        )
    return text


# --- bcf/determination.py: _tranche_rounding
def _tranche_rounding(pool: Decimal, available: Decimal) -> PlanWarning:
    """§8 rounds each tranche to the penny on its own, so the three can add up to a penny more or
    less than the pool (£999,999.99 → £250,000.00 + £250,000.00 + £500,000.00). The rule stands as the
    scheme states it; the difference is shown, never hidden."""
    difference = available - pool
    return PlanWarning(
        "tranche_rounding", None, None,
        f"Each tranche is rounded to the penny on its own (rules §8), so together they make "
        f"{pounds(available)}, {pounds(abs(difference))} {'more' if difference > 0 else 'less'} than "
        f"the pool {pounds(pool)}.",
    )


# --- bcf/determination.py: _plan_warnings
def _plan_warnings(plan: Plan, catalogue: Catalogue) -> list[PlanWarning]:
    """Warnings about the plan as a whole: access not checked; a local alternative missing a field."""
    warnings = []
    if plan.conditions is None:
        warnings.append(
            PlanWarning(
                "access_not_checked",
                None,
                None,
                "No conditions evidence was sent: the conditions of access were not checked, so "
                "plan_assured is null and the conditions tranche is held back pending the conditions.",
            )
        )
    for metric in plan.metrics:
        if metric.metric == LOCAL and metric.definition is not None:
            missing = [
                f for f in catalogue.alternative_required_fields if not getattr(metric.definition, f, None)
            ]
            if missing:
                warnings.append(
                    PlanWarning(
                        "local_alternative_incomplete",
                        LOCAL,
                        None,
                        f"The local alternative does not give {', '.join(missing)}: a local alternative "
                        f"needs {', '.join(catalogue.alternative_required_fields)} (including its link "
                        f"to the Joint Health and Wellbeing Strategy).",
                    )
                )
    return warnings


# --- bcf/determination.py: _condition_line
def _condition_line(result: ConditionResult) -> LineInput:
    if result.status == MET:
        return LineInput(result.condition, DETERMINED, 1.0, None, "condition met")
    if result.status == NOT_ASSESSED:
        return LineInput(
            result.condition,
            NOT_ASSESSED,
            None,
            None,
            "not assessed (no evidence sent), held back pending the condition",
        )
    return LineInput(
        result.condition,
        DETERMINED,
        0.0,
        None,
        "condition not met (" + "; ".join(result.reasons) + "), held back pending the condition",
    )


# --- bcf/determination.py: _metric_line
def _metric_line(
    item: str, period: str, assessment: Assessment | None, in_plan: bool, payment_mode: str
) -> LineInput:
    if assessment is None:
        why = f"the plan gives no {period} period for it" if in_plan else "not in the plan"
        return LineInput(item, UNASSESSABLE, None, None, f"cannot be assessed: {why}")
    result = assessment.result
    if result.status == PENDING:
        return LineInput(item, PENDING, None, None, "no actual yet")
    achieved = assessment.unrounded_achievement
    if payment_mode == "all_or_nothing":
        rule = f"all-or-nothing: achievement {'≥' if achieved >= 1 else '<'} 1"
    elif achieved > 1:
        rule = "pro-rata, capped at 1"
    elif achieved < 0:
        rule = "pro-rata, floored at 0"
    else:
        rule = "pro-rata"
    return LineInput(
        item,
        DETERMINED,
        result.payable_fraction,
        result.achievement,
        f"{assessment.achievement_text}; {rule}",
    )


# --- bcf/determination.py: _tranches
def _tranches(
    plan: Plan,
    rule_set: RuleSet,
    pool: Decimal,
    conditions: tuple[ConditionResult, ...],
    plan_assured: bool | None,
    assessments: list[Assessment],
) -> tuple[TrancheResult, ...]:
    by_key = {(a.result.metric, a.result.period): a for a in assessments}
    in_plan = {m.metric for m in plan.metrics}
    condition_of = {c.condition: c for c in conditions}
    failures = [
        f"{c.condition} {c.status.replace('_', ' ')}" for c in conditions if c.access and c.status != MET
    ]
    priced = []
    for tranche in rule_set.tranches:
        if tranche.kind == "conditions":
            lines = [_condition_line(condition_of[c]) for c in tranche.lines]
        else:
            lines = [
                _metric_line(
                    m, tranche.payment, by_key.get((m, tranche.payment)), m in in_plan, rule_set.payment_mode
                )
                for m in tranche.lines
            ]
        priced.append(price_tranche(tranche, pool, lines, plan_assured, rule_set, failures))
    return tuple(priced)


# --- bcf/determination.py: determine_many
def determine_many(
    plans: Sequence[Plan | CheckedPlan], rule_set: RuleSet, catalogue: Catalogue, p4p_pools: Sequence[Decimal]
) -> list[Determination]:
    """Determine many boards under one rule set: what :func:`determine` gives for each, in order.

    For a spreadsheet of 152 boards: the metric assessment of every board goes to :mod:`metrics` as
    one array call per statistic type (:func:`bcf.assessment.assess_many`) instead of a handful of
    calls per board; everything else is per board, as for one. All plans are checked before any is
    determined.

    :param plans: plans, or :class:`~bcf.validation.CheckedPlan` s of them (not checked again).
    :param p4p_pools: each plan's performance pool in pounds, in the order of ``plans``.
    :raise InvalidInput: every cross-reference problem of the first plan that has any.
    """
    if len(plans) != len(p4p_pools):
        raise ValueError(f"{len(plans)} plans but {len(p4p_pools)} pools")
    sound = [_checked(plan, rule_set, catalogue, pool) for plan, pool in zip(plans, p4p_pools, strict=True)]
    assessed = assess_many([subjects(plan, rule_set, catalogue) for plan in sound], rule_set, catalogue)
    for plan, (assessments, _) in zip(sound, assessed, strict=True):
        _refuse_non_finite(plan, assessments)
    return [
        _determination(plan, rule_set, catalogue, pool, assessments, metric_warnings)
        for plan, pool, (assessments, metric_warnings) in zip(sound, p4p_pools, assessed, strict=True)
    ]


# --- bcf/determination.py: _determination
def _determination(
    plan: Plan,
    rule_set: RuleSet,
    catalogue: Catalogue,
    p4p_pool: Decimal,
    assessments: list[Assessment],
    metric_warnings: list[PlanWarning],
) -> Determination:
    """One board's determination from its assessed metrics: conditions, tranches, totals, warnings."""
    conditions, plan_assured = assess_conditions(plan.conditions, rule_set)
    tranches = _tranches(plan, rule_set, p4p_pool, conditions, plan_assured, assessments)
    pending = any(t.released is None for t in tranches)
    totals = Totals(
        available=sum((t.available for t in tranches), ZERO),
        released=None if pending else sum((t.released for t in tranches), ZERO),
        held_back=None if pending else sum((t.held_back for t in tranches), ZERO),
    )
    warnings = _plan_warnings(plan, catalogue) + metric_warnings
    if totals.available != p4p_pool:
        warnings.append(_tranche_rounding(p4p_pool, totals.available))
    flags = [t.recovery_plan_required for t in tranches]
    recovery = True if any(flags) else (None if None in flags else False)
    return Determination(
        hwb_code=plan.hwb_code,
        rule_set=rule_set.id,
        p4p_pool=p4p_pool,
        plan_assured=plan_assured,
        conditions=conditions,
        metrics=tuple(a.result for a in assessments),
        tranches=tranches,
        totals=totals,
        recovery_plan_required=recovery,
        warnings=tuple(warnings),
    )


pounds = format_pounds
