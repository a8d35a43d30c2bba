"""A pure, vectorised public-health statistics library (numpy + scipy only).

Every function takes scalars or numpy arrays (broadcast together) and returns a small frozen result.
No Flask, no BCF rules: the same numbers as PHE Fingertips for the methods of ``spec/metrics.md``.
"""

from .comparisons import (
    DSRComparison,
    MeanComparison,
    ProportionComparison,
    RateComparison,
    compare_dsrs,
    compare_means,
    compare_proportions,
    compare_rates,
)
from .dsr import MIN_TOTAL_EVENTS, DSRResult, dsr, dsr_nonindependent
from .funnels import Funnel, proportion_funnel, rate_funnel, ratio_funnel
from .proportions import ProportionInterval, proportion
from .rates import EXACT_BELOW, PoissonLimits, RateInterval, byars_limits, exact_poisson_limits, rate
from .scores import ScoreInterval, mean_score
from .spc import XmR, xmr
from .trend import TrendProjection, trend_projection

__all__ = [
    "EXACT_BELOW",
    "MIN_TOTAL_EVENTS",
    "DSRComparison",
    "DSRResult",
    "Funnel",
    "MeanComparison",
    "PoissonLimits",
    "ProportionComparison",
    "ProportionInterval",
    "RateComparison",
    "RateInterval",
    "ScoreInterval",
    "TrendProjection",
    "XmR",
    "byars_limits",
    "compare_dsrs",
    "compare_means",
    "compare_proportions",
    "compare_rates",
    "dsr",
    "dsr_nonindependent",
    "exact_poisson_limits",
    "mean_score",
    "proportion",
    "proportion_funnel",
    "rate",
    "rate_funnel",
    "ratio_funnel",
    "trend_projection",
    "xmr",
]
