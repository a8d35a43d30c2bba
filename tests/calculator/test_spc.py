"""Monthly series in plans (issue 13 §2): the request's checks, the XmR chart in the answers, the polarity,
the ambition on the monthly scale and the assurance, on worked series whose limits are checked by hand."""

from __future__ import annotations

import copy

import pytest

from bcf.errors import InvalidInput
from calculator import load_calculator
from tests.api.calc_example import request

# Delayed days per 100,000 18+ in each month, October 2013 to December 2014, with one wild month (June 2014).
# Sum 640 over 15 months → mean 42.6667. Moving ranges 2, 1, 2, 1, 2, 1, 19, 18, 1, 1, 2, 1, 2, 1: sum 54,
# mR̄ 54/14 = 3.857143; 3.267 × 3.857143 = 12.60, so screening leaves out 19 and 18: mR̄ = 17/12 = 1.416667.
# Screened limits 42.6667 ± 2.66 × 1.416667 = 38.898333 and 46.435; unscreened 42.6667 ± 10.26 = 32.406667 and
# 52.926667. The 60 is beyond both: a special cause, and for a "lower is better" metric a concern. Nothing
# else fires: 2σ lines 42.6667 ± 2.512222 have only the 60 above and lone 40s below, and the longest run on
# one side of the mean is 5 months.
WILD = [40, 42, 41, 43, 42, 40, 41, 60, 42, 41, 40, 42, 41, 43, 42]
MONTHS = [f"{2013 + (9 + i) // 12}-{(9 + i) % 12 + 1:02d}" for i in range(15)]  # 2013-10 … 2014-12


def monthly(values, months=MONTHS):
    return [{"month": month, "value": value} for month, value in zip(months, values, strict=True)]


def delayed_transfers(values=WILD, plan=40.0, **options):
    body = request()
    body["metrics"] = [copy.deepcopy(m) for m in body["metrics"] if m["metric"] == "delayed_transfers"]
    body["metrics"][0]["monthly"] = monthly(values)
    for period in body["metrics"][0]["periods"].values():
        period["plan"] = plan
    if options:
        body["spc"] = options
    return body


@pytest.fixture(scope="module")
def calculator(tmp_path_factory):
    return load_calculator(allocations_file=tmp_path_factory.mktemp("ref") / "allocations.csv")[0]


def problems(calculator, body):
    with pytest.raises(InvalidInput) as raised:
        calculator.prepare(body)
    return {p["location"]: p["message"] for p in raised.value.problems}


# --- the worked series -----------------------------------------------------------------------------------


def test_wild_month_screened(calculator):
    [chart] = calculator.calculate(delayed_transfers())["spc"]
    assert chart["metric"] == "delayed_transfers" and chart["polarity"] == "lower"
    assert (chart["first_month"], chart["last_month"]) == ("2013-10", "2014-12")
    assert chart["mean"] == pytest.approx(640 / 15)
    assert chart["mean_moving_range"] == pytest.approx(17 / 12)
    assert (chart["lower_limit"], chart["upper_limit"]) == pytest.approx((38.898333, 46.435))
    assert (chart["lower_two_sigma"], chart["upper_two_sigma"]) == pytest.approx((40.154444, 45.178889))
    assert chart["screen_moving_ranges"] is True and chart["screened_moving_ranges"] == 2
    assert chart["trial_limits"] is False
    points = chart["points"]
    assert [p["month"] for p in points] == MONTHS and [p["value"] for p in points] == WILD
    assert points[0]["moving_range"] is None
    assert [p["moving_range"] for p in points[7:9]] == [19, 18]
    assert [i for i, p in enumerate(points) if p["screened"]] == [7, 8]
    assert [(i, p["type"], p["rule"]) for i, p in enumerate(points) if p["rule"]] == [
        (7, "special_cause_concern", "outside_limits")]
    assert chart["icon"] == "common_cause"  # December's 42 is ordinary
    assert "15 months, 2013-10 to 2014-12" in chart["explanation"]
    assert "2 moving ranges above 3.267 × their mean left out" in chart["explanation"]
    assert "= 38.90 to 46.43" in chart["explanation"]  # 46.435 as a float is 46.434999…


def test_wild_month_unscreened_is_the_excel_tool(calculator):
    [chart] = calculator.calculate(delayed_transfers(screen_moving_ranges=False))["spc"]
    assert chart["mean_moving_range"] == pytest.approx(54 / 14)
    assert (chart["lower_limit"], chart["upper_limit"]) == pytest.approx((32.406667, 52.926667))
    assert chart["screen_moving_ranges"] is False and chart["screened_moving_ranges"] == 0
    assert not any(p["screened"] for p in chart["points"])
    assert "not screened" in chart["explanation"]
    assert chart["points"][7]["rule"] == "outside_limits"  # 60 > 52.93 all the same


