"""The sole home of Decimal and rounding (rules-2015-16.md §8).

"Never use floating-point in an accounting system" (beancount): money enters from ``str``, ``int`` or
``Decimal`` only, and is rounded explicitly, once, where §8 says, with the quantum and mode the rule set
names. The last part of a split takes the remainder so that the parts add up exactly.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
PENNY = Decimal("0.01")


def to_money(x: str | int | Decimal) -> Decimal:
    """Convert an exact amount to Decimal; floats are refused because they are not exact."""
    if isinstance(x, bool | float):
        raise TypeError("money comes from str, int or Decimal, never float")
    return x if isinstance(x, Decimal) else Decimal(str(x))


def round_money(x: Decimal, quantum: Decimal = PENNY, mode: str = ROUND_HALF_UP) -> Decimal:
    """Round half up to the penny (by default): the one rounding operation of the scheme."""
    return x.quantize(quantum, rounding=mode)


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
