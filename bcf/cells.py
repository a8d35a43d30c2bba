"""One reader of numbers typed in a spreadsheet cell, for every CSV the service takes (issue 15).

The calculator's uploads (:mod:`sheets.reading`) and the allocation tables
(:mod:`bcf.allocation_files`) read their numbers here, so that a cell means the same in both: a
thousands separator (``1,234.5``) is read in either, and a percent sign in neither unless the field
says what scale it is on. It lives in ``bcf`` because both callers may import it (``bcf`` may not
import ``sheets``).

What is read: ``1234``, ``-0.5``, ``.5``, ``1E+05``, ``1,234`` and ``1,234.5`` (commas only between
groups of three digits before any decimal point), ``£1,000`` where money is expected, and ``85%``
where a percentage is allowed. What is refused, never guessed at: ``1,23`` and ``1.234,5`` (a decimal
comma or a misplaced separator?), and digits that are not ASCII 0–9: Python's ``Decimal`` and
``float`` silently read full-width ``１２３`` and Arabic-Indic ``١٢٣`` as 123, which is no help to a
finance officer whose sheet shows something else to a colleague.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from enum import Enum

#: a plain number: ASCII digits only (``\d`` would match every script's digits)
PLAIN = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
GROUPED = re.compile(r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?")
_AMBIGUOUS = re.compile(r"[+-]?[0-9.,]+")


class CellError(ValueError):
    """A cell that cannot be read; the message completes "<column> …" for a finance officer."""


class Percent(Enum):
    """What ``3%`` in a cell means, which depends on the scale of the field it is typed in.

    ``REFUSED``: the field is not a percentage (a count, an amount of money): ``%`` is an error.
    ``POINTS``: the field is on the percent scale (a proportion metric's value, 0–100): ``3%`` is 3.
    ``FRACTION``: the field is a 0–1 fraction (a CCG's share of its money): ``3%`` is 0.03.
    """

    REFUSED = "refused"
    POINTS = "points"
    FRACTION = "fraction"


def foreign_digit(text: str) -> str | None:
    """The first digit of ``text`` that is not ASCII 0–9 (``'١'``), or None."""
    if text.isascii():
        return None
    for character in text:
        if not character.isascii() and (character.isdigit() or unicodedata.category(character) == "Nd"):
            return character
    return None


def read_number(text: str, what: str, *, percent: Percent = Percent.REFUSED, money: bool = False) -> Decimal:
    """A number as typed in a UK spreadsheet, exactly (a Decimal).

    :param what: the field's name, to start the message (``plan must be a number; …``).
    :param percent: how a trailing ``%`` is read (see :class:`Percent`).
    :param money: also accept a leading ``£``.
    :raise CellError: the cell is empty, not a number, ambiguous, uses non-ASCII digits, or has a ``%``
        the field does not take.
    """
    raw = text.strip()
    digit = foreign_digit(raw)
    if digit is not None:
        name = unicodedata.name(digit, "a non-ASCII digit").title()
        raise CellError(f"{what} must be a number written with the digits 0-9; got {raw!r}, whose {digit!r} "
                        f"({name}) is another script's digit: retype the number")
    body = raw[1:].strip() if money and raw.startswith("£") else raw
    scaled = body.endswith("%")
    if scaled:
        if percent is Percent.REFUSED:
            raise CellError(f"{what} must be a number without %; got {raw!r}")
        body = body[:-1].rstrip()
    if PLAIN.fullmatch(body):
        number = Decimal(body)
    elif GROUPED.fullmatch(body):
        number = Decimal(body.replace(",", ""))
    else:
        if "," in body and _AMBIGUOUS.fullmatch(body):
            raise CellError(f"{what} must be a number; got {raw!r}, which is ambiguous: use a point for "
                            "decimals and commas only between groups of three digits (1,234.5)")
        if not raw:
            raise CellError(f"{what} must be a number; the cell is empty")
        raise CellError(f"{what} must be a number; got {raw!r}")
    if scaled and percent is Percent.FRACTION:
        number = number.scaleb(-2)  # exact: 3% is 0.03, 12.5% is 0.125
    return number