@pytest.mark.parametrize(("values", "rule", "flagged"), [
    # the series of tests/metrics/test_metrics_spc.py, where each rule fires alone (hand-checked there)
    ([4, 8, 4, 8, 4, 8, 4, 30, 4, 8, 4, 8, 4, 8, 4], "outside_limits", [7]),
    ([2, 10, 2, 10, 3, 4, 5, 6, 7, 8, 9, 2, 10, 2, 10], "trend", list(range(4, 11))),
    ([10, 11, 10, 11, 10, 11, 10, 14, 12, 14, 10, 11, 10, 11, 10], "two_of_three", [7, 9]),
    ([3, 8, 3, 8, 3, 7, 8, 7, 8, 7, 8, 7, 3, 9, 3], "shift", list(range(5, 12))),
])
def test_each_rule_alone_in_the_answer(calculator, values, rule, flagged):
    [chart] = calculator.calculate(delayed_transfers(values))["spc"]
    assert [i for i, p in enumerate(chart["points"]) if p["rule"]] == flagged
    assert {chart["points"][i]["rule"] for i in flagged} == {rule}
    assert {p["type"] for p in chart["points"] if not p["rule"]} == {"common_cause"}


def test_polarity_lower_is_better(calculator):
    """The same spike is a concern upwards and an improvement downwards for delayed transfers (lower is
    better): the series mirrored about 84 (the 60 becomes 24) swaps the point's type, and a falling trend
    at the end gives an improving icon, a rising one a concerning icon."""
    high = calculator.calculate(delayed_transfers())["spc"][0]["points"][7]
    low = calculator.calculate(delayed_transfers([84 - v for v in WILD]))["spc"][0]["points"][7]
    assert (high["type"], low["type"]) == ("special_cause_concern", "special_cause_improvement")
    falling = [50, 52, 50, 52, 50, 52, 50, 52, 49, 48, 47, 46, 45, 44, 43]
    assert calculator.calculate(delayed_transfers(falling))["spc"][0]["icon"] == "improvement_low"
    rising = [100 - v for v in falling]
    assert calculator.calculate(delayed_transfers(rising))["spc"][0]["icon"] == "concern_high"


# --- the ambition on the monthly scale ---------------------------------------------------------------------


@pytest.mark.parametrize(("plan", "screen", "assurance"), [
    (40.0, True, "inconsistent"),  # between 38.90 and 46.44: sometimes met, sometimes missed
    (35.0, True, "consistent_fail"),  # below the lower limit, lower is better: missed every month
    (50.0, True, "consistent_pass"),  # above the upper limit: already met every month
    (35.0, False, "inconsistent"),  # the unscreened limits 32.41 … 52.93 take it in
])
def test_assurance(calculator, plan, screen, assurance):
    answer = calculator.calculate(delayed_transfers(plan=plan, screen_moving_ranges=screen))
    periods = answer["spc"][0]["assurance"]
    assert [a["period"] for a in periods] == ["april-2015", "october-2015"]
    assert {a["assurance"] for a in periods} == {assurance}
    assert all(a["plan"] == a["target"] == plan for a in periods)  # an average per month: already monthly
    assert f"plan, {plan:.2f} per 100,000 (18+) per month, is " in periods[0]["explanation"]


def test_ambitions_answer_the_same_chart(calculator):
    body = delayed_transfers(plan=35.0)
    assert calculator.assess(body)["spc"] == calculator.calculate(body)["spc"]


def test_a_quarterly_count_is_put_on_the_monthly_scale(calculator):
    """Non-elective admissions (bcf-2015-16-revised) are planned per quarter: 4,800 in Q4 2014/15 is 1,600 a
    month. Twelve months 1,650, 1,640, … alternating around 1,645 (mR̄ 10, limits 1,645 ± 26.6): the target
    1,600 is below the lower limit 1,618.4, so the process will consistently fail it."""
    body = {"hwb_code": "E06000001", "rule_set": "bcf-2015-16-revised", "p4p_pool": 1000000,
            "metrics": [{"metric": "non_elective_admissions",
                         "monthly": monthly([1650, 1640] * 6, [f"2014-{m:02d}" for m in range(1, 13)]),
                         "periods": {"q4-2014-15": {"baseline": {"value": 5000}, "plan": 4800}}}]}
    [chart] = calculator.assess(body)["spc"]
    assert chart["trial_limits"] is True  # 12 months
    assert (chart["lower_limit"], chart["upper_limit"]) == pytest.approx((1618.4, 1671.6))
    [assurance] = chart["assurance"]
    assert (assurance["plan"], assurance["target"]) == (4800, 1600)
    assert assurance["assurance"] == "consistent_fail"
    assert "plan, 1,600 a month (4,800 admissions in the quarter ÷ 3 months), is beyond" in \
        assurance["explanation"]


# --- no series, no block -----------------------------------------------------------------------------------


def test_without_a_series_the_answers_have_no_spc(calculator):
    body = delayed_transfers()
    del body["metrics"][0]["monthly"]
    assert "spc" not in calculator.calculate(body)
    assert "spc" not in calculator.assess(body)
    assert "spc" not in calculator.calculate(request())


