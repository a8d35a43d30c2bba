"""Explanations whose figures add up: a reader who redoes the sum shown gets the figure shown.

The achievement sentence is checked by redoing its arithmetic in Decimal from the displayed numbers only;
the displayed numbers are checked against values computed here from the inputs. Percentages and
achievements are never shown as 100% or 1 (or 0) when they are not exactly that.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bcf.assessment import achievement
from bcf.determination import determine
from bcf.figures import percent
from tests.bcf.conftest import ALL_MET, plan_from_json, rule_set_with

POOL = Decimal("1000000.00")
NUMBER = r"(-?[\d,]+(?:\.\d+)?)"
SUM = re.compile(
    r"achievement \((.) − (.)\) ÷ \((.) − (.)\) = "
    rf"\({NUMBER} − {NUMBER}\) ÷ \({NUMBER} − {NUMBER}\) = {NUMBER} ÷ {NUMBER} = {NUMBER} "
    r"\((lower|higher) is better\)"
)


def shown(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def significant_figures(x: Decimal) -> int:
    """Digits from the first non-zero one to the last one written (0.09506 → 4, 15.00 → 4)."""
    digits = x.as_tuple().digits
    return len(digits) - next(i for i, d in enumerate(digits) if d)


def half_unit(x: Decimal) -> Decimal:
    return Decimal(1).scaleb(x.as_tuple().exponent) / 2


def check_sum(sentence: str, baseline: float, plan: float, actual: float, value: float) -> dict:
    """The achievement sum in ``sentence`` adds up from its own numbers, and those numbers are the inputs.

    :return: the displayed figures by name (B, T, A, achievement).
    """
    match = SUM.search(sentence)
    assert match, sentence
    letters = match.group(1, 2, 3, 4)
    x1, y1, x2, y2, top, bottom, result = (shown(g) for g in match.group(*range(5, 12)))
    polarity = match.group(12)
    assert letters == (("B", "A", "B", "T") if polarity == "lower" else ("A", "B", "T", "B"))
    figures = dict(zip(letters, (x1, y1, x2, y2), strict=True))
    assert (y1 == y2) if polarity == "higher" else (x1 == x2)  # B is the same number both times
    # the shown differences are the differences of the shown numbers, with at least 4 significant figures
    assert top == x1 - y1 and bottom == x2 - y2
    for difference in (top, bottom):
        assert not difference or significant_figures(difference) >= 4, sentence
    # redoing the division gives the achievement shown, to the places shown
    assert (top / bottom).quantize(Decimal(1).scaleb(result.as_tuple().exponent), ROUND_HALF_UP) == result
    # and the shown numbers are the inputs and the achievement, rounded to the places shown
    for name, true in (("B", baseline), ("T", plan), ("A", actual)):
        assert abs(Decimal(repr(true)) - figures[name]) <= half_unit(figures[name]), (name, sentence)
    assert abs(Decimal(repr(value)) - result) <= half_unit(result), sentence
    # never on 1 (or 0) unless it is exactly that
    assert (result == 1) == (value == 1) and (result == 0) == (value == 0), sentence
    return dict(figures, achievement=result)


def run(rule_set, catalogue, metrics):
    return determine(plan_from_json({"metrics": metrics, "conditions": ALL_MET}), rule_set, catalogue, POOL)


def bare(metric, period, baseline, plan, actual):
    return {"metric": metric, "periods": {period: {
        "baseline": {"value": baseline}, "plan": plan, "actual": {"value": actual}}}}


def unrounded(m) -> float:
    """The achievement from the result's own values, in Decimal as §5 defines it (lower or higher)."""
    b, t, a = (Decimal(repr(x)) for x in (m.baseline.value, m.plan, m.actual.value))
    return float((b - a) / (b - t)) if m.polarity == "lower" else float((a - b) / (t - b))


def line(result, tranche, item):
    (found,) = [x for t in result.tranches if t.tranche == tranche for x in t.lines if x.item == item]
    return found


# --- finding 1: the achievement sum adds up ---------------------------------------------------------------


