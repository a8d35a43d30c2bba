"""The sole home of Decimal and rounding (rules-2015-16.md §8).

"Never use floating-point in an accounting system" (beancount): money enters from ``str``, ``int`` or
``Decimal`` only, and is rounded explicitly, once, where §8 says, with the quantum and mode the rule set
names. The last part of a split takes the remainder so that the parts add up exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal
from typing import Any

import numpy as np

ZERO = Decimal("0")
PENNY = Decimal("0.01")


def to_money(x: str | int | Decimal) -> Decimal:
    """Convert an exact amount to Decimal; floats are refused because they are not exact."""
    if isinstance(x, bool | float):
        raise TypeError("money comes from str, int or Decimal, never float")
    return x if isinstance(x, Decimal) else Decimal(str(x))


def round_money(
    x: Decimal, quantum: Decimal = PENNY, mode: str = ROUND_HALF_UP, context: Context | None = None
) -> Decimal:
    """Round half up to the penny (by default): the one rounding operation of the scheme.

    :param context: the precision to round in (the thread's context by default); figures written out in
        full need more digits than its 28 (:mod:`bcf.figures`).
    """
    return x.quantize(quantum, mode, context)


def split(total: Decimal, parts: int, quantum: Decimal = PENNY, mode: str = ROUND_HALF_UP) -> list[Decimal]:
    """Split ``total`` into ``parts`` equal lines, each rounded; the last takes the remainder (§8)."""
    if parts <= 0:
        raise ValueError("parts must be at least 1")
    each = round_money(total / parts, quantum, mode)
    if each * (parts - 1) > total >= 0:
        # Only for totals of a few pennies (under half a penny per pair of parts): rounding the share up
        # would leave the last part negative, so the share is rounded down instead (found by property tests).
        each = round_money(total / parts, quantum, ROUND_DOWN)
    return [each] * (parts - 1) + [total - each * (parts - 1)]


def apportion(total: Decimal, weights: list[Decimal], quantum: Decimal = PENNY, mode: str = ROUND_HALF_UP,
              remainder_to: int = -1) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights``: each part rounded, one part takes the remainder.

    House rule for splitting an allocation (style §5): the parts add up to the whole exactly, and the
    rounding remainder (a few pence at most) goes to one named part, the last by default.

    :raise ValueError: no weights, a negative weight, or weights adding up to zero.
    """
    if not weights:
        raise ValueError("there must be at least one weight")
    if any(weight < 0 for weight in weights):
        raise ValueError("weights must not be negative")
    whole = sum(weights, ZERO)
    if whole == 0:
        raise ValueError("weights must not add up to zero")
    index = remainder_to % len(weights)
    parts = [round_money(total * weight / whole, quantum, mode) for weight in weights]
    others = sum(parts, ZERO) - parts[index]
    if others > total >= 0:
        # Only for totals of a few pennies: rounding up would leave the remainder part negative, so the
        # other parts are rounded down instead (as split() does).
        parts = [round_money(total * weight / whole, quantum, ROUND_DOWN) for weight in weights]
        others = sum(parts, ZERO) - parts[index]
    parts[index] = total - others
    return parts


def pennies_to_money(pennies: int) -> Decimal:
    """A whole number of pennies as pounds, exactly (``123456`` → ``Decimal("1234.56")``)."""
    return Decimal(int(pennies)).scaleb(-2)


def money_to_pennies(amount: Decimal) -> int:
    """Pounds to a whole number of pennies; refuses amounts finer than a penny rather than round them."""
    pennies = amount.scaleb(2)
    if pennies != pennies.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of pennies")
    return int(pennies)


def apportion_pennies(pennies: np.ndarray, shares: np.ndarray, share_texts: Sequence[str],
                      group_starts: np.ndarray) -> np.ndarray:
    """Vectorised :func:`apportion` for many splits at once, in whole pennies, rounding half up.

    Rows come grouped (each group one amount split over several recipients, e.g. a CCG over the boards
    it spans); ``pennies`` repeats the group's amount on each of its rows. Each part is
    round-half-up(amount × share); the last row of each group takes the remainder, so each group's parts
    add up to its amount exactly. float64 is used for speed, which is exact except within rounding
    error of a half penny; those rows (rare) are recomputed from the exact decimal share text.

    :param pennies: int64 amount per row (the group's whole amount).
    :param shares: float64 share per row.
    :param share_texts: the shares as written (decimal text), for the exact recomputation.
    :param group_starts: sorted index of each group's first row (the first is 0).
    """
    pennies = np.asarray(pennies, dtype=np.int64)
    raw = pennies * np.asarray(shares, dtype=np.float64)
    parts = np.floor(raw + 0.5)
    # float error in raw is below raw × 2.3e-16; only a true half penny can round the wrong way
    near_half = np.abs(raw - np.floor(raw) - 0.5) <= raw * 1e-15 + 1e-9
    parts = parts.astype(np.int64)
    for i in np.flatnonzero(near_half):
        exact = Decimal(int(pennies[i])) * Decimal(share_texts[i].strip())
        parts[i] = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if len(parts):
        group_ends = np.append(group_starts[1:], len(parts)) - 1
        parts[group_ends] += pennies[group_ends] - np.add.reduceat(parts, group_starts)
        # a few pennies over many rows: rounding up can leave the last part negative; such groups are
        # rounded down instead (exactly, in Decimal), as apportion() does
        for group in np.flatnonzero(parts[group_ends] < 0):
            first, last = group_starts[group], group_ends[group]
            for i in range(first, last):
                exact = Decimal(int(pennies[i])) * Decimal(share_texts[i].strip())
                parts[i] = int(exact.quantize(Decimal(1), rounding=ROUND_DOWN))
            parts[last] = pennies[last] - parts[first:last].sum()
    return parts


def stored_money(amount: Any) -> Decimal | None:
    """An amount read back from a stored determination as exact Decimal pounds and pence.

    Stored determinations are JSON, where money is a number written from a two-decimal Decimal and read
    back as a float: ``repr`` gives exactly those digits (the shortest that round-trip), never the binary
    expansion, and the quantize keeps the two places of a whole-pound amount. None (pending), or an
    empty cell, stays None.

    :raise TypeError: true or false, which is no amount.
    """
    if amount is None or amount == "":
        return None
    if isinstance(amount, bool):
        raise TypeError("an amount of money cannot be true or false")
    if isinstance(amount, float):
        return Decimal(repr(amount)).quantize(PENNY)
    return Decimal(str(amount)).quantize(PENNY)


def format_pounds(amount: Decimal) -> str:
    """Pounds as people write them in explanations: ``£1,234,567.89`` (``-£5.00`` when negative)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def exact_decimal(x: float) -> Decimal:
    """The Decimal of a float's shortest repr: ``0.75`` for 0.75 and ``474.7`` for 474.7, not the binary
    expansion. Ratios of values typed in decimals (bare values, plans) are then exact, so a payable
    fraction of exactly 0.75 stays 0.75 and a release on a half penny rounds up as §8 says."""
    return Decimal(repr(float(x)))