def test_the_spc_option_alone_changes_nothing(calculator):
    assert calculator.calculate({**request(), "spc": {"screen_moving_ranges": False}}) == \
        calculator.calculate(request())


# --- the request's checks ------------------------------------------------------------------------------


def test_months_in_any_order_are_sorted(calculator):
    body = delayed_transfers()
    body["metrics"][0]["monthly"].reverse()
    assert calculator.calculate(body)["spc"] == calculator.calculate(delayed_transfers())["spc"]


def test_every_problem_of_a_series_at_once(calculator):
    body = delayed_transfers()
    series = body["metrics"][0]["monthly"]
    series[1]["month"] = "2013-13"
    series[2]["value"] = "NaN"
    series[3]["value"] = True
    series[4]["extra"] = 1
    body["metrics"][0]["periods"]["april-2015"]["plan"] = "lots"  # a problem elsewhere, same answer
    found = problems(calculator, body)
    assert found["metrics[0].monthly[1].month"] == "Must be a month as YYYY-MM, as 2014-04."
    assert "finite" in found["metrics[0].monthly[2].value"]
    assert "metrics[0].monthly[3].value" in found
    assert "metrics[0].monthly[4].extra" in found
    assert "metrics[0].periods.april-2015.plan" in found


def test_a_month_twice_is_named(calculator):
    body = delayed_transfers()
    body["metrics"][0]["monthly"][5]["month"] = "2013-10"
    assert problems(calculator, body) == {
        "metrics[0].monthly[5].month": "2013-10 is given twice (also monthly[0])."}


def test_a_missing_month_is_named(calculator):
    body = delayed_transfers()
    del body["metrics"][0]["monthly"][3]  # 2014-01
    assert problems(calculator, body) == {"metrics[0].monthly": (
        "Months must follow one another with none missing: 1 missing between 2013-10 and 2014-12 (2014-01).")}


@pytest.mark.parametrize("series", [[], [{"month": "2014-01", "value": 1}], "monthly"])
def test_a_series_needs_two_months(calculator, series):
    body = delayed_transfers()
    body["metrics"][0]["monthly"] = series
    assert list(problems(calculator, body)) == ["metrics[0].monthly"]


def test_only_the_catalogues_monthly_metrics_take_a_series(calculator):
    body = delayed_transfers()
    april = copy.deepcopy(body["metrics"][0]["periods"]["april-2015"])
    body["metrics"].append({"metric": "local", "local_metric": "PHOF-2.24i", "periods": {"april-2015": april},
                            "monthly": monthly(WILD)})
    assert problems(calculator, body) == {"metrics[1].monthly": (
        "local takes no monthly series; only delayed_transfers, "
        "avoidable_emergency_admissions, non_elective_admissions do")}


def test_the_option_is_checked(calculator):
    found = problems(calculator, {**delayed_transfers(), "spc": {"screen_moving_ranges": "maybe", "x": 1}})
    assert set(found) == {"spc.screen_moving_ranges", "spc.x"}


# --- the README's worked example ----------------------------------------------------------------------------

HARTLEPOOL = [492, 505, 481, 498, 487, 510, 495, 483, 502, 489, 611, 497,
              476, 468, 471, 462, 458, 466, 455, 461, 452]


@pytest.mark.parametrize(("screen", "mean_range", "limits", "april"), [
    (True, 226 / 18, (453.2213, 520.0168), "consistent_fail"),
    (False, 462 / 20, (425.1730, 548.0650), "inconsistent"),
])
def test_readme_worked_example(calculator, screen, mean_range, limits, april):
    body = delayed_transfers(screen_moving_ranges=screen)
    body["metrics"][0]["monthly"] = monthly(HARTLEPOOL, [f"{2013 + (3 + i) // 12}-{(3 + i) % 12 + 1:02d}"
                                                         for i in range(21)])
    body["metrics"][0]["periods"]["april-2015"]["plan"] = 450
    body["metrics"][0]["periods"]["october-2015"]["plan"] = 420
    [chart] = calculator.assess(body)["spc"]
    assert chart["mean"] == pytest.approx(10219 / 21)
    assert chart["mean_moving_range"] == pytest.approx(mean_range)
    assert (chart["lower_limit"], chart["upper_limit"]) == pytest.approx(limits, abs=1e-4)
    rules = {p["month"]: p["rule"] for p in chart["points"] if p["rule"]}
    assert rules["2014-02"] == "outside_limits"
    assert chart["points"][10]["type"] == "special_cause_concern"
    expected = (["shift"] * 3 + ["two_of_three"] * 2 + ["shift"] + ["two_of_three"] * 2 + ["outside_limits"]
                if screen else ["shift"] * 9)
    assert [rules[p["month"]] for p in chart["points"][12:]] == expected
    assert {p["type"] for p in chart["points"][12:]} == {"special_cause_improvement"}
    assert chart["icon"] == "improvement_low"
    assert [a["assurance"] for a in chart["assurance"]] == [april, "consistent_fail"]
