"""The report's funnels: each board's outturn against the national average (metrics.*_funnel)."""

from __future__ import annotations

import numpy as np
import pytest

from metrics import proportion_funnel, rate_funnel
from reports import build_report, funnel_section
from tests.reports.report_support import determine, plan

FALLS = {"metric": "local", "local_metric": "PHOF-2.24i", "periods": {"october-2015": {
    "baseline": {"numerator": 430, "denominator": 17100}, "plan": 2240,
    "actual": {"numerator": 395, "denominator": 17200}}}}
DEMENTIA = {"metric": "local", "local_metric": "NHSOF-2.6i", "periods": {"october-2015": {
    "baseline": {"numerator": 600, "denominator": 1000}, "plan": 66,
    "actual": {"numerator": 650, "denominator": 1000}}}}
OWN = {"metric": "patient_experience",
       "definition": {"name": "Easy to find information", "type": "proportion", "polarity": "higher",
                      "unit": "%", "source": "ASCOF 3D", "jhws_link": "priority 3"},
       "periods": {"october-2015": {"baseline": {"numerator": 240, "denominator": 350}, "plan": 74,
                                    "actual": {"numerator": 265, "denominator": 355}}}}


@pytest.fixture(scope="module")
def inputs(calculator):
    payloads = [plan("E06000001", reablement=300, local=FALLS),
                plan("E06000002", reablement=360, local=DEMENTIA),
                plan("E06000003", reablement=None, local=FALLS),
                plan("E06000004", reablement=250, local=OWN)]
    payloads[2]["metrics"][0]["periods"]["april-2015"]["actual"] = {"value": 420.0}  # a bare value
    return determine(calculator, payloads)


def funnels_by_key(section):
    return {(f["metric"], f["local_metric"], f["period"]): f for f in section}


def test_a_proportion_funnel_is_the_metrics_funnel_over_the_boards_outturn(calculator, inputs):
    funnels = funnels_by_key(funnel_section(inputs, calculator.boards, calculator.catalogue))
    reablement = funnels[("reablement", None, "october-2015")]
    assert (reablement["statistic"], reablement["axis"], reablement["polarity"]) == ("proportion",
                                                                                    "denominator", "higher")
    points = {p["hwb_code"]: p for p in reablement["points"]}
    assert set(points) == {"E06000001", "E06000002", "E06000004"}
    assert (points["E06000001"]["events"], points["E06000001"]["denominator"]) == (300, 380)
    expected = proportion_funnel([300, 360, 250], [380, 380, 380])
    assert reablement["average"] == pytest.approx(expected.average) == pytest.approx(910 / 1140 * 100)
    assert [points[c]["significance"] for c in ("E06000001", "E06000002", "E06000004")] == list(
        expected.significance)
    assert points["E06000002"]["significance"].startswith("High")
    assert points["E06000004"]["significance"].startswith("Low")
    assert reablement["limits"]["upper_95"] == pytest.approx(list(expected.upper_95))
    assert len({len(column) for column in reablement["limits"].values()}) == 1
    # the board still waiting for its outturn is named, not silently missing
    assert reablement["left_out"] == [{"hwb_code": "E06000003", "reason": "no actual yet"}]
    assert points["E06000001"]["value"] == pytest.approx(300 / 380 * 100)


def test_a_monthly_rate_funnel_uses_person_time(calculator, inputs):
    funnels = funnels_by_key(funnel_section(inputs, calculator.boards, calculator.catalogue))
    dt = funnels[("delayed_transfers", None, "april-2015")]
    assert (dt["statistic"], dt["axis"]) == ("rate", "events")
    # nine months (rules §4): the average is Σ events ÷ Σ (denominator × 9) × 100,000
    assert dt["average"] == pytest.approx(3 * 2950 / (3 * 72400 * 9) * 100_000)
    assert [p["hwb_code"] for p in dt["points"]] == ["E06000001", "E06000002", "E06000004"]
    assert dt["left_out"] == [{"hwb_code": "E06000003",
                               "reason": "the actual was sent as a bare value, without counts"}]
    expected = rate_funnel([2950] * 3, [p["value"] for p in dt["points"]], population=[72400 * 9] * 3)
    assert dt["limits"]["lower_998"] == pytest.approx(list(expected.lower_998))
    assert {p["significance"] for p in dt["points"]} == {"Not significant"}  # the same outturn everywhere


def test_local_metrics_are_funnelled_per_menu_choice_and_own_definitions_not_at_all(calculator, inputs):
    funnels = funnels_by_key(funnel_section(inputs, calculator.boards, calculator.catalogue))
    falls = funnels[("local", "PHOF-2.24i", "october-2015")]
    assert [p["hwb_code"] for p in falls["points"]] == ["E06000001", "E06000003"]
    dementia = funnels[("local", "NHSOF-2.6i", "october-2015")]
    assert [p["hwb_code"] for p in dementia["points"]] == ["E06000002"]
    assert not any(key[0] == "patient_experience" for key in funnels)


def test_a_funnel_with_no_counts_says_why(calculator):
    payload = plan("E06000001")
    for period in payload["metrics"][0]["periods"].values():
        period["actual"] = {"value": 400.0}
    section = funnel_section(determine(calculator, [payload]), calculator.boards, calculator.catalogue)
    dt = [f for f in section if f["metric"] == "delayed_transfers"]
    assert dt and all(f["limits"] is None and f["points"] == [] and f["note"] for f in dt)


def test_the_report_carries_the_funnels(calculator, inputs):
    report = build_report(inputs, calculator.boards, calculator.rule_sets, calculator.catalogue)
    assert report["funnels"] == funnel_section(inputs, calculator.boards, calculator.catalogue)
    assert all(np.isfinite(v) for f in report["funnels"] if f["limits"] for v in f["limits"]["at"])


def test_the_report_is_the_same_whatever_order_the_boards_come_in(calculator, inputs):
    forwards = build_report(inputs, calculator.boards, calculator.rule_sets, calculator.catalogue)
    backwards = build_report(dict(reversed(list(inputs.items()))), calculator.boards, calculator.rule_sets,
                             calculator.catalogue)
    assert backwards == forwards
