"""bcf/figures.py as it was before its fast paths (main at 086c9b0), kept verbatim as the oracle.

The functions in :mod:`bcf.figures` were made cheaper (explicit contexts instead of ``localcontext``,
float formatting where it is provably the same); ``tests/bcf/test_figures_fast.py`` checks on many
generated values, including the edge cases the docstrings name, that they still write every figure
exactly as these did. Not used by the service.
"""

# ruff: noqa: E501

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal, localcontext

from bcf.money import ZERO, exact_decimal, round_money

FIGURES = 4  # rules §8: human reports
ONE = Decimal(1)
HUNDRED = Decimal(100)
_PRECISION = 700


def rounded(x: Decimal, figures: int) -> Decimal:
    """``x`` to ``figures`` significant figures, half up (0 stays 0). 9,999.6 to 4 figures is 10,000."""
    if not x:
        return x
    if figures < 27:  # the result has at most figures + 1 digits: the default context's 28 suffice
        return round_money(x, ONE.scaleb(x.adjusted() - figures + 1))
    with localcontext() as context:
        context.prec = _PRECISION
        return round_money(x, ONE.scaleb(x.adjusted() - figures + 1))


def figures_for(x: Decimal, avoid: Iterable[Decimal] = (), figures: int = FIGURES) -> int:
    """How many significant figures to show ``x`` with: ``figures``, or more while it would show as one
    of the boundaries ``avoid`` that it is not on (0.999999 is "1.000" to 4 figures, "0.999999" to 6)."""
    boundaries = set(avoid)
    while x not in boundaries and rounded(x, figures) in boundaries and figures < _PRECISION:
        figures += 1
    return figures


def written(x: Decimal, places: int | None = None) -> str:
    """A Decimal as people write it: thousands separators, no exponent, and ``places`` decimals (by
    default as many as it carries)."""
    if places is None:
        places = max(0, -x.as_tuple().exponent)
    return f"{abs(x) if x.is_zero() else x:,.{places}f}"  # abs: no "-0.00"


def _decimal(x: float | Decimal) -> Decimal:
    return x if isinstance(x, Decimal) else exact_decimal(x)


def fmt(x: float) -> str:
    """A rate or value to 4 significant figures, with thousands separators (``478.4``, ``123,500``)."""
    if x == 0 or not math.isfinite(x):
        return f"{x:g}"
    digits = 3 - math.floor(math.log10(abs(x)))
    return f"{x:,.{digits}f}" if digits > 0 else f"{round(x, digits):,.0f}"


def apart(*values: float) -> list[str]:
    """Each value as :func:`fmt` writes it, or all with more significant figures while two different
    values would look the same: a sentence that compares them must show the difference ("actual 100.0 is
    worse than the plan 100.0" does not; "actual 100.001 … the plan 100.000" does)."""
    texts = [fmt(x) for x in values]
    figures = FIGURES
    while figures < 17 and any(
        texts[i] == texts[j] and values[i] != values[j] for i in range(len(values)) for j in range(i)
    ):
        figures += 1  # 17 significant figures tell any two floats apart
        texts = [f"{x:g}" if not x or not math.isfinite(x) else written(rounded(exact_decimal(x), figures))
                 for x in values]
    return texts


def percent(fraction: float | Decimal) -> str:
    """A fraction as a percentage to 4 significant figures without trailing zeros (``90.45%``, ``75%``);
    never ``100%`` or ``0%`` unless it is exactly that (0.999999 is ``99.9999%``, not ``100%``)."""
    if fraction in (0, 1):
        return "0%" if fraction == 0 else "100%"
    text = f"{float(fraction) * 100:.4g}"
    if float(text) not in (0, 100):
        return text + "%"  # the usual case, by float formatting: a batch writes thousands of these
    p = _decimal(fraction) * HUNDRED
    text = written(rounded(p, figures_for(p, (ZERO, HUNDRED))))
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"


def count(x: float) -> str:
    """A count as written: whole numbers without decimals."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,}"


def ratio_of_differences(a: Decimal, b: Decimal, c: Decimal, d: Decimal, value: Decimal) -> str:
    """``(a − b) ÷ (c − d) = (a − b) ÷ (c − d) = value``, written so that it adds up.

    The inputs are the exact decimals the ratio ``value`` was computed from (``money.exact_decimal`` of
    each float). ``value`` is shown to 4 significant figures, more where that would show 1 for a value
    that is not 1, and never rounded to tens (10,075 is not "10,080"). The inputs are shown with the
    fewest common decimal places (at least the places that give each true difference 4 significant
    figures) at which the shown differences are exactly the differences of the shown inputs, each carries
    at least 4 significant figures, and their ratio rounds to the value shown. Written out in full the
    inputs are exact, so the search ends there at the latest.

    :return: e.g. ``(478.39506 − 478.24074) ÷ (478.39506 − 478.30000) = 0.15432 ÷ 0.09506 = 1.623``
    """
    exact = (a, b, c, d)
    shown = value
    # whole numbers at least: "10,080" for 10,075 would hide which digits are significant
    figures = max(FIGURES, shown.adjusted() + 1)
    target = rounded(shown, figures)
    if target == ONE != shown:
        figures = figures_for(shown, (ONE,), figures)
        target = rounded(shown, figures)
    target_places = max(0, figures - 1 - shown.adjusted())
    finest = None
    with localcontext() as context:
        context.prec = _PRECISION
        differences = (exact[0] - exact[1], exact[2] - exact[3])
        places = max([0, *(FIGURES - 1 - diff.adjusted() for diff in differences if diff)])
        while True:
            quantum = ONE.scaleb(-places)
            q = [round_money(x, quantum) for x in exact]
            top, bottom = q[0] - q[1], q[2] - q[3]
            carries = (not top or top.adjusted() + places + 1 >= FIGURES) and (
                not bottom or bottom.adjusted() + places + 1 >= FIGURES
            )
            if bottom and carries and rounded(top / bottom, figures) == target:
                break
            if finest is None:  # the inputs written out in full: needed only when the first try fails
                finest = max([0, *(-x.as_tuple().exponent for x in exact)])
            if places >= finest:
                break
            places += 1
    x1, y1, x2, y2 = (written(x, places) for x in q)
    return (
        f"({x1} − {y1}) ÷ ({x2} − {y2}) = {written(top, places)} ÷ {written(bottom, places)} = "
        f"{'0' if target.is_zero() else written(target, target_places)}"
    )
