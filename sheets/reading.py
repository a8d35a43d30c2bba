"""Read a CSV file as Excel writes it, and parse its cells without guessing.

Excel saves "CSV UTF-8" with a byte-order mark, plain "CSV" in Windows-1252, lines ending CRLF, and
often a tail of empty rows; people type stray spaces and quote numbers with thousands separators.
All of that is read. What is ambiguous (``1,23``: a decimal comma or a misplaced separator?) or not a
CSV at all (a workbook, UTF-16 "Unicode text", semicolon-separated continental CSV) is refused with a
message that says what to do, never guessed at. Rows are numbered as Excel shows them: header = row 1.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from bcf.cells import CellError, Percent, read_number  # CellError and Percent: this module's callers' too


class Location(NamedTuple):
    """A cell the user can find in their own sheet (a tuple: thousands are made per upload)."""

    file: str
    row: int | None = None  # as Excel shows it; None: the file as a whole
    column: str | None = None

    def __str__(self) -> str:
        text = self.file
        if self.row is not None:
            text += f" row {self.row}"
        if self.column is not None:
            text += f", column {self.column}" if self.row is not None else f" column {self.column}"
        return text


class Row(NamedTuple):
    """One data row (a tuple, as :class:`Location`: a frozen dataclass took 15 times as long to make)."""

    number: int  # Excel row number
    cells: dict[str, str]  # column name -> stripped text ("" when empty)


@dataclass(frozen=True)
class CsvFile:
    """A decoded CSV: its (normalised) header names, its non-blank rows, and the problems that do not stop
    its rows being read (a value in a column without a header: the row is read without it), so that they
    are listed with every problem of the rows' cells rather than instead of them."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    problems: tuple[tuple[Location, str], ...] = ()


class NotReadable(Exception):
    """The file as a whole cannot be read; ``problems`` are ``(Location, message)`` pairs."""

    def __init__(self, problems: list[tuple[Location, str]]):
        super().__init__("; ".join(f"{loc}: {msg}" for loc, msg in problems))
        self.problems = problems


_SIGNATURES = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another zip file"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel workbook (.xls)"),
    (b"%PDF", "a PDF document"),
)


