"""Directly standardised rates (DSRs) with Dobson confidence limits.

Method: Dobson, Kuulasmaa, Eberle & Scherer (1991), "Confidence intervals for weighted sums of Poisson
parameters", Statistics in Medicine 10:457-462: the interval for the total count O (exact or Byar's) is
carried over to the DSR, ``DSR + √(var(DSR)/O) × (O_limit − O)``. Non-independent events (a person may
have several events) follow PHE Fingertips (PHEindicatormethods ``calculate_dsr``, ``independent_events =
FALSE``), which widens the variance by the event frequencies. DSRs from fewer than 10 events are not
calculated, as PHE does.

Age bands are on the last axis; any leading axes are areas (or periods). The standard population is
typically one row (e.g. the 19 bands of the European Standard Population 2013) broadcast over areas.
"""

from dataclasses import dataclass

import numpy as np

from ._checks import (
    Problems,
    as_arrays,
    broadcast_shape,
    clean,
    fraction,
    non_negative_number,
    positive_number,
)
from ._shared import out
from .rates import count_limits

MIN_TOTAL_EVENTS = 10  # events; fewer and the DSR is unreliable, so it is not calculated (PHE R/DSR.R)


@dataclass(frozen=True)
class DSRResult:
    """A DSR and its Dobson limits, scaled by ``multiplier``, per area (leading axes of the input).

    ``value``, ``lower`` and ``upper`` are NaN where ``total_events`` < :data:`MIN_TOTAL_EVENTS`;
    ``variance`` (of the scaled DSR, for :func:`metrics.compare_dsrs`) is always reported.
    """

    value: float | np.ndarray
    lower: float | np.ndarray
    upper: float | np.ndarray
    total_events: float | np.ndarray
    variance: float | np.ndarray
    confidence: float | np.ndarray
    method: str = "dobson"


def _check_bands(problems: Problems, population: np.ndarray, standard: np.ndarray,
                 shape: tuple[int, ...]) -> np.ndarray:
    """Shared rules: population > 0 in every band, standard weights ≥ 0 with a positive total.

    :return: the total standard weight per area.
    """
    problems.positive("population", population)
    problems.non_negative("standard_population", standard)
    with np.errstate(invalid="ignore"):  # inf − inf: reported as not finite, not warned about
        total_weight = np.broadcast_to(standard, shape).sum(axis=-1)
    problems.flag("standard_population", total_weight, total_weight <= 0,
                  "must have a positive total over the age bands")
    return total_weight


def _clean_total_weight(events: np.ndarray, population: np.ndarray, standard: np.ndarray,
                        confidence: np.ndarray, multiplier: np.ndarray,
                        shape: tuple[int, ...]) -> np.ndarray | None:
    """The total standard weight per area when :func:`dsr`'s arguments are plainly good (see
    :func:`metrics._checks.clean`) and every total is positive; None when the full checks must look."""
    if not clean((events, non_negative_number), (population, positive_number),
                 (standard, non_negative_number), (confidence, fraction), (multiplier, positive_number)):
        return None
    total_weight = np.broadcast_to(standard, shape).sum(axis=-1)
    return None if (total_weight <= 0).any() else total_weight


def _dobson(events: np.ndarray, weighted_rates: np.ndarray, variance_sum: np.ndarray,
            total_weight: np.ndarray, confidence: np.ndarray, multiplier: np.ndarray,
            shape: tuple[int, ...]) -> DSRResult:
    """Assemble the DSR from per-area sums: Σ Oᵢ, Σ wᵢOᵢ/nᵢ and the variance numerator."""
    value = weighted_rates / total_weight * multiplier
    variance = variance_sum / total_weight**2 * multiplier**2
    (count_lower, count_upper), _ = count_limits(events, confidence)  # limits on O = Σ Oᵢ
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.sqrt(variance / events)
    suppressed = ~(events >= MIN_TOTAL_EVENTS)  # NaN totals stay NaN
    # Dobson: DSR + √(var(DSR)/O) × (O_limit − O)
    lower = np.where(suppressed, np.nan, value + spread * (count_lower - events))
    upper = np.where(suppressed, np.nan, value + spread * (count_upper - events))
    return DSRResult(
        value=out(np.where(suppressed, np.nan, value), shape),
        lower=out(lower, shape),
        upper=out(upper, shape),
        total_events=out(events, shape),
        variance=out(variance, shape),
        confidence=out(confidence, confidence.shape),
    )


