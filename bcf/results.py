"""What a determination answers: frozen dataclasses whose attribute names ARE the api.md response fields.

The HTTP layer dumps these as they stand (``DeterminationSchema``), so a field renamed here is a field
renamed in the public contract: add, never rename. Money is Decimal (rounded where rules §8 says);
rates, achievements and p-values are unrounded floats. ``None`` dumps as JSON null and means "not known
yet" (pending) or "not applicable" (no counts, fewer than three history values).
Every metric result, tranche line and tranche carries an ``explanation`` naming its inputs and rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# Condition statuses (rules §3)
MET, NOT_MET, NOT_ASSESSED = "met", "not_met", "not_assessed"
# Tranche statuses (api.md)
DETERMINED, PENDING = "determined", "pending"
# Line statuses: determined | pending | not_assessed (condition without evidence) | unassessable (metric)
UNASSESSABLE = "unassessable"
# Significance of a metric-period: counts give intervals and tests; a bare value does not (rules §4)
ASSESSED, NOT_ASSESSABLE = "assessed", "not_assessable"
# held_back_use (rules §3, §6)
NONE, CONTINGENCY_PLAN, RECOVERY_PLAN = "none", "contingency_plan", "recovery_plan"
PENDING_CONDITIONS, PENDING_ASSURANCE, NHS_ENGLAND_DIRECTION = (
    "pending_conditions",
    "pending_assurance",
    "nhs_england_direction",
)
# The revised scheme (bcf-2015-16-revised): unearned money is spent on NHS-commissioned out-of-hospital
# services, as agreed by the HWB (a tranche's own held_back_use; no recovery plan)
NHS_OUT_OF_HOSPITAL_SERVICES = "nhs_out_of_hospital_services"


@dataclass(frozen=True, slots=True)
class Estimate:
    """A value with its confidence interval (``None`` bounds when there are no counts to make one).

    ``method`` names how the interval was made: ``byars``, ``exact``, ``wilson``, ``dobson``, ``t`` or
    ``None`` (a bare value, or a DSR from fewer than 10 events).
    """

    value: float
    ci_lower: float | None = None
    ci_upper: float | None = None
    method: str | None = None


@dataclass(frozen=True, slots=True)
class ConditionResult:
    """A national condition: ``met``, ``not_met`` (each reason names its field) or ``not_assessed``."""

    condition: str
    status: str
    access: bool  # a condition of access (decides plan_assured) rather than a tranche line
    tranche: str | None  # the tranche it earns, None for an access condition
    reasons: tuple[str, ...]
    explanation: str


@dataclass(frozen=True, slots=True)
class MetricResult:
    """One metric in one payment period: values and intervals, achievement and significance (§4–§7)."""

    metric: str
    period: str
    tranche: str | None  # the metrics tranche paying for this period, None if none does
    local_metric: str | None  # the menu id for ``local`` from the menu
    name: str
    type: str  # rate | proportion | dsr | score
    polarity: str  # lower | higher
    unit: str | None
    months: int  # averaging months (1 unless an average per month)
    status: str  # determined | pending (no actual yet)
    baseline: Estimate
    plan: float
    actual: Estimate | None
    achievement: float | None  # unclipped, rounded to 6 dp for reporting
    payable_fraction: float | None  # from the unrounded achievement and payment_mode
    significance: str  # assessed | not_assessable (a bare value or no interval)
    minimum_significant_ambition: float | None
    ambition_significant: bool | None
    change_p_value: float | None
    change_significant: bool | None
    trend_projection: float | None
    ambition_beyond_trend: bool | None
    explanation: str


@dataclass(frozen=True, slots=True)
class LineResult:
    """One line of a tranche (a condition or a metric): its share and what is released (§8)."""

    item: str
    status: str  # determined | pending | not_assessed | unassessable
    available: Decimal
    released: Decimal | None  # None while pending
    held_back: Decimal | None
    payable_fraction: float | None
    explanation: str


@dataclass(frozen=True, slots=True)
class TrancheResult:
    """One tranche: available, released and held back (sums of its lines), and what happens to the rest."""

    tranche: str
    payment: str
    kind: str  # conditions | metrics
    share: Decimal | None  # None: priced from a pot (the revised scheme), not a share of the pool
    status: str  # determined | pending | not_assessed
    available: Decimal
    released: Decimal | None
    held_back: Decimal | None
    held_back_use: str | None  # None while pending
    recovery_plan_required: bool | None  # None while a line is pending; always False for conditions
    lines: tuple[LineResult, ...]
    explanation: str


@dataclass(frozen=True, slots=True)
class Totals:
    available: Decimal
    released: Decimal | None  # None while any tranche is pending
    held_back: Decimal | None


@dataclass(frozen=True, slots=True)
class PlanWarning:
    """Something the plan should look at; never changes the money (api.md ``warnings[]``)."""

    code: str
    metric: str | None
    period: str | None
    message: str


@dataclass(frozen=True, slots=True)
class Determination:
    """One board's determination: the response of ``POST /api/v1/calculations``."""

    hwb_code: str
    rule_set: str
    p4p_pool: Decimal
    plan_assured: bool | None  # None: conditions not sent, access not checked
    conditions: tuple[ConditionResult, ...]
    metrics: tuple[MetricResult, ...]
    tranches: tuple[TrancheResult, ...]
    totals: Totals
    recovery_plan_required: bool | None
    warnings: tuple[PlanWarning, ...]
    spc: tuple[SpcChart, ...] = ()  # the metrics that sent a monthly series; left out of the answer if none


