"""Cross-reference checks a request schema cannot see: the plan against the rule set and the catalogue.

The schema checks shapes and types; this checks meaning: a metric the catalogue knows, a period the
rule set measures for that metric, a count block that fits the metric's statistic type, counts that make
sense for it, a definition where the plan must define the metric, and the seven-day-services rule that a
"no" needs an explanation (rules §3). Every problem is reported at once, each with a JSON-path location
in the api.md request, so a finance officer can fix them all in one go. A value that is
:data:`~bcf.plan.UNREAD` (its reader could not read it, and said so) is passed over, as is any check that
needs it: the plan's other values are still checked, and no problem is reported twice.
"""

from __future__ import annotations

import math
from typing import Any

import metrics
from bcf.catalogue import COUNT, LOCAL, POLARITIES, STATISTIC_TYPES, Catalogue, metric_info, statistic_type
from bcf.plan import UNREAD, BareValue, Counts, MetricPlan, Plan, Score, Standardised
from bcf.rules import RuleSet

# Input sanity, not policy: no count, population or value in this scheme comes near a trillion, and
# bounding them keeps every statistic finite (1e308 in, NaN out is what this prevents).
MAX_MAGNITUDE = 1e12
BLOCK_NAMES = {
    Counts: "numerator/denominator",
    Score: "mean/sd/n",
    Standardised: "bands",
    BareValue: "value",
}
TYPE_BLOCKS = {
    "rate": "{numerator, denominator} (or {bands} where a DSR is allowed)",
    "proportion": "{numerator, denominator}",
    "dsr": "{bands: [{events, population, standard_population}]}",
    "score": "{mean, sd, n}",
    "count": "{value} (the count itself, a whole number)",
}


def _number(
    problems: list[dict[str, str]],
    value: Any,
    where: str,
    *,
    low: float | None = None,
    positive: bool = False,
    whole: bool = False,
    high: float | None = None,
) -> bool:
    """Check one number; record a problem and return False if it is not acceptable (or UNREAD)."""
    kind = type(value)
    # The usual number is accepted at once: an exact float or int (a bool is neither) within ±10^12 and
    # every bound asked for, which is exactly when none of the checks below has anything to say (NaN
    # fails the comparisons). Anything else takes those checks, which say what is wrong.
    if (kind is float or kind is int) and -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE \
            and (low is None or value >= low) and (high is None or value <= high) \
            and not (positive and value <= 0) and not (whole and value != int(value)):
        return True
    if value is UNREAD:
        return False  # its reader has reported it
    # float and int first: the isinstance checks cost more than the usual number
    number = kind is float or kind is int or (not isinstance(value, bool) and isinstance(value, int | float))
    if not number or not math.isfinite(value):
        problems.append({"location": where, "message": f"must be a finite number, not {value!r}"})
        return False
    message = None
    if abs(value) > MAX_MAGNITUDE:
        message = f"must be at most {MAX_MAGNITUDE:,.0f} in size"
    elif positive and value <= 0:
        message = "must be greater than zero"
    elif low is not None and value < low:
        message = f"must be at least {low:g}"
    elif high is not None and value > high:
        message = f"must be at most {high:g}"
    elif whole and value != int(value):
        message = "must be a whole number (a count)"
    if message:
        problems.append({"location": where, "message": message})
    return message is None


def _block(problems: list[dict[str, str]], block: Any, kind: str | None, where: str) -> None:
    """Check the numbers of one count block for the statistic type it gives."""
    if isinstance(block, Counts):
        ok = _number(problems, block.numerator, f"{where}.numerator", low=0, whole=True)
        ok &= _number(
            problems, block.denominator, f"{where}.denominator", positive=True, whole=kind == "proportion"
        )
        if ok and kind == "proportion" and block.numerator > block.denominator:
            problems.append(
                {
                    "location": f"{where}.numerator",
                    "message": "a proportion's numerator cannot exceed its denominator",
                }
            )
    elif isinstance(block, Score):
        _number(problems, block.mean, f"{where}.mean")
        _number(problems, block.sd, f"{where}.sd", low=0)
        _number(problems, block.n, f"{where}.n", low=2, whole=True)
    elif isinstance(block, Standardised):
        if not block.bands:
            problems.append({"location": f"{where}.bands", "message": "at least one age band is required"})
        elif any(band.events is UNREAD or band.standard_population is UNREAD for band in block.bands):
            pass  # the totals are unknown; the numbers of each band that were read are checked below
        elif not sum(band.standard_population for band in block.bands) > 0:
            problems.append(
                {"location": f"{where}.bands", "message": "the standard population cannot be all zero"}
            )
        elif sum(band.events for band in block.bands) < metrics.MIN_TOTAL_EVENTS:
            problems.append(
                {
                    "location": f"{where}.bands",
                    "message": (
                        f"a DSR needs at least {metrics.MIN_TOTAL_EVENTS} events in total (fewer and it is "
                        f"not calculated, as PHE); send {{numerator, denominator}} or {{value}} instead"
                    ),
                }
            )
        for j, band in enumerate(block.bands):
            _number(problems, band.events, f"{where}.bands[{j}].events", low=0, whole=True)
            _number(problems, band.population, f"{where}.bands[{j}].population", positive=True)
            _number(problems, band.standard_population, f"{where}.bands[{j}].standard_population", low=0)
    elif isinstance(block, BareValue) and kind == COUNT:  # the count itself
        _number(problems, block.value, f"{where}.value", low=0, whole=True)
    elif isinstance(block, BareValue):
        _value(problems, block.value, kind, f"{where}.value")


