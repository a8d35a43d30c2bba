"""Making Data Count XmR charts of a plan's monthly series, and whether the process can meet the ambition.

Issue 13 §2: a plan may send, for a metric the catalogue gives a series (``monthly_series``: delayed
transfers, avoidable emergency admissions, non-elective admissions), its ``monthly`` values, oldest first.
The chart itself is :func:`metrics.xmr` (NHS England, *Making Data Count*, 2019, as NHSRplotthedots
computes it); this module supplies the BCF side: the polarity from the catalogue, the screening option
from the request, and the ambition each period's plan sets, put on the series' monthly scale.

The monthly scale. A month's ``value`` is the metric's unit for that one month: for a per-month average
(catalogue ``monthly_average``: delayed days per 100,000 18+ per month; avoidable emergency admissions per
100,000 per month) a month's own rate is on the plan's scale already, since the plan is an average per
month (rules §4: numerator ÷ months ÷ denominator × 100,000), so the target is the plan as it stands. A
metric stated for its whole measurement period (non-elective admissions in a quarter) has its plan
divided by the period's months (the rule set's ``periods``): 4,800 a quarter is 1,600 a month.

Assurance (Making Data Count): the target beyond both process limits on the wrong side means the process
will consistently fail it until the system changes (``consistent_fail``); on the good side, it is met
every month already (``consistent_pass``); between the limits (or on one), the process will sometimes hit
it and sometimes miss it (``inconsistent``).
"""

from __future__ import annotations

from collections.abc import Sequence

import metrics
from bcf.catalogue import Catalogue, MetricInfo
from bcf.figures import apart, four_figures
from bcf.plan import UNREAD, MetricPlan, Plan
from bcf.results import AmbitionResult, MetricResult, SpcAssurance, SpcChart, SpcPoint
from bcf.rules import RuleSet
from metrics.spc import RULES, TRIAL_BELOW

_ASSURANCE = {
    "consistent_pass": "already met: both process limits are on the good side of it, so the process as "
                       "it runs meets it every month",
    "consistent_fail": "beyond the process limits: the process as it runs will consistently fail to meet "
                       "it without a change in the system",
    "inconsistent": "inside the process limits: the process as it runs will sometimes meet it and "
                    "sometimes miss it",
}
_ICONS = {
    "common_cause": "common cause variation (no significant change)",
    "improvement_high": "special cause of an improving nature, higher",
    "improvement_low": "special cause of an improving nature, lower",
    "concern_high": "special cause of a concerning nature, higher",
    "concern_low": "special cause of a concerning nature, lower",
}


def spc_charts(plan: Plan, rule_set: RuleSet, catalogue: Catalogue,
               results: Sequence[MetricResult | AmbitionResult]) -> tuple[SpcChart, ...]:
    """The XmR chart of every metric of ``plan`` that sends a monthly series, in the plan's order.

    :param plan: a checked plan (a series only on a metric whose catalogue entry has ``monthly_series``).
    :param results: the plan's metric results, whose planned values become the targets of the assurance.
    :return: nothing for a plan without series, so its answer is what it was before series existed.
    """
    plans_of: dict[str, list[MetricResult | AmbitionResult]] = {}
    for result in results:
        plans_of.setdefault(result.metric, []).append(result)
    return tuple(
        _chart(metric, plan, rule_set, catalogue, plans_of.get(metric.metric, []))
        for metric in plan.metrics
        if metric.monthly is not None and metric.monthly is not UNREAD
    )


def _chart(metric: MetricPlan, plan: Plan, rule_set: RuleSet, catalogue: Catalogue,
           results: Sequence[MetricResult | AmbitionResult]) -> SpcChart:
    info = catalogue.national[metric.metric]
    months = metric.monthly
    assert months is not None and months is not UNREAD  # spc_charts passes series only
    screen = plan.spc.screen_moving_ranges
    chart = metrics.xmr([m.value for m in months], info.polarity, screen_outliers=screen)
    points = tuple(
        SpcPoint(
            month=m.month, value=m.value,
            moving_range=None if i == 0 else float(chart.moving_ranges[i]),
            screened=bool(chart.screened[i]), type=str(chart.point_type[i]),
            rule=None if chart.rule[i] == 0 else RULES[int(chart.rule[i])],
        )
        for i, m in enumerate(months)
    )
    assurance = tuple(_assurance(result, info, rule_set, chart, screen) for result in results)
    return SpcChart(
        metric=metric.metric, polarity=info.polarity, unit=info.unit,
        first_month=months[0].month, last_month=months[-1].month,
        screen_moving_ranges=screen, screened_moving_ranges=chart.screened_count,
        trial_limits=chart.trial_limits, mean=chart.mean, mean_moving_range=chart.mean_moving_range,
        upper_limit=chart.upper_limit, lower_limit=chart.lower_limit,
        upper_two_sigma=chart.upper_two_sigma, lower_two_sigma=chart.lower_two_sigma,
        icon=chart.icon, points=points, assurance=assurance,
        explanation=_explanation(chart, months[0].month, months[-1].month, screen),
    )


def _assurance(result: MetricResult | AmbitionResult, info: MetricInfo, rule_set: RuleSet,
               chart: metrics.XmR, screen: bool) -> SpcAssurance:
    """One period's plan against the process limits, on the monthly scale (module docstring). The
    chart is asked again with the target, so the verdict is :func:`metrics.xmr`'s own."""
    months = 1 if info.monthly_average else rule_set.periods[result.period][result.metric].months
    target = result.plan / months
    verdict = metrics.xmr(chart.values, chart.polarity, target=target, screen_outliers=screen).assurance
    lower, shown, upper = apart(chart.lower_limit, target, chart.upper_limit)
    if info.monthly_average:  # the unit is per month already ("per 100,000 (18+) per month")
        shown = f"{shown} {info.unit}"
    else:
        shown = f"{shown} a month ({four_figures(result.plan)} {info.unit} ÷ {months} months)"
    return SpcAssurance(
        period=result.period, plan=result.plan, target=target, assurance=verdict,
        explanation=f"The {result.period} plan, {shown}, is {_ASSURANCE[verdict]} "
                    f"(process limits {lower} to {upper}).",
    )


def _explanation(chart: metrics.XmR, first: str, last: str, screen: bool) -> str:
    n = chart.values.size
    if screen:
        left = chart.screened_count
        screening = (f"; {left} moving range{'s' if left != 1 else ''} above 3.267 × their mean left out"
                     if left else "; no moving range above 3.267 × their mean to leave out")
    else:
        screening = "; moving ranges not screened (the Making Data Count Excel tool's limits)"
    mean, lower, upper = apart(chart.mean, chart.lower_limit, chart.upper_limit)
    trial = (f" With fewer than {TRIAL_BELOW} months these are trial limits, to be set again "
             "as months arrive." if chart.trial_limits else "")
    return (f"XmR chart of {n} months, {first} to {last}: mean {mean}, mean moving range "
            f"{four_figures(chart.mean_moving_range)}{screening}; process limits mean ± 2.66 × mean moving "
            f"range = {lower} to {upper}.{trial} Last month: {_ICONS.get(chart.icon, chart.icon)}.")