def test_the_reviewers_sum_shows_differences_that_give_the_achievement(rule_set, catalogue):
    """B = 3,100 ÷ 9 months ÷ 72,000 × 100,000 = 478.39506…, A = 3,099 ÷ 9 ÷ 72,000 × 100,000 = 478.24074…,
    T = 478.3 (lower is better). B − A = 100,000 ÷ 648,000 = 0.154321…, B − T = 0.0950617…, achievement
    1.6233766…. At 4 significant figures the sentence read "(478.4 − 478.2) ÷ (478.4 − 478.3) = 1.623",
    which gives 2.0. With 4 decimals B − T would be 0.0951 (3 significant figures), so 5 are needed:
    478.39506 − 478.24074 = 0.15432, 478.39506 − 478.30000 = 0.09506, 0.15432 ÷ 0.09506 = 1.62339… → 1.623."""
    metric = {"metric": "delayed_transfers", "periods": {"april-2015": {
        "baseline": {"numerator": 3100, "denominator": 72000}, "plan": 478.3,
        "actual": {"numerator": 3099, "denominator": 72000}}}}
    result = run(rule_set, catalogue, [metric])
    (m,) = result.metrics
    assert m.baseline.value == pytest.approx(3100 * 100000 / 9 / 72000, rel=1e-12)
    assert m.actual.value == pytest.approx(3099 * 100000 / 9 / 72000, rel=1e-12)
    expected = (
        "achievement (B − A) ÷ (B − T) = (478.39506 − 478.24074) ÷ (478.39506 − 478.30000) = "
        "0.15432 ÷ 0.09506 = 1.623 (lower is better)"
    )
    assert expected in m.explanation
    assert expected in line(result, "april-2015/metrics", "delayed_transfers").explanation
    check_sum(m.explanation, m.baseline.value, m.plan, m.actual.value, unrounded(m))
    assert "baseline 3,100 ÷ 9 months ÷ 72,000 × 100,000 = 478.4" in m.explanation  # the rest stays at 4


@pytest.mark.parametrize(
    ("metric", "period", "baseline", "plan", "actual"),
    [
        ("delayed_transfers", "april-2015", 478.4, 450.0, 452.71),  # issue 4's example: 2 decimals
        ("delayed_transfers", "april-2015", 100, 80, 110),  # worse than the baseline: -0.5000
        ("delayed_transfers", "april-2015", 100, 80, 60),  # better than the plan: 2.000
        ("delayed_transfers", "april-2015", 100, 80, 100),  # no change: 0
        ("delayed_transfers", "april-2015", 100, 80, 99.999998),  # 0.0000001, not 0
        ("delayed_transfers", "april-2015", 3, 0, 0.000001),  # 0.9999997, not 1
        ("delayed_transfers", "april-2015", 12345.6, 12345.5, 12345.54),  # differences far below 4 s.f.
        ("reablement", "october-2015", 82.14285714285714, 82.2, 82.20640569395017),  # higher is better
        ("reablement", "october-2015", 80, 85, 79.99),
    ],
)
def test_every_achievement_sum_adds_up(rule_set, catalogue, metric, period, baseline, plan, actual):
    (m,) = run(rule_set, catalogue, [bare(metric, period, baseline, plan, actual)]).metrics
    assert (m.baseline.value, m.plan, m.actual.value) == (baseline, plan, actual)
    check_sum(m.explanation, baseline, plan, actual, unrounded(m))


def test_a_proportions_sum_adds_up_from_its_counts(rule_set, catalogue):
    """230 ÷ 280 = 82.142857…%, 231 ÷ 281 = 82.206405…%, plan 82.2 (higher is better): A − B = 0.063549…
    and T − B = 0.057143…, achievement 1.1121…; at 4 significant figures the sum read (82.21 − 82.14) ÷
    (82.20 − 82.14), which gives 0.07 ÷ 0.06 = 1.167."""
    metric = {"metric": "reablement", "periods": {"october-2015": {
        "baseline": {"numerator": 230, "denominator": 280}, "plan": 82.2,
        "actual": {"numerator": 231, "denominator": 281}}}}
    (m,) = run(rule_set, catalogue, [metric]).metrics
    assert m.baseline.value == pytest.approx(23000 / 280, rel=1e-12)
    assert m.actual.value == pytest.approx(23100 / 281, rel=1e-12)
    figures = check_sum(m.explanation, m.baseline.value, m.plan, m.actual.value, unrounded(m))
    assert figures["achievement"] == Decimal("1.112")  # 0.0635486… ÷ 0.0571429… = 1.11210…


@st.composite
def ambitions(draw):
    """Baseline, plan and actual as typed (0 to 9 decimals), the plan better than the baseline, often
    close to it or to the actual, so that 4 significant figures would lose the differences."""
    places = draw(st.integers(0, 9))
    baseline = round(draw(st.floats(0.01, 100000)), places)
    gap = round(draw(st.one_of(st.floats(1e-9, 1), st.floats(1, 1000))), places)
    change = round(draw(st.one_of(st.floats(-1, 1), st.floats(-2000, 2000))), places)
    polarity = draw(st.sampled_from(["lower", "higher"]))
    sign = -1 if polarity == "lower" else 1
    return baseline, baseline + sign * gap, baseline + sign * change, polarity


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ambitions())
def test_the_achievement_sum_adds_up_whatever_the_values(case):
    baseline, plan, actual, polarity = case
    value, text, improvement = achievement(baseline, plan, actual, polarity)
    if not improvement:  # the gap rounded away: the plan is no improvement, a different sentence
        assert plan == baseline
        return
    check_sum(text, baseline, plan, actual, value)