def _value(problems: list[dict[str, str]], value: Any, kind: str | None, where: str) -> None:
    """A value in the metric's unit: rates are not negative, proportions are percentages."""
    if kind == "proportion":
        _number(problems, value, where, low=0, high=100)
    elif kind in ("rate", "dsr", COUNT):  # a planned count may be a fraction; counts are whole (_block)
        _number(problems, value, where, low=0)
    else:
        _number(problems, value, where)


def _definition(
    problems: list[dict[str, str]], metric: MetricPlan, where: str, required: tuple[str, ...]
) -> None:
    definition = metric.definition
    if definition is None:
        problems.append(
            {
                "location": f"{where}.definition",
                "message": f"{metric.metric} is defined by the plan: a definition with "
                f"{', '.join(required)} is required",
            }
        )
        return
    for field in required:
        if not getattr(definition, field):
            problems.append({"location": f"{where}.definition.{field}", "message": "is required"})
    if definition.type is not None and definition.type not in STATISTIC_TYPES:
        problems.append(
            {
                "location": f"{where}.definition.type",
                "message": f"must be one of {', '.join(STATISTIC_TYPES)}",
            }
        )
    if definition.polarity is not None and definition.polarity not in POLARITIES:
        problems.append({"location": f"{where}.definition.polarity", "message": "must be lower or higher"})


def _metric(
    problems: list[dict[str, str]], metric: MetricPlan, where: str, rule_set: RuleSet, catalogue: Catalogue
) -> None:
    if not catalogue.is_metric(metric.metric):
        # the metrics the rule set measures, in catalogue order (for bcf-2015-16: every metric)
        measured = {m for metrics in rule_set.periods.values() for m in metrics}
        known = ", ".join(m for m in [*catalogue.national, LOCAL] if m in measured)
        problems.append(
            {"location": f"{where}.metric", "message": f"unknown metric {metric.metric!r}; known: {known}"}
        )
        return
    national = catalogue.national.get(metric.metric)
    if metric.metric == LOCAL:
        if metric.local_metric is None and metric.definition is None:
            problems.append(
                {
                    "location": where,
                    "message": "a local metric needs local_metric (one of the menu) "
                    "or a definition of a local alternative",
                }
            )
        elif metric.local_metric is not None and metric.definition is not None:
            problems.append(
                {
                    "location": f"{where}.definition",
                    "message": "give local_metric or a definition of a local alternative, not both",
                }
            )
        elif metric.local_metric is not None and metric.local_metric not in catalogue.local_menu:
            problems.append(
                {
                    "location": f"{where}.local_metric",
                    "message": f"not in the local menu: {', '.join(catalogue.local_menu)}",
                }
            )
        elif metric.definition is not None:
            _definition(problems, metric, where, ("type", "polarity"))  # the rest: a warning (metrics.md)
    else:
        if metric.local_metric is not None:
            problems.append(
                {"location": f"{where}.local_metric", "message": "only the local metric has local_metric"}
            )
        if national.defined_by_plan:
            _definition(problems, metric, where, ("name", "type", "polarity"))
        elif metric.definition is not None:
            problems.append(
                {
                    "location": f"{where}.definition",
                    "message": f"{metric.metric} is defined by the catalogue; only patient_experience "
                    f"and a local alternative take a definition",
                }
            )
    info = metric_info(metric, catalogue)
    if not metric.periods:
        problems.append({"location": f"{where}.periods", "message": "at least one period is required"})
    for period_id, period in metric.periods.items():
        at = f"{where}.periods.{period_id}"
        if rule_set.period(period_id, metric.metric) is None:
            measured = [p for p, metrics in rule_set.periods.items() if metric.metric in metrics]
            message = (f"rule set {rule_set.id} measures {metric.metric} for {', '.join(measured)} only"
                       if measured else
                       f"rule set {rule_set.id} does not measure {metric.metric} in any period")
            problems.append({"location": at, "message": message})
            continue
        if info is None:
            continue
        blocks = (period.baseline, period.actual)
        kind = statistic_type(info, blocks)
        if kind is None:
            for name, block in (("baseline", period.baseline), ("actual", period.actual)):
                if block is not None and statistic_type(info, (block,)) is None:
                    problems.append(
                        {
                            "location": f"{at}.{name}",
                            "message": (
                                f"a {BLOCK_NAMES[type(block)]} block cannot give {metric.metric} "
                                f"({' or '.join(info.allowed_types)}); send "
                                + " or ".join(TYPE_BLOCKS[kind] for kind in info.allowed_types)
                                + " or {value}"
                            ),
                        }
                    )
            if all(statistic_type(info, (block,)) is not None for block in blocks if block is not None):
                problems.append(
                    {
                        "location": f"{at}.actual",
                        "message": "baseline and actual must be the same statistic type",
                    }
                )
            continue
        _block(problems, period.baseline, kind, f"{at}.baseline")
        if period.actual is not None:
            _block(problems, period.actual, kind, f"{at}.actual")
        _value(problems, period.plan, kind, f"{at}.plan")
        for j, value in enumerate(() if period.history in (None, UNREAD) else period.history):
            _value(problems, value, kind, f"{at}.history[{j}]")


