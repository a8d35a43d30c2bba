"""An upload of many boards: all checked first, then determined by the one code path (many at a time).

If any row of any board is wrong nothing is answered but the list of every problem, each pointing at
the file, row and column to fix, because a finance team fixing a 152-board file wants the whole list
at once, and a half-computed batch is easy to mistake for a complete one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from bcf.errors import MAX_PROBLEMS, BcfError, InvalidInput, capped
from sheets.payloads import BoardRequest, Problem, build_requests, count_and_describe

#: boards computed in one call: the vectorised determination's gain
#: levels off well before this, and the progress bar still moves
CHUNK = 64


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
    """Every problem counted, the first :data:`~bcf.errors.MAX_PROBLEMS` listed (and "… and N more")."""
    entries, total = count_and_describe(problems, MAX_PROBLEMS)
    noun = "problem" if total == 1 else "problems"
    return InvalidInput(f"The upload has {total:,} {noun}; nothing was computed. Fix them and upload "
                        "again.", problems=capped(entries, total), problem_count=total)


class Calculator(Protocol):
    """What an upload needs of :class:`calculator.Calculator` (a test may pass a double)."""

    boards: Mapping[str, object]

    def prepare(self, payload: Mapping) -> object: ...

    def calculate_many(self, prepared: Sequence[object]) -> list[dict]: ...


def calculate_upload(files: Mapping[str, bytes | None], calculator: Calculator, *,
                     progress: Callable[[Sequence], Iterable] | None = None,
                     simulation: Mapping | None = None) -> UploadResult:
    """Read an upload and determine every board in it, or refuse it whole with every problem.

    Every board is prepared (checked) first, and its problems are answered together with the cell
    problems of the files; only then are they determined, up to :data:`CHUNK` boards in one call (the
    determination vectorises across them).

    :param files: ``metrics`` (required), ``conditions``, ``pools`` → raw bytes (None when absent).
    :param calculator: the calculator: its boards, ``prepare`` and ``calculate_many``.
    :param progress: wraps the per-board loop (the console script's progress bar).
    :param simulation: a simulation block (``{"draws", "seed"}``) for every board's request (issue 13 §1).
    :raise InvalidInput: with ``problems`` as ``{location: "metrics.csv row 14, column plan", message}``.
    """
    requests, problems = build_requests(files, calculator.boards, getattr(calculator, "catalogue", None))
    # The domain's problems too, in the same answer: about every other cell of a row as well. A cell
    # with a problem of its own was sent empty, so what the domain says about it is an echo.
    flagged = {location for location, _ in problems}
    prepared = []
    for request in requests:
        if simulation is not None:
            request.payload["simulation"] = dict(simulation)
        try:
            prepared.append(calculator.prepare(request.payload))
        except BcfError as error:
            problems.extend(p for p in _mapped(request, error) if p[0] not in flagged)
    if problems:
        raise _refuse(problems)
    wrap = progress or (lambda items: items)
    return UploadResult(tuple(_computed(requests, prepared, calculator.calculate_many, wrap)))


def _computed(requests: list[BoardRequest], prepared: list, compute: Callable[[list], list[dict]],
              wrap: Callable[[Sequence], Iterable]) -> list[BoardResult]:
    """Every prepared board computed, :data:`CHUNK` at a time, the progress bar advancing per board.

    The boards were all prepared, so ``compute`` is not expected to refuse one. If it does, that
    chunk is computed again a board at a time so that each refusal is mapped to its own board's cells,
    and the upload is refused whole, as when a board cannot be prepared.
    """
    results: list[BoardResult] = []
    problems: list[Problem] = []
    waiting: list[tuple[BoardRequest, object]] = []
    for index, pair in enumerate(wrap(list(zip(requests, prepared, strict=True)))):
        waiting.append(pair)
        if len(waiting) < CHUNK and index < len(requests) - 1:
            continue
        try:
            answers = compute([done for _, done in waiting])
        except BcfError:
            answers = []
            for request, done in waiting:
                try:
                    answers.extend(compute([done]))
                except BcfError as error:
                    problems.extend(_mapped(request, error))
        if not problems:
            results.extend(BoardResult(request, answer) for (request, _), answer
                           in zip(waiting, answers, strict=True))
        waiting = []
    if problems:
        raise _refuse(problems)
    return results