# --- finding 2: nothing shown as 100% or 1 that is not ----------------------------------------------------


def test_an_achievement_just_short_of_1_is_not_shown_as_1_or_100_percent(rule_set, catalogue):
    """(100 − 80.00002) ÷ (100 − 80) = 19.99998 ÷ 20 = 0.999999; the line is the first of three sharing
    £250,000.00, £83,333.33; 99.9999% of it is £83,333.2466… → £83,333.25, £0.08 held back."""
    result = run(rule_set, catalogue, [bare("delayed_transfers", "april-2015", 100, 80, 80.00002)])
    text = line(result, "april-2015/metrics", "delayed_transfers").explanation
    assert "= 19.99998 ÷ 20.00000 = 0.999999 (lower is better); pro-rata;" in text
    assert "99.9999% of £83,333.33 released (£83,333.25), £0.08 held back" in text
    assert "100%" not in text and "1.000" not in text


def test_all_or_nothing_does_not_show_a_shortfall_as_1(rule_set, catalogue, tmp_path):
    rules = rule_set_with(tmp_path, payment_mode="all_or_nothing")
    result = run(rules, catalogue, [bare("delayed_transfers", "april-2015", 100, 80, 80.00002)])
    text = line(result, "april-2015/metrics", "delayed_transfers").explanation
    assert "= 0.999999 (lower is better); all-or-nothing: achievement < 1;" in text
    assert "0% of £83,333.33 released (£0.00), £83,333.33 held back" in text
    assert "1.000" not in text


def test_an_achievement_just_over_1_is_shown_as_capped(rule_set, catalogue):
    """(100 − 79.99998) ÷ 20 = 20.00002 ÷ 20 = 1.000001: capped at 1, so 100% is released."""
    result = run(rule_set, catalogue, [bare("delayed_transfers", "april-2015", 100, 80, 79.99998)])
    text = line(result, "april-2015/metrics", "delayed_transfers").explanation
    assert "= 20.00002 ÷ 20.00000 = 1.000001 (lower is better); pro-rata, capped at 1;" in text
    assert "100% of £83,333.33 released (£83,333.33)" in text


@pytest.mark.parametrize(
    ("fraction", "text"),
    [
        (1, "100%"),
        (0, "0%"),
        (Decimal("0.25"), "25%"),
        (Decimal("0.70"), "70%"),
        (0.75, "75%"),
        (0.904512, "90.45%"),  # 4 significant figures, as rules §8 asks
        (0.999999, "99.9999%"),  # 4 figures would be 100%
        (0.99999975, "99.99998%"),
        (0.9999999999999999, "99.99999999999999%"),
        (1.0000001, "100.00001%"),  # never shown as released in full without saying it was more
    ],
)
def test_percentages_show_4_figures_but_never_100_for_a_fraction_that_is_not_1(fraction, text):
    assert percent(fraction) == text


def test_a_tiny_percentage_is_not_shown_as_0():
    assert percent(1e-7) != "0%" and float(percent(1e-7).rstrip("%")) == pytest.approx(1e-5)


# --- figures a sentence compares are shown apart ------------------------------------------------------------


@pytest.mark.parametrize(
    ("polarity", "baseline", "plan", "actual", "expected"),
    [
        # 100.001 is worse than the plan 100 (lower is better): at 4 figures all three read 100.0; at 6 the
        # actual is 100.001 and the equal baseline and plan stay equal
        ("lower", 100, 100, 100.001, "the plan 100.000 is not an improvement on the baseline 100.000 "
         "(lower is better), so achievement is 1 if the actual is at least as good as the plan, else 0: "
         "actual 100.001 is worse than the plan, achievement 0"),
        # higher is better: plan 79.99999 below the baseline 80, actual 79.999995 above the plan; at 7
        # figures the actual rounds (half up) to 80.00000, the baseline's figure, so 8 are needed
        ("higher", 80, 79.99999, 79.999995, "the plan 79.999990 is not an improvement on the baseline "
         "80.000000 (higher is better), so achievement is 1 if the actual is at least as good as the plan, "
         "else 0: actual 79.999995 is at least as good as the plan, achievement 1"),
        # nothing close: 4 significant figures as usual
        ("lower", 100, 120, 90, "the plan 120.0 is not an improvement on the baseline 100.0 (lower is "
         "better), so achievement is 1 if the actual is at least as good as the plan, else 0: actual 90.00 "
         "is at least as good as the plan, achievement 1"),
    ],
)
def test_a_plan_that_is_no_improvement_shows_the_values_it_compares_apart(
    polarity, baseline, plan, actual, expected
):
    value, text, improvement = achievement(baseline, plan, actual, polarity)
    assert improvement is False
    assert text == expected
