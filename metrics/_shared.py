"""Small helpers every statistic family uses: the normal quantile and the scalar-in, float-out rule."""

import numpy as np
from scipy import special


def operand(value: float) -> np.ndarray:
    """``value`` as a read-only 0-d float64 array: the cheaper operand for a formula's number (below)."""
    number = np.array(value, dtype=float)
    number.flags.writeable = False
    return number


# The numbers of the formulas, as read-only 0-d float64 arrays. numpy 2 (NEP 50) turns a Python int or
# float operand into the array's dtype, float64, on every operation, through a path that costs ~0.6 µs
# more per operation than a float64 array operand; the arithmetic is the same float64 loop on the same
# values (each number here is exact in float64), so ``FOUR * x`` is ``4 * x`` to the bit. Only the
# formulas' hot operations use them; exponents stay Python ints (numpy's square fast path).
ZERO, ONE, TWO, THREE, FOUR, NINE = (operand(v) for v in (0, 1, 2, 3, 4, 9))
NAN = operand(np.nan)


def z_quantile(confidence: np.ndarray) -> np.ndarray:
    """Two-sided standard normal quantile Φ⁻¹(1 − (1 − c)/2): 1.959963985 at 95%, never the rounded 1.96.

    PHE computes it with R's ``qnorm`` (PHEindicatormethods R/utils.R). ``special.ndtri`` is the ufunc
    behind ``scipy.stats.norm.ppf``, without its per-call argument handling (~0.1 ms a call).
    The quantile of one confidence comes back as a 0-d array, not a numpy scalar: the cheaper operand
    (see the numbers above).
    """
    return np.asarray(special.ndtri(upper_level(confidence)))


def upper_level(confidence: np.ndarray) -> np.ndarray | float:
    """1 − (1 − c)/2, the level of the upper quantile of a two-sided interval.

    One confidence for all (the usual call) is worked in Python floats: the same IEEE double operations
    as numpy's on a 0-d array, at a tenth of the cost of three array operations.
    """
    if not np.ndim(confidence):
        confidence = float(confidence)
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
