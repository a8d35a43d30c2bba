"""Neutralise spreadsheet formulas in text we write (OWASP "CSV injection").

A board's own text (a local metric's name, a provider's name) comes back in our CSV and XLSX
results; Excel would run ``=HYPERLINK(…)`` or ``@SUM(…)`` typed there as a formula on the reader's
machine. OWASP's advice: prefix a text cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage
return with a single quote, so it is shown as text. Only text is touched: numbers, negative ones too,
are written as numbers and stay numbers.
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """The value to write in a cell: text that Excel would read as a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
