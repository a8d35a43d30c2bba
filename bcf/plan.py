"""What a board submits: its conditions evidence and, per metric and period, baseline, plan and actual.

These frozen dataclasses are the only shape in which input crosses into :mod:`bcf`: the HTTP schemas,
the CSV reader and the stored-plan code all build them (usually by loading the JSON request of
``spec/api.md`` through ``calculator.requests.CalculationRequestSchema``), so there is one
determination and no second implementation. Field names are the JSON field names of ``api.md``.

A field that was not sent is ``None``: "not sent" and "false" mean different things to the condition
rules (rules-2015-16.md §3: no evidence → ``not_assessed``; a missing field within sent evidence →
``not_met``, naming the field).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


class _Unread:
    """The type of :data:`UNREAD` (one instance)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNREAD"


#: In a plan read from an invalid request, only to be checked (never determined): a value, or a count
#: block, that its reader could not read and has already reported. :func:`bcf.validation.check_plan`
#: passes over it and over whatever depends on it, so one request reports every problem, each once.
UNREAD = _Unread()


# --- measurements: the four count blocks of api.md, or a bare value ---------------------------------


@dataclass(frozen=True, slots=True)
class Counts:
    """Rate or proportion: events (or successes) over population (or cohort)."""

    numerator: float
    denominator: float


@dataclass(frozen=True, slots=True)
class Score:
    """A mean score with its standard deviation and number of respondents."""

    mean: float
    sd: float
    n: float


@dataclass(frozen=True, slots=True)
class Band:
    """One age band of a directly standardised rate."""

    events: float
    population: float
    standard_population: float


@dataclass(frozen=True, slots=True)
class Standardised:
    """A directly standardised rate's inputs: one entry per age band."""

    bands: tuple[Band, ...]


@dataclass(frozen=True, slots=True)
class BareValue:
    """A value with no counts: it is used as it stands, and significance is ``not_assessable``."""

    value: float


Measurement = Counts | Score | Standardised | BareValue


@dataclass(frozen=True, slots=True)
class PeriodPlan:
    """One metric in one payment period (``april-2015`` or ``october-2015``)."""

    baseline: Measurement
    plan: float
    actual: Measurement | None = None  # None: outturn not in yet (the line is pending)
    history: tuple[float, ...] | None = None  # earlier values, oldest first (§7 trend)


@dataclass(frozen=True, slots=True)
class MetricDefinition:
    """A plan-defined metric: ``patient_experience``, or a local alternative to the menu."""

    name: str | None = None
    type: str | None = None  # rate | proportion | dsr | score
    polarity: str | None = None  # lower | higher
    unit: str | None = None
    source: str | None = None
    jhws_link: str | None = None


@dataclass(frozen=True, slots=True)
class MonthlyValue:
    """One month of a metric's monthly series (issue 13 §2): ``value`` in the metric's unit for that one
    month (a delayed-transfers rate per 100,000 18+ in the month; non-elective admissions in the month)."""

    month: str  # YYYY-MM
    value: float


@dataclass(frozen=True, slots=True)
class MetricPlan:
    metric: str  # a national metric id, or "local"
    periods: Mapping[str, PeriodPlan]
    local_metric: str | None = None  # a menu id, when metric == "local"
    definition: MetricDefinition | None = None
    # the monthly series for an XmR chart (bcf/spc.py), oldest first, consecutive months; None: not sent
    monthly: tuple[MonthlyValue, ...] | None = None


@dataclass(frozen=True, slots=True)
class SpcOptions:
    """How the XmR charts of the plan's monthly series are drawn (request ``spc``)."""

    # leave moving ranges above 3.267 × their mean out of the mean moving range (NHSRplotthedots' default);
    # False gives the NHS Making Data Count Excel tool's limits
    screen_moving_ranges: bool = True


# --- conditions evidence (rules-2015-16.md §3) ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlansJointlyAgreed:
    hwb_signed_off: bool | None = None
    councils_signed_off: bool | None = None
    ccgs_signed_off: bool | None = None
    providers_engaged: bool | None = None


@dataclass(frozen=True, slots=True)
class ProtectSocialCare:
    explanation: str | None = None


@dataclass(frozen=True, slots=True)
class SevenDayServices:
    confirmed: bool | None = None
    explanation: str | None = None  # required when confirmed is false (validated at the edge)


@dataclass(frozen=True, slots=True)
class DataSharing:
    nhs_number_primary_identifier: bool | None = None
    nhs_number_primary_identifier_planned_date: date | None = None
    open_apis: bool | None = None
    open_apis_planned_date: date | None = None
    ig_caldicott2: bool | None = None
    ig_caldicott2_planned_date: date | None = None


@dataclass(frozen=True, slots=True)
class JointAssessment:
    accountable_professional: bool | None = None
    case_managed_proportion: float | None = None  # 0–1


@dataclass(frozen=True, slots=True)
class AcuteSectorImpact:
    providers_assessed: tuple[str, ...] | None = None
    mental_health_not_reduced: bool | None = None


@dataclass(frozen=True, slots=True)
class Conditions:
    """Evidence per condition; a condition with no evidence sent is ``None`` (→ ``not_assessed``)."""

    plans_jointly_agreed: PlansJointlyAgreed | None = None
    protect_social_care: ProtectSocialCare | None = None
    seven_day_services: SevenDayServices | None = None
    data_sharing: DataSharing | None = None
    joint_assessment: JointAssessment | None = None
    acute_sector_impact: AcuteSectorImpact | None = None


# --- the whole submission ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Plan:
    """One board's plan with whatever actuals have arrived: the input of a determination."""

    hwb_code: str
    metrics: tuple[MetricPlan, ...] = ()
    conditions: Conditions | None = None  # None: conditions not sent (metrics only)
    rule_set: str | None = None  # None: the current rule set
    p4p_pool: Decimal | None = None  # None: the board's pool from the allocation table
    spc: SpcOptions = SpcOptions()  # for the metrics that send a monthly series
