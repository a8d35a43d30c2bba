"""Small helpers every statistic family uses: the normal quantile and the scalar-in, float-out rule."""

import numpy as np
from scipy import special


def z_quantile(confidence: np.ndarray) -> np.ndarray:
    """Two-sided standard normal quantile Φ⁻¹(1 − (1 − c)/2): 1.959963985 at 95%, never the rounded 1.96.

    PHE computes it with R's ``qnorm`` (PHEindicatormethods R/utils.R). ``special.ndtri`` is the ufunc
    behind ``scipy.stats.norm.ppf``, without its per-call argument handling (~0.1 ms a call).

    One confidence for all (the usual call) is worked in Python floats: the same IEEE double operations
    as numpy's on a 0-d array, at a tenth of the cost of three array operations.
    """
    if not np.ndim(confidence):
        confidence = float(confidence)
    return special.ndtri(1 - (1 - confidence) / 2)


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
