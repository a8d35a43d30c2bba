"""calculator.salvage: an invalid metric entry read as far as it can be, for the cross-reference checks."""

from __future__ import annotations

import pytest

from bcf.plan import UNREAD, Counts
from calculator.requests import MetricPlanSchema, PlanSchema
from calculator.salvage import Unreadable, salvage
from tests.api.calc_example import request

ENTRY = PlanSchema().fields["metrics"].inner


def test_a_valid_entry_reads_as_the_schema_loads_it():
    entry = request()["metrics"][0]
    assert salvage(ENTRY, entry) == MetricPlanSchema().load(entry)


def test_values_that_cannot_be_read_are_unread_and_the_rest_is_kept():
    entry = request()["metrics"][0]
    april = entry["periods"]["april-2015"]
    april["baseline"] = {"numerator": "abc", "denominator": 72000, "typo": 1}
    april["actual"] = {"numerator": 1, "value": 2}  # ambiguous: not a block at all
    del april["plan"]
    entry["periods"]["october-2015"]["history"] = [1, None, "x"]
    read = salvage(ENTRY, entry)
    assert read.periods["april-2015"].baseline == Counts(UNREAD, 72000.0)
    assert read.periods["april-2015"].actual is UNREAD
    assert read.periods["april-2015"].plan is UNREAD
    assert read.periods["october-2015"].history == (1.0, UNREAD, UNREAD)
    assert read.periods["october-2015"].plan == 460.0


@pytest.mark.parametrize("change", [
    lambda e: e.update(metric=7),  # what the checks hang on
    lambda e: e.update(definition="patient survey"),
    lambda e: e.update(periods={"x" * 41: e["periods"]["april-2015"]}),
    lambda e: e["periods"].update({"april-2015": [1, 2]}),
    lambda e: e.pop("periods"),
])
def test_an_entry_without_what_its_checks_hang_on_cannot_be_read(change):
    entry = request()["metrics"][0]
    change(entry)
    with pytest.raises(Unreadable):
        salvage(ENTRY, entry)
