"""The reference data a calculator needs, read from ``reference_data/``: boards, catalogue, rule sets and
the stored allocation table (each board's default ``p4p_pool``).

The service (:func:`api.create_app`) and the ``bcf calculate`` console script read them here, once, so
both calculate from the same files in the same way, and neither needs the other.

The allocation table is ``reference_data/allocations.csv`` unless the environment variable
``BCF_ALLOCATIONS_FILE`` names another file (or the caller passes one): the test suite points it at a
temporary folder so that a table an operator loaded is never read by the tests (issue 15).
"""

from __future__ import annotations

import os
import threading
from decimal import Decimal
from pathlib import Path

from bcf import allocation_table
from bcf.allocations import Allocations
from bcf.boards import load_boards
from bcf.catalogue import check_rule_set, load_catalogue
from bcf.rules import RuleSet, load_rule_sets
from calculator.service import Calculator

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DATA = PROJECT_ROOT / "reference_data"
ALLOCATIONS_ENV = "BCF_ALLOCATIONS_FILE"


def default_allocations_file(reference: Path | None = None) -> Path:
    """``$BCF_ALLOCATIONS_FILE`` if set, else ``allocations.csv`` in ``reference`` (default
    ``reference_data/``). Read when called, not at import, so the environment of the moment counts."""
    setting = os.environ.get(ALLOCATIONS_ENV)
    if setting:
        return Path(setting)
    return Path(reference if reference is not None else REFERENCE_DATA) / "allocations.csv"


class AllocationStore:
    """The stored table: read at start-up, and again only when the file changes (its mtime and size).

    Two stats per request (the table and its warnings sidecar) are the whole cost of noticing a table
    loaded by the CLI while the service runs.
    """

    def __init__(self, path: Path, rule_sets: dict[str, RuleSet], boards: dict):
        self.path, self.rule_sets, self.boards = Path(path), rule_sets, boards
        self.warnings_path = allocation_table.warnings_path(self.path)
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._table: Allocations | None = None
        self._pools: dict[str, Decimal] = {}

    def table(self) -> Allocations | None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        try:
            side = self.warnings_path.stat()
            side_stamp: tuple[int, int] | None = (side.st_mtime_ns, side.st_size)
        except FileNotFoundError:
            side_stamp = None
        stamp = (stat.st_mtime_ns, stat.st_size, side_stamp)
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    table = allocation_table.read_table(self.path, self.rule_sets, self.boards)
                    self._pools = {b.hwb_code: b.p4p_pool.amount for b in table.boards
                                   if b.p4p_pool.amount is not None}
                    self._table, self._stamp = table, stamp
        return self._table

    def pool(self, code: str) -> Decimal | None:
        """The board's pool from the loaded table, or None (no table, or the board is not in it)."""
        return self._pools.get(code) if self.table() is not None else None


def load_calculator(reference: Path | None = None, *, rule_sets_dir: Path | None = None,
                    catalogue_path: Path | None = None,
                    allocations_file: Path | None = None) -> tuple[Calculator, AllocationStore]:
    """A calculator over the reference data in ``reference`` (default ``reference_data/``; each file's
    path may be given apart). The allocation table: ``allocations_file``, else
    :func:`default_allocations_file` (``$BCF_ALLOCATIONS_FILE``, else ``reference/allocations.csv``).

    A bad rule set, catalogue or allocation table raises :class:`~bcf.errors.ReferenceDataError` here,
    naming the file and the entry: it stops start-up, not a request.

    :return: the calculator, and the allocation store whose table gives its default pools.
    """
    reference = Path(reference if reference is not None else REFERENCE_DATA)
    boards = load_boards(reference / "boards.csv")
    catalogue = load_catalogue(catalogue_path or reference / "metric_catalogue.yaml")
    rule_sets = load_rule_sets(rule_sets_dir or reference / "rules")
    for rule_set in rule_sets.values():
        check_rule_set(catalogue, rule_set)
    store = AllocationStore(allocations_file or default_allocations_file(reference), rule_sets, boards)
    store.table()  # a malformed table stops start-up, naming the row
    return Calculator(rule_sets, catalogue, boards, store.pool), store