def dsr(events, population, standard_population, confidence=0.95, multiplier=100_000) -> DSRResult:
    """Directly standardised rate with Dobson limits, events assumed independent (Poisson).

    Method: Dobson et al. 1991 (Statistics in Medicine 10:457-462), as PHE's Technical Guide
    "Confidence intervals" and PHEindicatormethods ``calculate_dsr``.

    DSR = Σ wᵢOᵢ/nᵢ ÷ Σ wᵢ × multiplier; var = Σ wᵢ²Oᵢ/nᵢ² ÷ (Σ wᵢ)² × multiplier².

    :param events: events Oᵢ per age band (last axis), ≥ 0; leading axes are areas.
    :param population: population nᵢ per band, > 0; broadcast against ``events``.
    :param standard_population: standard weights wᵢ per band (e.g. ESP 2013), ≥ 0 with a positive total.
    :param confidence: a fraction in (0, 1); scalar or one per area.
    :param multiplier: scale, e.g. 100000 for "per 100,000".
    :return: :class:`DSRResult`, one entry per area; floats when the inputs are single rows of bands.
        A NaN in any band of an area gives NaN for that area only.
    :raise ValueError: negative events, population ≤ 0, negative or all-zero standard population,
        confidence outside (0, 1), infinities, shapes not broadcasting, no band axis.
    """
    arrays, shape = as_arrays(events=events, population=population, standard_population=standard_population)
    if not shape:
        raise ValueError("events, population and standard_population must have age bands on their last "
                         "axis (got single numbers)")
    o, n, w = arrays.values()
    c, k, result_shape = _area_arguments(confidence, multiplier, shape)
    total_weight = _clean_total_weight(o, n, w, c, k, shape)
    if total_weight is None:  # something may be wrong: the full checks
        problems = Problems()
        problems.finite(arrays)
        problems.non_negative("events", o)
        total_weight = _check_bands(problems, n, w, shape)
        _check_area_arguments(problems, c, k)
        problems.raise_if_any()

    ratio = w / n
    events_total = np.broadcast_to(o, shape).sum(axis=-1)
    weighted_rates = np.broadcast_to(ratio * o, shape).sum(axis=-1)
    variance_sum = np.broadcast_to(ratio**2 * o, shape).sum(axis=-1)
    return _dobson(events_total, weighted_rates, variance_sum, total_weight, c, k, result_shape)


def dsr_nonindependent(persons, event_frequency, population, standard_population, confidence=0.95,
                       multiplier=100_000) -> DSRResult:
    """Directly standardised rate with Dobson limits when a person can have several events.

    Method: Dobson et al. 1991, with the variance for non-independent events of PHEindicatormethods
    ``calculate_dsr(independent_events = FALSE)``.

    Events of one person are not independent, so the Poisson variance understates the spread. With
    Pᵢ,f persons having exactly f events in band i: Oᵢ = Σ_f f·Pᵢ,f, the DSR is as in :func:`dsr`, and
    var = Σ_f f² Σᵢ Pᵢ,f (wᵢ/nᵢ)² ÷ (Σ wᵢ)² × multiplier².

    :param persons: persons by band and frequency, shape (..., bands, frequencies), ≥ 0.
    :param event_frequency: the number of events f each frequency column stands for, ≥ 0, broadcast
        against ``persons`` (usually shape (frequencies,), e.g. [1, 2, 3]).
    :param population: population per band, shape (..., bands), > 0.
    :param standard_population: standard weights per band, ≥ 0 with a positive total.
    :param confidence: a fraction in (0, 1).
    :param multiplier: scale, e.g. 100000.
    :return: :class:`DSRResult` per area.
    :raise ValueError: as :func:`dsr`, plus negative persons or frequencies, and a ``persons`` array
        without band and frequency axes.
    """
    counted, counted_shape = as_arrays(persons=persons, event_frequency=event_frequency)
    if len(counted_shape) < 2:
        raise ValueError("persons must have age bands and event frequencies on its last two axes "
                         f"(got shape {counted_shape})")
    p, f = counted.values()
    arrays, _ = as_arrays(population=population, standard_population=standard_population)
    n, w = arrays.values()
    try:
        shape = np.broadcast_shapes(n.shape, w.shape, counted_shape[:-1])
    except ValueError:
        raise ValueError(f"shapes do not broadcast together: population {n.shape}, standard_population "
                         f"{w.shape}, persons without its frequency axis {counted_shape[:-1]}") from None
    c, k, result_shape = _area_arguments(confidence, multiplier, shape)
    problems = Problems()
    problems.finite({**counted, **arrays})
    problems.non_negative("persons", p)
    problems.non_negative("event_frequency", f)
    total_weight = _check_bands(problems, n, w, shape)
    _check_area_arguments(problems, c, k)
    problems.raise_if_any()

    band_events = (p * f).sum(axis=-1)                   # Oᵢ = Σ_f f·Pᵢ,f
    ratio = w / n
    events_total = np.broadcast_to(band_events, shape).sum(axis=-1)
    weighted_rates = (ratio * band_events).sum(axis=-1)
    variance_sum = ((p * f**2).sum(axis=-1) * ratio**2).sum(axis=-1)   # Σᵢ (wᵢ/nᵢ)² Σ_f f²·Pᵢ,f
    return _dobson(events_total, weighted_rates, variance_sum, total_weight, c, k, result_shape)


def _area_arguments(confidence, multiplier, shape) -> tuple[np.ndarray, np.ndarray, tuple[int, ...]]:
    """Confidence and multiplier are per area: they broadcast against the leading (non-band) axes.

    :return: both as arrays, and the shape of the result (the areas broadcast with them).
    """
    arrays, own_shape = as_arrays(confidence=confidence, multiplier=multiplier)
    try:
        result_shape = broadcast_shape(own_shape, shape[:-1])
    except ValueError:
        c_shape, k_shape = arrays["confidence"].shape, arrays["multiplier"].shape
        raise ValueError(f"confidence {c_shape} and multiplier {k_shape} must broadcast against the areas "
                         f"{shape[:-1]} (the leading axes of the age-band inputs)") from None
    return arrays["confidence"], arrays["multiplier"], result_shape


def _check_area_arguments(problems: Problems, confidence: np.ndarray, multiplier: np.ndarray) -> None:
    problems.finite({"multiplier": multiplier})
    problems.confidence(confidence)
    problems.positive("multiplier", multiplier)
