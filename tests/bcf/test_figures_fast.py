"""The cheaper :mod:`bcf.figures` writes every figure exactly as it did before (``figures_before``).

Generated values mix figures as typed (a few decimals), any float (subnormals to 1e308), values a hair
apart, and the edge cases the docstrings name: 0.999999 is not 1, 10,075 is not "10,080", 9,999.6 is
10,000, differences that vanish at 4 significant figures, inputs that must be written out in full.
"""

from __future__ import annotations

import math
from decimal import Decimal, DivisionByZero, localcontext

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from bcf import figures
from bcf.money import exact_decimal
from tests.bcf import figures_before as before

SETTINGS = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def typed(draw) -> float:
    """A value as a person types it: up to 17 significant digits, a handful of decimals."""
    digits = draw(st.integers(1, 17))
    mantissa = draw(st.integers(-(10**digits) + 1, 10**digits - 1))
    return float(Decimal(mantissa).scaleb(-draw(st.integers(0, 12))))


any_float = st.floats(allow_nan=False, allow_infinity=False)
named = st.sampled_from([0.0, 1.0, 0.999999, 1.000001, 9999.6, 10075.0, 1e-300, 1e16, 1e-5, 123456789.125])
values = st.one_of(typed(), any_float, named)


@st.composite
def close_to(draw, x: float) -> float:
    """A value a few ulps or a few typed units from ``x``."""
    return draw(
        st.one_of(
            st.just(x),
            st.builds(lambda n: x + n * abs(x) * 2.2e-16, st.integers(-50, 50)),
            st.builds(lambda n, p: round(x + n * 10.0**-p, p), st.integers(-1000, 1000), st.integers(0, 9)),
        )
    )


@st.composite
def quadruples(draw) -> tuple[float, float, float, float]:
    """(a, b, c, d) for (a − b) ÷ (c − d): independent, or close together (differences that vanish)."""
    a = draw(values)
    b = draw(st.one_of(values, close_to(a)))
    c = draw(st.one_of(st.just(a), values, close_to(a)))
    d = draw(st.one_of(st.just(b), values, close_to(c)))
    return a, b, c, d


def _ratio(a: float, b: float, c: float, d: float) -> tuple[Decimal, ...] | None:
    """The exact inputs and the ratio as :func:`bcf.assessment.achievement` computes it (28 digits)."""
    exact = tuple(exact_decimal(x) for x in (a, b, c, d))
    with localcontext() as context:
        context.traps[DivisionByZero] = True
        try:
            value = (exact[0] - exact[1]) / (exact[2] - exact[3])
        except (DivisionByZero, ArithmeticError):
            return None
    return (*exact, value)


@SETTINGS
@given(quadruples())
@example((478.39506172839504, 478.24074074074076, 478.39506172839504, 478.3))  # review finding
@example((478.3951, 478.2407, 478.3951, 478.3000))
@example((100.0, 0.0000001, 100.0, 0.0))  # achievement 0.999999…: not "1.000"
@example((1.0, 0.0, 1.0000001, 0.0))
@example((10075.0, 0.0, 1.0, 0.0))  # not "10,080"
@example((9999.6, 0.0, 1.0, 0.0))
@example((1e308, 5e-324, 1e308, 0.0))  # written out in full
@example((5e-324, 0.0, 1e-323, 0.0))
@example((0.0, 0.0, 1.0, 0.5))  # achievement 0
@example((-0.00001, 0.0, 1.0, 0.0))  # "-0.000" must not appear
def test_ratio_of_differences_is_written_as_before(case):
    ratio = _ratio(*case) if all(math.isfinite(x) for x in case) else None
    if ratio is None:
        return
    assert figures.ratio_of_differences(*ratio) == before.ratio_of_differences(*ratio)


@SETTINGS
@given(st.builds(exact_decimal, values), st.integers(1, 40))
@example(Decimal("9999.6"), 4)
@example(Decimal("0.999999"), 4)
@example(Decimal("-0.00005"), 1)
def test_rounded_is_as_before(x, n):
    assert figures.rounded(x, n) == before.rounded(x, n)
    assert str(figures.rounded(x, n)) == str(before.rounded(x, n))


@pytest.mark.parametrize("x", ["0.999999", "1.0000004", "0.0000001", "99.99996", "100"])
def test_figures_for_is_as_before(x):
    avoid = (figures.ZERO, figures.ONE, figures.HUNDRED)
    assert figures.figures_for(Decimal(x), avoid) == before.figures_for(Decimal(x), avoid)



@pytest.mark.parametrize("x", ["0", "-0.0001", "1234567.891", "-1234.5", "0E-7", "12"])
@pytest.mark.parametrize("places", [0, 2, 5])
def test_written_all_is_written(x, places):
    value = Decimal(x).quantize(Decimal(1).scaleb(-places))
    assert figures.written_all([value], places) == [figures.written(value, places)]


@SETTINGS
@given(st.one_of(values, st.floats(-1001, 1001), st.sampled_from([998.95, 999.0, -998.95, 0.00099995])))
def test_fmt_is_as_before(x):
    assume(abs(x) < 1.79e308)  # rounding to tens overflows near the largest float, before as now
    assert figures.fmt(x) == before.fmt(x)


@SETTINGS
@given(st.floats(0.09, 1001))
def test_fmt_of_usual_rates_and_percentages_is_as_before(x):
    """fmt's fast path covers 0.1 to 1,000 but the powers of ten (fast-bcf)."""
    assert figures.fmt(x) == before.fmt(x)


@pytest.mark.parametrize(
    "edge", [0.1, 0.1001, 0.9999, 1.0, 1.001, 9.999, 10.0, 10.01, 99.99, 100.0, 100.1, 999.9, 999.95, 1000.0]
)
def test_fmt_at_the_ends_of_its_fast_ranges_is_as_before(edge):
    x = y = edge
    for _ in range(300):  # 300 floats either side of each end of a range and each power of ten
        x, y = math.nextafter(x, math.inf), math.nextafter(y, -math.inf)
        assert figures.fmt(x) == before.fmt(x)
        assert figures.fmt(y) == before.fmt(y)
        assert figures.fmt(-x) == before.fmt(-x)
    for step in range(-2000, 2001):  # and typed values a few units of the last shown figure away
        z = round(edge + step * edge * 1e-6, 9)
        assert figures.fmt(z) == before.fmt(z)


@SETTINGS
@given(st.one_of(st.integers(), st.integers(-(2**54), 2**54), values,
                 st.sampled_from([2**53, 2**53 + 1, -(2**53) - 1, 2**53 - 1, 0, -1, 999, 1000, True])))
def test_count_is_as_before(x):
    assert figures.count(x) == before.count(x)
