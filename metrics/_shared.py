"""Small helpers every statistic family uses: the normal quantile and the scalar-in, float-out rule."""

import numpy as np
from scipy import special


def z_quantile(confidence: np.ndarray) -> np.ndarray:
    """Two-sided standard normal quantile Φ⁻¹(1 − (1 − c)/2): 1.959963985 at 95%, never the rounded 1.96.

    PHE computes it with R's ``qnorm`` (PHEindicatormethods R/utils.R); ``special.ndtri`` is the same
    quantile (the function behind ``scipy.stats.norm.ppf``).
    """
    return np.asarray(special.ndtri(upper_level(confidence)))


def upper_level(confidence: np.ndarray) -> np.ndarray:
    """1 − (1 − c)/2, the level of the upper quantile of a two-sided interval."""
    return 1 - (1 - confidence) / 2


def out(values, shape: tuple[int, ...]):
    """Return a Python float for scalar input, else an array of the broadcast shape of the inputs."""
    values = np.asarray(values)
    if not shape:
        return float(values)
    return values if values.shape == shape else np.array(np.broadcast_to(values, shape))


def out_text(values, shape: tuple[int, ...]):
    """As :func:`out`, for per-element labels such as a rate's method."""
    values = np.asarray(values)
    if not shape:
        return str(values[()])
    return values if values.shape == shape else np.array(np.broadcast_to(values, shape))
