"""An upload of many boards: all checked first, then each determined by the one code path.

If any row of any board is wrong nothing is answered but the list of every problem, each pointing at
the file, row and column to fix, because a finance team fixing a 152-board file wants the whole list
at once, and a half-computed batch is easy to mistake for a complete one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from bcf.errors import BcfError, InvalidInput
from sheets.payloads import BoardRequest, Problem, build_requests, describe

Calculate = Callable[[Mapping], dict]


@dataclass(frozen=True)
class BoardResult:
    request: BoardRequest
    determination: dict  # the api.md response, exactly as the JSON calculator answers it


@dataclass(frozen=True)
class UploadResult:
    boards: tuple[BoardResult, ...]

    @property
    def determinations(self) -> list[dict]:
        return [board.determination for board in self.boards]


def _mapped(request: BoardRequest, error: BcfError) -> list[Problem]:
    """The domain's JSON-path problems for one board, as cells of the user's files."""
    entries = error.problems or [{"location": "", "message": error.message}]
    problems = []
    for entry in entries:
        location = request.locate(str(entry.get("location", "")))
        message = str(entry.get("message", error.message))
        if location.row is None or location == request.home:
            message = f"{request.hwb_code}: {message}"
            if location.file == "pools.csv":
                message += f" In an upload, pools.csv can give it: a row {request.hwb_code},<pool in pounds>."
        elif location.column and location.column not in message:
            message = _about(location.column, message)
        problems.append((location, message))
    return problems


def _about(column: str, message: str) -> str:
    """Say which cell a bare message ("is required", "Not a valid number.") is about."""
    if message.startswith(("is ", "must ", "has ", "should ")):
        return f"{column} {message}"
    return f"{column}: {message}"


def _refuse(problems: Iterable[Problem]) -> InvalidInput:
    entries = describe(problems)
    noun = "problem" if len(entries) == 1 else "problems"
    return InvalidInput(f"The upload has {len(entries)} {noun}; nothing was computed. Fix them and upload "
                        "again.", problems=entries)


def calculate_upload(files: Mapping[str, bytes | None], boards: Mapping[str, object], calculate: Calculate,
                     *, validate: Callable[[Mapping], object] | None = None,
                     progress: Callable[[Iterable], Iterable] | None = None) -> UploadResult:
    """Read an upload and determine every board in it, or refuse it whole with every problem.

    :param files: ``metrics`` (required), ``conditions``, ``pools`` → raw bytes (None when absent).
    :param boards: known boards by code (``app.extensions["boards"]``).
    :param calculate: ``api.calculations.calculate_payload``: api.md request dict → response dict.
    :param validate: optional check-only twin of ``calculate`` raising the same errors; when given,
        every board is checked before any is computed, and its problems are answered together with
        the cell problems of the files.
    :param progress: wraps the per-board loop (the console script's progress bar).
    :raise InvalidInput: with ``problems`` as ``{location: "metrics.csv row 14, column plan", message}``.
    """
    requests, problems = build_requests(files, boards)
    if validate is not None:
        # The domain's problems too, in the same answer. A row with a cell problem was sent with that
        # cell left out, so what the domain says about that row is an echo of it: left for next time.
        flagged = {(location.file, location.row) for location, _ in problems}
        for request in requests:
            try:
                validate(request.payload)
            except BcfError as error:
                problems.extend(p for p in _mapped(request, error) if (p[0].file, p[0].row) not in flagged)
    if problems:
        raise _refuse(problems)
    wrap = progress or (lambda items: items)
    results = []
    for request in wrap(requests):
        try:
            results.append(BoardResult(request, calculate(request.payload)))
        except BcfError as error:
            problems.extend(_mapped(request, error))
    if problems:
        raise _refuse(problems)
    return UploadResult(tuple(results))
