"""The determination: one board's plan and actuals to its April and October 2015 releases, to the penny.

This is the one code path from a :class:`bcf.plan.Plan` to the figures of ``POST /api/v1/calculations``
(and, without actuals, ``POST /api/v1/ambitions``): conditions (§3), metric assessment (§4–§7), tranches
and money (§2, §6, §8), every figure with an explanation. The rule set supplies every parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from bcf.assessment import Assessment, Statistics, Subject, assess, measure, non_finite_problems, subjects
from bcf.catalogue import LOCAL, Catalogue
from bcf.conditions import assess_conditions
from bcf.errors import InvalidInput
from bcf.figures import count, percent
from bcf.money import ZERO, exact_decimal, format_pounds, round_money
from bcf.plan import Plan
from bcf.results import (
    DETERMINED,
    MET,
    NOT_ASSESSED,
    PENDING,
    UNASSESSABLE,
    AmbitionResult,
    Ambitions,
    ConditionResult,
    Determination,
    Estimate,
    LineResult,
    MetricResult,
    PlanWarning,
    Totals,
    TrancheResult,
)
from bcf.rules import RuleSet, Tranche
from bcf.spc import spc_charts
from bcf.tranches import LineInput, line_availables, price_tranche, tranche_available
from bcf.validation import CheckedPlan, check_plan

__all__ = [
    "AmbitionResult",
    "Ambitions",
    "ConditionResult",
    "Determination",
    "Estimate",
    "LineResult",
    "MetricResult",
    "PlanWarning",
    "Totals",
    "TrancheResult",
    "assess_ambitions",
    "determine",
    "determine_many",
]


def _checked(plan: Plan | CheckedPlan, rule_set: RuleSet, catalogue: Catalogue, p4p_pool: Decimal) -> Plan:
    """The plan, once its cross-references and the pool are known to be sound (checked here, unless
    ``plan`` is a :class:`CheckedPlan` for this very rule set and catalogue)."""
    if isinstance(plan, CheckedPlan) and plan.rule_set is rule_set and plan.catalogue is catalogue:
        plan, problems = plan.plan, []
    else:
        plan = plan.plan if isinstance(plan, CheckedPlan) else plan
        problems = check_plan(plan, rule_set, catalogue)
    if not isinstance(p4p_pool, Decimal) or not p4p_pool.is_finite() or p4p_pool < 0:
        problems.append({"location": "p4p_pool", "message": "must be a finite amount of at least 0.00"})
    if problems:
        raise InvalidInput(f"the plan has {len(problems)} problem(s)", problems=problems)
    return plan


def _refuse_non_finite(plan: Plan, assessments: list[Assessment]) -> None:
    """:raise InvalidInput: a figure computed from the plan is not a finite number (see
    :func:`bcf.assessment.non_finite_problems`)."""
    problems = non_finite_problems(plan, assessments)
    if problems:
        raise InvalidInput(f"the plan has {len(problems)} problem(s)", problems=problems)


def _tranche_rounding(pool: Decimal, available: Decimal) -> PlanWarning:
    """§8 rounds each tranche to the penny on its own, so the three can add up to a penny more or
    less than the pool (£999,999.99 → £250,000.00 + £250,000.00 + £500,000.00). The rule stands as the
    scheme states it; the difference is shown, never hidden."""
    difference = available - pool
    return PlanWarning(
        "tranche_rounding", None, None,
        f"Each tranche is rounded to the penny on its own (rules §8), so together they make "
        f"{format_pounds(available)}, {format_pounds(abs(difference))} "
        f"{'more' if difference > 0 else 'less'} than the pool {format_pounds(pool)}.",
    )


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
                field
                for field in catalogue.alternative_required_fields
                if not getattr(metric.definition, field, None)
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


# --- the revised scheme (bcf-2015-16-revised): pots and their warnings ----------------------------------


def _pot(tranche: Tranche, result: MetricResult | AmbitionResult | None, rule_set: RuleSet
         ) -> tuple[Decimal, str]:
    """A tranche priced from a pot: round(planned reduction × average_nea_cost), with its sentence.

    The planned reduction is the baseline count less the planned count (the same quarter of the baseline
    year); a plan that is no reduction puts nothing at stake; a quarter the plan does not give cannot be
    sized, so nothing is at stake for it either.
    """
    cost = rule_set.average_nea_cost
    cost_text = format_pounds(cost) + (" (unverified)" if rule_set.average_nea_cost_unverified else "")
    metric = tranche.lines[0]
    if result is None:
        return ZERO, (f"{format_pounds(ZERO)}: the plan gives no {metric} figures for {tranche.payment}, "
                      f"so no planned reduction sizes it")
    baseline, plan = exact_decimal(result.baseline.value), exact_decimal(result.plan)
    planned = baseline - plan
    terms = f"(baseline {count(result.baseline.value)} − plan {count(result.plan)})"
    if planned <= 0:
        return ZERO, (f"{format_pounds(ZERO)}: the plan {terms} is no reduction in {metric}, "
                      f"so nothing is at stake")
    pot = round_money(planned * cost, rule_set.rounding.quantum, rule_set.rounding.mode)
    return pot, (f"planned reduction {count(float(planned))} {terms} × average cost of a non-elective "
                 f"admission {cost_text} = {format_pounds(pot)}")


def _revised_warnings(
    results: Sequence[MetricResult | AmbitionResult], rule_set: RuleSet, pool: Decimal, fund: Decimal | None
) -> list[PlanWarning]:
    """The revised scheme's warnings: an unverified average cost; a planned reduction below the national
    minimum (over the quarters the plan gives); a performance fund larger than the pool."""
    if not rule_set.pot_metrics:
        return []
    warnings = []
    if rule_set.average_nea_cost_unverified:
        warnings.append(PlanWarning(
            "average_nea_cost_unverified", None, None,
            f"The average cost of a non-elective admission, {format_pounds(rule_set.average_nea_cost)}, "
            f"could not be checked here against its published source (rule set {rule_set.id}, "
            f"average_nea_cost: unverified): every pot is sized from it, so its pounds are provisional.",
        ))
    paid = {(t.lines[0], t.payment) for t in rule_set.tranches if t.pot is not None}
    for metric in rule_set.pot_metrics:
        quarters = [r for r in results if r.metric == metric and (r.metric, r.period) in paid]
        baseline = sum((exact_decimal(r.baseline.value) for r in quarters), ZERO)
        if rule_set.minimum_reduction is None or not quarters or baseline <= 0:
            continue
        planned = sum((exact_decimal(r.plan) for r in quarters), ZERO)
        reduction = (baseline - planned) / baseline
        if reduction < rule_set.minimum_reduction:
            periods = ", ".join(r.period for r in quarters)
            warnings.append(PlanWarning(
                "reduction_below_minimum", metric, None,
                f"The planned reduction in {metric} over {periods} is {percent(reduction)} "
                f"(baseline {count(float(baseline))}, plan {count(float(planned))}), below the national "
                f"minimum expectation of {percent(rule_set.minimum_reduction)} (minimum_reduction).",
            ))
    if fund is not None and fund > pool:
        warnings.append(PlanWarning(
            "performance_fund_exceeds_pool", None, None,
            f"The performance fund sized from the planned reduction, {format_pounds(fund)}, is more than "
            f"the board's pool {format_pounds(pool)}.",
        ))
    return warnings


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


def _tranches(
    plan: Plan,
    rule_set: RuleSet,
    pool: Decimal,
    conditions: tuple[ConditionResult, ...],
    plan_assured: bool | None,
    assessments: list[Assessment],
) -> tuple[TrancheResult, ...]:
    assessment_of = {
        (assessment.result.metric, assessment.result.period): assessment for assessment in assessments
    }
    in_plan = {metric.metric for metric in plan.metrics}
    condition_of = {condition.condition: condition for condition in conditions}
    failures = [
        f"{condition.condition} {condition.status.replace('_', ' ')}"
        for condition in conditions
        if condition.access and condition.status != MET
    ]
    priced = []
    for tranche in rule_set.tranches:
        if tranche.kind == "conditions":
            lines = [_condition_line(condition_of[condition]) for condition in tranche.lines]
        else:
            lines = [
                _metric_line(
                    metric,
                    tranche.payment,
                    assessment_of.get((metric, tranche.payment)),
                    metric in in_plan,
                    rule_set.payment_mode,
                )
                for metric in tranche.lines
            ]
        pot = None
        if tranche.pot is not None:
            found = assessment_of.get((tranche.lines[0], tranche.payment))
            pot = _pot(tranche, None if found is None else found.result, rule_set)
        priced.append(price_tranche(tranche, pool, lines, plan_assured, rule_set, failures, pot))
    return tuple(priced)


def determine(
    plan: Plan | CheckedPlan, rule_set: RuleSet, catalogue: Catalogue, p4p_pool: Decimal
) -> Determination:
    """Determine one board's releases from its plan and actuals (rules-2015-16.md, all of it).

    :param plan: the plan, or a :class:`~bcf.validation.CheckedPlan` of it (not checked again).
    :param p4p_pool: the board's performance pool in pounds (resolved by the caller: the request's
        ``p4p_pool`` or the allocation table).
    :raise InvalidInput: every cross-reference problem of the plan (see :func:`bcf.validation.check_plan`).
    """
    return determine_many([plan], rule_set, catalogue, [p4p_pool])[0]


def determine_many(
    plans: Sequence[Plan | CheckedPlan], rule_set: RuleSet, catalogue: Catalogue, p4p_pools: Sequence[Decimal]
) -> list[Determination]:
    """Determine many boards under one rule set: what :func:`determine` gives for each, in order.

    For a spreadsheet of 152 boards: the statistics of every board go to :mod:`metrics` together, one
    array call per statistic type (:func:`bcf.assessment.measure`) instead of a handful of calls per
    board; with its own statistics, each board is then determined as one (:func:`_determine_one`). All
    plans are checked before any is determined.

    :param plans: plans, or :class:`~bcf.validation.CheckedPlan` s of them (not checked again).
    :param p4p_pools: each plan's performance pool in pounds, in the order of ``plans``.
    :raise InvalidInput: every cross-reference problem of the first plan that has any.
    """
    if len(plans) != len(p4p_pools):
        raise ValueError(f"{len(plans)} plans but {len(p4p_pools)} pools")
    sound = [_checked(plan, rule_set, catalogue, pool) for plan, pool in zip(plans, p4p_pools, strict=True)]
    each_metric_periods = [subjects(plan, rule_set, catalogue) for plan in sound]
    each_measured = measure(each_metric_periods, rule_set, catalogue)
    return [
        _determine_one(plan, rule_set, catalogue, pool, metric_periods, measured)
        for plan, pool, metric_periods, measured in zip(
            sound, p4p_pools, each_metric_periods, each_measured, strict=True
        )
    ]


def _determine_one(
    plan: Plan,
    rule_set: RuleSet,
    catalogue: Catalogue,
    p4p_pool: Decimal,
    metric_periods: list[Subject],
    measured: list[Statistics],
) -> Determination:
    """One board's determination from its metric-periods' statistics: metric assessment, conditions,
    tranches, totals, warnings.

    :raise InvalidInput: a figure computed from the plan is not a finite number.
    """
    assessments, metric_warnings = assess(metric_periods, measured, rule_set, catalogue)
    _refuse_non_finite(plan, assessments)
    conditions, plan_assured = assess_conditions(plan.conditions, rule_set)
    tranches = _tranches(plan, rule_set, p4p_pool, conditions, plan_assured, assessments)
    pending = any(tranche.released is None for tranche in tranches)
    totals = Totals(
        available=sum((tranche.available for tranche in tranches), ZERO),
        released=None if pending else sum((tranche.released for tranche in tranches), ZERO),
        held_back=None if pending else sum((tranche.held_back for tranche in tranches), ZERO),
    )
    warnings = _plan_warnings(plan, catalogue) + metric_warnings
    if rule_set.pot_metrics:  # a fund sized from pots is not the pool split into shares
        warnings += _revised_warnings(
            [assessment.result for assessment in assessments], rule_set, p4p_pool, totals.available)
    elif totals.available != p4p_pool:
        warnings.append(_tranche_rounding(p4p_pool, totals.available))
    flags = [tranche.recovery_plan_required for tranche in tranches]
    recovery = True if any(flags) else (None if None in flags else False)
    return Determination(
        hwb_code=plan.hwb_code,
        rule_set=rule_set.id,
        p4p_pool=p4p_pool,
        plan_assured=plan_assured,
        conditions=conditions,
        metrics=tuple(assessment.result for assessment in assessments),
        tranches=tranches,
        totals=totals,
        recovery_plan_required=recovery,
        warnings=tuple(warnings),
        spc=spc_charts(plan, rule_set, catalogue, [assessment.result for assessment in assessments]),
    )


def assess_ambitions(
    plan: Plan | CheckedPlan, rule_set: RuleSet, catalogue: Catalogue, p4p_pool: Decimal
) -> Ambitions:
    """For setting levels of ambition: per metric and period, the baseline interval, the minimum
    significant ambition, whether the plan is significant and beyond trend, and what its line is worth.

    Actuals, if sent, are ignored. A line's worth follows §8 and ``unassessable_metric_share``: metrics
    the plan leaves out are unassessable, and under ``redistribute`` their share goes to the others.
    :raise InvalidInput: every cross-reference problem of the plan.
    """
    plan = _checked(plan, rule_set, catalogue, p4p_pool)
    metric_periods = subjects(plan, rule_set, catalogue)
    [measured] = measure([metric_periods], rule_set, catalogue, with_actuals=False)
    assessments, warnings = assess(metric_periods, measured, rule_set, catalogue, with_actuals=False)
    _refuse_non_finite(plan, assessments)
    given = {(subject.metric.metric, subject.period_id) for subject in metric_periods}
    result_of = {(a.result.metric, a.result.period): a.result for a in assessments}
    worth: dict[tuple[str, str], tuple[Decimal, str]] = {}
    for tranche in rule_set.tranches:
        if tranche.kind != "metrics":
            continue
        if tranche.pot is not None:  # its one line is worth its pot
            found = result_of.get((tranche.lines[0], tranche.payment))
            available, text = _pot(tranche, found, rule_set)
            if found is not None:
                worth[(tranche.lines[0], tranche.payment)] = (available, f"{tranche.id} (pot {text})")
            continue
        available = tranche_available(p4p_pool, tranche, rule_set)
        statuses = [
            PENDING if (metric, tranche.payment) in given else UNASSESSABLE for metric in tranche.lines
        ]
        amounts, _ = line_availables(available, statuses, rule_set)
        for metric, amount in zip(tranche.lines, amounts, strict=True):
            worth[(metric, tranche.payment)] = (amount, f"{tranche.id} ({format_pounds(available)})")
    results = []
    for assessment in assessments:
        result = assessment.result
        share, of = worth.get((result.metric, result.period), (None, None))
        text = result.explanation + (
            f"; its line is worth {format_pounds(share)} of {of}"
            if share is not None
            else "; no tranche pays for it"
        )
        results.append(
            AmbitionResult(
                metric=result.metric,
                period=result.period,
                tranche=result.tranche,
                local_metric=result.local_metric,
                name=result.name,
                type=result.type,
                polarity=result.polarity,
                unit=result.unit,
                months=result.months,
                baseline=result.baseline,
                plan=result.plan,
                significance=result.significance,
                minimum_significant_ambition=result.minimum_significant_ambition,
                ambition_significant=result.ambition_significant,
                trend_projection=result.trend_projection,
                ambition_beyond_trend=result.ambition_beyond_trend,
                share=share,
                explanation=text,
            )
        )
    fund = sum((worth[key][0] for key in worth if key[0] in rule_set.pot_metrics), ZERO)
    return Ambitions(
        plan.hwb_code,
        rule_set.id,
        p4p_pool,
        tuple(results),
        tuple(warning for warning in _plan_warnings(plan, catalogue) if warning.code != "access_not_checked")
        + tuple(warnings) + tuple(_revised_warnings(results, rule_set, p4p_pool, fund)),
        spc=spc_charts(plan, rule_set, catalogue, results),
    )