def check_plan(plan: Plan, rule_set: RuleSet, catalogue: Catalogue) -> list[dict[str, str]]:
    """Every cross-reference problem of ``plan``, each ``{"location": <JSON path>, "message": ...}``.

    An empty list means the plan can be determined. The locations follow the api.md request, e.g.
    ``metrics[2].periods.april-2015.baseline.numerator``.
    """
    problems: list[dict[str, str]] = []
    if plan.p4p_pool is not None and (not plan.p4p_pool.is_finite() or plan.p4p_pool < 0):
        problems.append({"location": "p4p_pool", "message": "must be a finite amount of at least 0.00"})
    first_seen: dict[str, int] = {}
    for i, metric in enumerate(plan.metrics):
        if metric.metric in first_seen:
            problems.append(
                {
                    "location": f"metrics[{i}].metric",
                    "message": f"{metric.metric} is given twice (also metrics[{first_seen[metric.metric]}])",
                }
            )
        first_seen.setdefault(metric.metric, i)
        _metric(problems, metric, f"metrics[{i}]", rule_set, catalogue)
        _monthly(problems, metric, f"metrics[{i}]", catalogue)
    conditions = plan.conditions
    if conditions is not None:
        seven = conditions.seven_day_services
        if seven is not None and seven.confirmed is False and not (seven.explanation or "").strip():
            problems.append(
                {
                    "location": "conditions.seven_day_services.explanation",
                    "message": "when confirmed is false, an explanation of why not is required",
                }
            )
        joint = conditions.joint_assessment
        if joint is not None and joint.case_managed_proportion is not None:
            _number(
                problems,
                joint.case_managed_proportion,
                "conditions.joint_assessment.case_managed_proportion",
                low=0,
                high=1,
            )
    return problems


def _monthly(problems: list[dict[str, str]], metric: MetricPlan, where: str, catalogue: Catalogue) -> None:
    """A monthly series (issue 13 §2) only on a metric the catalogue gives one (``monthly_series``): its
    months and values the schema has checked."""
    if metric.monthly is None or metric.monthly is UNREAD or not catalogue.is_metric(metric.metric):
        return
    info = catalogue.national.get(metric.metric)
    if info is None or not info.monthly_series:
        with_series = ", ".join(m.id for m in catalogue.national.values() if m.monthly_series)
        problems.append({"location": f"{where}.monthly",
                         "message": f"{metric.metric} takes no monthly series; only {with_series} do"})


_MADE_BY_CHECK = object()


class CheckedPlan:
    """A plan in which :func:`check_plan` found no problem, with the rule set and catalogue it was
    checked against: made only by :func:`checked_plan`.

    The calculator checks a request before it determines it (to report the schema's and the
    cross-reference problems together); handing :func:`bcf.determination.determine` this proof instead
    of the bare plan spares it checking the same plan again. ``determine`` trusts it only for the very
    rule set and catalogue it names, and checks the plan again for any other.
    """

    __slots__ = ("plan", "rule_set", "catalogue")

    def __init__(self, plan: Plan, rule_set: RuleSet, catalogue: Catalogue, token: object) -> None:
        if token is not _MADE_BY_CHECK:
            raise TypeError("a CheckedPlan is made by bcf.validation.checked_plan, which checks the plan")
        self.plan, self.rule_set, self.catalogue = plan, rule_set, catalogue


def checked_plan(
    plan: Plan, rule_set: RuleSet, catalogue: Catalogue
) -> tuple[CheckedPlan | None, list[dict[str, str]]]:
    """:func:`check_plan`, and the plan as a :class:`CheckedPlan` when it has no problem.

    :return: ``(CheckedPlan, [])``, or ``(None, problems)``.
    """
    problems = check_plan(plan, rule_set, catalogue)
    return (None, problems) if problems else (CheckedPlan(plan, rule_set, catalogue, _MADE_BY_CHECK), [])