def decode(name: str, data: bytes) -> str:
    """Bytes to text: UTF-8 (with or without BOM), else Windows-1252; refuse what is not CSV text.

    :raise NotReadable: a workbook, UTF-16 text, binary content, or bytes undefined in Windows-1252.
    """
    whole = Location(name)
    save_as = "save it from Excel as \"CSV UTF-8 (Comma delimited)\" or \"CSV (Comma delimited)\""
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise NotReadable([(whole, f"this is {what}, not a CSV file; {save_as}")])
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise NotReadable([(whole, f"this is UTF-16 (\"Unicode text\"), not a CSV file; {save_as}")])
    if b"\x00" in data:
        raise NotReadable([(whole, f"this is not a text file, so not a CSV file; {save_as}")])
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError as error:
            raise NotReadable([(whole, f"the file says it is UTF-8 but byte {error.start + 3} is not; "
                                       f"{save_as}")]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")  # Excel's "CSV (Comma delimited)" on Windows in the UK
    except UnicodeDecodeError as error:
        raise NotReadable([(whole, f"the text is neither UTF-8 nor Windows-1252 (byte {error.start}); "
                                   f"{save_as}")]) from None


#: data rows one file may have: 152 boards × 9 metric-periods is 1,368 rows of metrics.csv (conditions.csv
#: about 2,300), so this is room for every board many times over, and it bounds the time and memory of
#: reading an upload (and the problems one can hold: a million bad rows were five million problems and
#: a dead worker)
MAX_ROWS = 20_000
#: cells one row may have: metrics.csv has 22 columns; a 10 MB row of commas would otherwise be five
#: million "unknown column" problems
MAX_COLUMNS = 100


def _records(name: str, text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the non-blank rows with their Excel row numbers, read no further than
    :data:`MAX_ROWS` non-blank data rows. Blank rows are counted, not kept.

    :raise NotReadable: the file has more rows than that (said before the rest is read), a row has
        more than :data:`MAX_COLUMNS` cells, or a cell is over the csv module's field limit, which is
        what an unbalanced quote gives (it runs on to the end of the file): the row where the cell
        began is named.
    """
    # skipinitialspace: a space typed before a quoted cell ( , "1,234") must not break its quoting
    reader = csv.reader(io.StringIO(text, newline=""), strict=False, skipinitialspace=True)
    header: list[str] = []
    rows: list[tuple[int, list[str]]] = []
    number = 0  # records are the rows Excel shows (a quoted line break stays in its row)
    try:
        for number, record in enumerate(reader, start=1):
            if len(record) > MAX_COLUMNS:
                raise NotReadable([(Location(name, number), f"the row has {len(record):,} cells, more than "
                                                            f"the {MAX_COLUMNS} a row may have; is this the "
                                                            "right file?")])
            if number == 1:
                header = record
            elif any(cell.strip() for cell in record):
                rows.append((number, record))
                if len(rows) > MAX_ROWS:
                    raise NotReadable([(Location(name), f"the file has more than {MAX_ROWS:,} data rows, "
                                                        f"the most one upload may have; split the boards "
                                                        "over several uploads")])
    except csv.Error as error:
        limit = csv.field_size_limit()
        raise NotReadable([(Location(name, number + 1), f"a cell starting in this row is longer than "
                                                        f"{limit:,} characters, or a quote (\") opened here "
                                                        f"is never closed; check the quotes of this row "
                                                        f"({error})")]) from None
    return header, rows


def read_csv(name: str, data: bytes, *, known: tuple[str, ...], required: tuple[str, ...]) -> CsvFile:
    """Decode and split a CSV, checking its header against the columns this file may have.

    Header names are compared without case or surrounding spaces. Unknown or duplicated columns, a
    missing required column, and values in a column without a header are all problems (a misspelt
    column must fail loudly, not be ignored); blank rows anywhere are skipped.

    :raise NotReadable: with every problem of the header and shape found.
    """
    text = decode(name, data)
    if not text.strip():
        raise NotReadable([(Location(name), "the file is empty; it needs a header row and data rows")])
    first, records = _records(name, text)
    header = [cell.strip().lower() for cell in first]
    problems: list[tuple[Location, str]] = []
    if len([h for h in header if h]) == 1 and len(first) == 1:
        for delimiter, label in ((";", "semicolons"), ("\t", "tabs")):
            if delimiter in first[0]:
                raise NotReadable([(Location(name, 1), f"the columns are separated by {label}, not commas; "
                                                       "save the file as CSV with commas")])
    seen: dict[str, int] = {}
    for index, column in enumerate(header):
        if not column:
            continue
        if column not in known:
            problems.append((Location(name, 1, first[index].strip()),
                             f"unknown column; the columns of {name} are {', '.join(known)}"))
        elif column in seen:
            problems.append((Location(name, 1, column), "this column appears twice"))
        seen.setdefault(column, index)
    for column in required:
        if column not in seen:
            problems.append((Location(name, 1), f"required column {column} is missing"))
    rows: list[Row] = []
    stray: list[tuple[Location, str]] = []  # values in a column without a header: the rows still read
    wanted = [(column, index) for column, index in seen.items() if column in known]
    headless = [index for index, column in enumerate(header) if not column]
    # The usual file: every column named, known and once. Its rows are the header zipped with the
    # cells, which is what the general comprehension below gives them, made in one C call.
    plain = wanted == [(column, index) for index, column in enumerate(header)]
    names, width = [column for column, _ in wanted], len(header)
    for offset, record in records:
        stripped = list(map(str.strip, record))  # blank rows (Excel's trailing ones) are not among them
        if headless or len(stripped) > width:
            for index in [i for i in headless if i < len(stripped)] + list(range(width, len(stripped))):
                if stripped[index]:
                    stray.append((Location(name, offset), f"value {stripped[index]!r} is in column "
                                                          f"{index + 1}, which has no header"))
        if len(stripped) < width:
            stripped += [""] * (width - len(stripped))  # a short row: its missing cells are empty
        if plain:
            # cells past the header were reported above; zip leaves them out as the comprehension does
            rows.append(Row(offset, dict(zip(names, stripped, strict=False))))
        else:
            rows.append(Row(offset, {column: stripped[index] for column, index in wanted}))
    if problems:
        raise NotReadable(problems + stray)
    if not rows:
        raise NotReadable([(Location(name), "the file has a header row but no data rows")])
    return CsvFile(name, tuple(c for c in seen if c in known), tuple(rows), tuple(stray))


# --- cells ------------------------------------------------------------------------------------------

def parse_decimal(text: str, what: str, *, money: bool = False,
                  percent: Percent = Percent.REFUSED) -> Decimal:
    """A number as typed in a UK spreadsheet: ``1234``, ``1,234``, ``1,234.5``, ``-0.5``, ``1E+05``.

    Read by :func:`bcf.cells.read_number`, the one reader the allocation tables use too: ``1,23`` and
    ``1.234,5`` are refused rather than guessed, as are digits other than ASCII 0–9. ``money`` also
    accepts a leading £; ``percent`` says what a trailing % means in this field.

    :raise CellError: "<what> must be a number; got '…'".
    """
    return read_number(text, what, money=money, percent=percent)


_DIGITS = re.compile(r"[+-]?[0-9]{1,15}")


def parse_number(text: str, what: str, *, percent: Percent = Percent.REFUSED) -> int | float:
    """A count or value for the JSON request: an int when whole, else a float (a JSON number).

    ``percent``: :attr:`Percent.POINTS` in a value column (a proportion is on the 0–100 scale, so
    ``85%`` is 85); counts refuse a %.
    """
    raw = text.strip()
    if _DIGITS.fullmatch(raw):  # most cells: a plain whole number
        return int(raw)
    number = parse_decimal(raw, what, percent=percent)
    if number == number.to_integral_value() and abs(number) < 10**15:
        return int(number)
    value = float(number)
    if not math.isfinite(value):
        raise CellError(f"{what} must be a number; got {text.strip()!r}")
    return value


_TRUE = {"true", "yes"}
_FALSE = {"false", "no"}


def parse_bool(text: str, what: str) -> bool:
    """``TRUE``/``FALSE`` as Excel writes them, or true/false/yes/no in any case."""
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    got = f"got {text.strip()!r}" if text.strip() else "the cell is empty"
    raise CellError(f"{what} must be TRUE or FALSE (or yes/no); {got}")


_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_UK = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


def parse_date(text: str, what: str) -> date:
    """A date as ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (UK order); two-digit years are refused."""
    raw = text.strip()
    iso, uk = _ISO.fullmatch(raw), _UK.fullmatch(raw)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if uk:
            return date(int(uk[3]), int(uk[2]), int(uk[1]))
    except ValueError:
        raise CellError(f"{what} must be a real date (YYYY-MM-DD or DD/MM/YYYY); got {raw!r}") from None
    got = f"got {raw!r}" if raw else "the cell is empty"
    raise CellError(f"{what} must be a date as YYYY-MM-DD or DD/MM/YYYY; {got}")


def parse_money(text: str, what: str) -> Decimal:
    """Pounds, exactly (``1,000,000.00`` or ``£1,000,000``); negative amounts are refused."""
    amount = parse_decimal(text, what, money=True)
    if amount < 0:
        raise CellError(f"{what} must not be negative; got {text.strip()!r}")
    return amount
