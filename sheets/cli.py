"""``bcf calculate``: the CSV upload, from the command line, for analysts with files on their own disk.

It reads the same reference data as the service and calls the same calculator
(:func:`calculator.load_calculator`), so a file gives the same results (and the same problems, on
stderr, with exit status 1) here as over HTTP, with no web app built. Results are
written to a temporary file beside the target and renamed into place, so a failure leaves nothing
half-written.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from bcf.errors import BcfError, InvalidInput
from sheets.writing import CSV_TABLES, WRITERS

PROGRESS_FROM = 20  # boards; fewer finish before a bar would be worth drawing


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bcf", description="Better Care Fund 2015/16 payment for "
                                     "performance, from spreadsheets.")
    commands = parser.add_subparsers(dest="command", required=True)
    calculate = commands.add_parser("calculate", help="determine every board in a metrics.csv upload",
                                    description="Determine every board in metrics.csv (with its conditions "
                                    "and pools) and write the results; the format follows --out's extension.")
    calculate.add_argument("--metrics", required=True, type=Path, help="metrics.csv (required)")
    calculate.add_argument("--conditions", type=Path, help="conditions.csv")
    calculate.add_argument("--pools", type=Path, help="pools.csv")
    calculate.add_argument("--out", required=True, type=Path,
                           help="results file: .xlsx, .csv or .json")
    calculate.add_argument("--table", choices=tuple(CSV_TABLES), default="tranches",
                           help="the table a .csv --out holds: tranches (one row per board and tranche, the "
                           "default), lines (per metric and condition line, with its explanation) or totals "
                           "(per board); .xlsx and .json hold every table")
    calculate.add_argument("--allocations", type=Path, metavar="FILE",
                           help="the allocation table giving boards without a pools.csv row their p4p_pool "
                           "(default: $BCF_ALLOCATIONS_FILE, else reference_data/allocations.csv if loaded)")
    calculate.add_argument("--no-progress", action="store_true", help="never draw a progress bar")
    return parser


def _progress(enabled: bool):
    def wrap(items: Sequence) -> Iterable:
        if not enabled or len(items) < PROGRESS_FROM:
            return items
        from tqdm import tqdm

        # disable=None: no bar when stderr is not a terminal (a log file, CI), only the summary line
        return tqdm(items, desc="boards", unit="board", file=sys.stderr, disable=None)
    return wrap


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``bcf``; returns the exit status (0 done, 1 problems in the input, 2 usage)."""
    args = _parser().parse_args(argv)
    mime = WRITERS.get(args.out.suffix.lower())
    if mime is None:
        print(f"bcf: --out must end in {', '.join(WRITERS)}; got {args.out.name!r}", file=sys.stderr)
        return 2
    if not args.out.parent.is_dir():
        print(f"bcf: the folder for --out does not exist: {args.out.parent}", file=sys.stderr)
        return 2
    if args.allocations is not None and not args.allocations.is_file():
        print(f"bcf: --allocations is not a file: {args.allocations}", file=sys.stderr)
        return 2
    files: dict[str, bytes | None] = {}
    for key in ("metrics", "conditions", "pools"):
        path = getattr(args, key)
        if path is None:
            files[key] = None
            continue
        try:
            files[key] = path.read_bytes()
        except OSError as error:
            print(f"bcf: cannot read --{key} {path}: {error.strerror}", file=sys.stderr)
            return 2

    from calculator import load_calculator
    from sheets.batch import calculate_upload
    from sheets.writing import render

    try:
        # reference_data/, and the allocation table (--allocations, $BCF_ALLOCATIONS_FILE or the loaded one)
        calculator, _ = load_calculator(allocations_file=args.allocations)
        results = calculate_upload(files, calculator, progress=_progress(not args.no_progress)).boards
    except InvalidInput as error:
        print(f"bcf: {error.message}", file=sys.stderr)
        for entry in error.problems:
            print(f"  {entry['location']}: {entry['message']}", file=sys.stderr)
        return 1
    except BcfError as error:
        print(f"bcf: {error.message}", file=sys.stderr)
        return 1
    data = render(results, mime, args.table)
    write_atomically(args.out, data)
    print(f"bcf: {len(results)} board{'s' if len(results) != 1 else ''} determined; results in {args.out}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
