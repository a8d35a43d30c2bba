"""What users receive stays what it was: every golden request answered as recorded (see record.py).

Compared as documents: JSON numbers as Decimal (``1e-05`` equals ``1e-5``), CSV as text, XLSX cell by
cell. A statistic may differ from its recording in its last bits when numpy or scipy changes version
(``1063.9525812714862`` for ``1063.952581271486``), so numbers are equal within a relative 1e-12,
which never hides a penny of any amount under £10bn. A deliberate change of an answer re-records the
set in the same commit, and says why.
"""

from __future__ import annotations

import gzip
import json
from decimal import Decimal
from typing import Any

import pytest

from tests.golden.record import ANSWERS, answer, cases

RECORDED = json.loads(gzip.decompress(ANSWERS.read_bytes()).decode("utf-8"))
CASES = cases()


class Figure(Decimal):
    """A number of an answer: equal to another within a relative 1e-12 (see the module's docstring)."""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Decimal):
            return False
        if Decimal.__eq__(self, other):
            return True
        return abs(self - other) <= RELATIVE * max(abs(self), abs(other))

    __hash__ = Decimal.__hash__


RELATIVE = Decimal("1e-12")


def as_decimals(document: Any) -> Any:
    """Recorded JSON floats were kept as text: read both sides' numbers as Decimal."""
    if isinstance(document, dict):
        return {key: as_decimals(value) for key, value in document.items()}
    if isinstance(document, list):
        return [as_decimals(value) for value in document]
    if isinstance(document, str):
        try:
            return Figure(document) if document[:1] in "-0123456789" and "e" in document.lower() \
                or document.replace(".", "", 1).lstrip("-").isdigit() else document
        except ArithmeticError:
            return document
    return document


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from api import create_app

    tmp = tmp_path_factory.mktemp("golden")
    return create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp}/golden.sqlite3",
                       "ALLOCATIONS_FILE": str(tmp / "allocations.csv")}).test_client()


def test_every_case_was_recorded():
    assert sorted(RECORDED) == sorted(case["name"] for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_answer_is_as_recorded(client, case):
    got = answer(client, case)
    expected = RECORDED[case["name"]]
    assert (got["status"], got["type"]) == (expected["status"], expected["type"])
    assert as_decimals(got["body"]) == as_decimals(expected["body"])
