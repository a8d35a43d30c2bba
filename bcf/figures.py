"""How figures are written in explanations and warnings (rules-2015-16.md §8: "Rates and percentages are
reported unrounded in JSON and to 4 significant figures in human reports").

Every figure shown must be explainable from the figures shown beside it, so three exceptions to the 4
significant figures are made, and only these:

* A figure is never shown on a boundary it is not on. An achievement of 0.999999 written "1.000", or a
  payable fraction of 99.9999% written "100%", reads as paid in full (under all-or-nothing it reads as a
  contradiction: "1.000; achievement < 1"). Such a figure gets as many more significant figures as it takes
  to tell it from the boundary: "0.999999", "99.9999%".
* Figures a sentence compares are never shown equal when they differ (:func:`apart`).
* The achievement arithmetic (:func:`ratio_of_differences`) shows its inputs with as many decimal places
  as the differences need to carry 4 significant figures and to give the achievement shown. At 4
  significant figures 478.3951 − 478.2407 and 478.3951 − 478.3000 are "478.4 − 478.2" and "478.4 −
  478.3", whose ratio is 2.0, not the 1.623 shown (review finding).

Where more figures are needed, they are rounded half up from the value's shortest decimal repr
(``money.exact_decimal``), as a reader rounds the number typed, not from its binary expansion; the usual
4 significant figures come from float formatting.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Context, Decimal

from bcf.money import ZERO, exact_decimal, round_money

FIGURES = 4  # rules §8: human reports
ONE = Decimal(1)
HUNDRED = Decimal(100)
# Enough digits for any float written out in full (up to 17 significant digits, exponent ±308, both ends
# of a difference): display rounding must never be limited by the context's 28 digits. Passed to each
# operation rather than entered as a local context, which costs more than the sums themselves.
_PRECISION = 700
_EXACT = Context(prec=_PRECISION)
_QUANTA: dict[int, Decimal] = {}


def _quantum(exponent: int) -> Decimal:
    """``10 ** exponent`` as a quantum: a table of constants, each made once (``ONE.scaleb`` is slow)."""
    quantum = _QUANTA.get(exponent)
    if quantum is None:
        quantum = _QUANTA[exponent] = _EXACT.scaleb(ONE, exponent)
    return quantum


def rounded(x: Decimal, figures: int) -> Decimal:
    """``x`` to ``figures`` significant figures, half up (0 stays 0). 9,999.6 to 4 figures is 10,000."""
    if not x:
        return x
    return round_money(x, _quantum(x.adjusted() - figures + 1), ROUND_HALF_UP, _EXACT)


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


def four_figures(x: float) -> str:
    """A rate or value to 4 significant figures, with thousands separators (``478.4``, ``123,500``)."""
    if x == 0 or not math.isfinite(x):
        return f"{x:g}"
    places = FIGURES - 1 - math.floor(math.log10(abs(x)))
    return f"{x:,.{places}f}" if places > 0 else f"{round(x, places):,.0f}"


def apart(*values: float) -> list[str]:
    """Each value as :func:`four_figures` writes it, or all with more significant figures while two
    different values would look the same: a sentence that compares them must show the difference ("actual
    100.0 is worse than the plan 100.0" does not; "actual 100.001 … the plan 100.000" does)."""
    texts = [four_figures(x) for x in values]
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
    adjusted = value.adjusted()
    # whole numbers at least: "10,080" for 10,075 would hide which digits are significant
    figures = max(FIGURES, adjusted + 1)
    target = rounded(value, figures)
    if target == ONE != value:
        figures = figures_for(value, (ONE,), figures)
        target = rounded(value, figures)
    target_places = max(0, figures - 1 - adjusted)
    # Every operation in the 700-digit context, so that each is exact.
    terms = (a, b, c, d)
    top, bottom = _EXACT.subtract(a, b), _EXACT.subtract(c, d)
    places = max(
        0, FIGURES - 1 - top.adjusted() if top else 0, FIGURES - 1 - bottom.adjusted() if bottom else 0
    )
    finest = max(0, *(-x.as_tuple().exponent for x in terms))  # the inputs written out in full
    while True:
        # each input rounded half up to the places, as round_money does
        quantum = _quantum(-places)
        shown = [x.quantize(quantum, ROUND_HALF_UP, _EXACT) for x in terms]
        top, bottom = _EXACT.subtract(shown[0], shown[1]), _EXACT.subtract(shown[2], shown[3])
        least = FIGURES - 1 - places  # the adjusted exponent of a difference with 4 significant figures
        adds_up = (
            bottom
            and bottom.adjusted() >= least
            and (not top or top.adjusted() >= least)
            and rounded(_EXACT.divide(top, bottom), figures) == target
        )
        if adds_up or places >= finest:
            break
        places += 1
    a_text, b_text, c_text, d_text = (written(x, places) for x in shown)
    top_text, bottom_text = written(top, places), written(bottom, places)
    return (
        f"({a_text} − {b_text}) ÷ ({c_text} − {d_text}) = {top_text} ÷ {bottom_text} = "
        f"{'0' if target.is_zero() else written(target, target_places)}"
    )