@dataclass(frozen=True, slots=True)
class AmbitionResult:
    """One metric and period when setting ambitions: is the planned value significant, beyond trend,
    and what is its line worth (``share``: the line's available money; None if no tranche pays it)."""

    metric: str
    period: str
    tranche: str | None
    local_metric: str | None
    name: str
    type: str
    polarity: str
    unit: str | None
    months: int
    baseline: Estimate
    plan: float
    significance: str
    minimum_significant_ambition: float | None
    ambition_significant: bool | None
    trend_projection: float | None
    ambition_beyond_trend: bool | None
    share: Decimal | None
    explanation: str


@dataclass(frozen=True, slots=True)
class Ambitions:
    """The response of ``POST /api/v1/ambitions``: the tool for setting levels of ambition."""

    hwb_code: str
    rule_set: str
    p4p_pool: Decimal
    metrics: tuple[AmbitionResult, ...]
    warnings: tuple[PlanWarning, ...]
    spc: tuple[SpcChart, ...] = ()  # the metrics that sent a monthly series; left out of the answer if none


# --- Making Data Count XmR charts of the monthly series (issue 13 §2; bcf/spc.py) ----------------------


@dataclass(frozen=True, slots=True)
class SpcPoint:
    """One month of an XmR chart: its moving range and what kind of variation it shows."""

    month: str  # YYYY-MM
    value: float
    moving_range: float | None  # |value − previous month's|; None for the first month
    screened: bool  # the moving range was left out of the mean moving range (above 3.267 × the mean)
    type: str  # common_cause | special_cause_improvement | special_cause_concern
    rule: str | None  # outside_limits | trend | two_of_three | shift (the first that fired); None: none


@dataclass(frozen=True, slots=True)
class SpcAssurance:
    """Can the process, as it runs, meet one period's planned value put on the series' monthly scale?"""

    period: str
    plan: float  # the planned value, in the metric's unit
    target: float  # the plan on the monthly scale of the series (plan ÷ months for a whole-period figure)
    assurance: str  # consistent_pass | consistent_fail | inconsistent
    explanation: str


@dataclass(frozen=True, slots=True)
class SpcChart:
    """The XmR chart of one metric's monthly series, with its last month's icon and the assurance."""

    metric: str
    polarity: str  # lower | higher (is better), from the catalogue
    unit: str  # the metric's unit, for one month
    first_month: str
    last_month: str
    screen_moving_ranges: bool  # the option the limits were computed with
    screened_moving_ranges: int  # how many moving ranges screening left out
    trial_limits: bool  # fewer than 13 months: provisional limits
    mean: float
    mean_moving_range: float
    upper_limit: float  # mean + 2.66 × mean moving range
    lower_limit: float
    upper_two_sigma: float  # two thirds of the way from the mean to a limit
    lower_two_sigma: float
    icon: str  # the last month's variation icon
    points: tuple[SpcPoint, ...]
    assurance: tuple[SpcAssurance, ...]  # one per period of the plan
    explanation: str
