"""The charts: SVG a page can inline under a strict CSP, with text alternatives, the same every time."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import numpy as np
import pytest

from charts import achievement_chart, funnel_chart, stacked_bars, xmr_chart
from charts._key import place_numbers
from charts._svg import number_text, pounds
from metrics import proportion_funnel, ratio_funnel, xmr

SVG = "{http://www.w3.org/2000/svg}"


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(svg: str) -> list[str]:
    return [t.text or "" for t in parsed(svg).iter(f"{SVG}text")]


def alternatives(svg: str) -> tuple[str, str]:
    root = parsed(svg)
    return root.find(f"{SVG}title").text, root.find(f"{SVG}desc").text


def bars(**overrides) -> str:
    arguments = {"groups": ["North East", "London"], "released": [Decimal("1250000.50"), 400000],
                 "held_back": [250000, Decimal("0")], "title": "Released and held back by region",
                 "chart_id": "regions"}
    return stacked_bars(**{**arguments, **overrides})


def small_funnel():
    denominators = np.array([1000, 1200, 900, 1000, 800, 1500])
    numerators = np.array([300, 360, 270, 420, 160, 450])  # the 4th far above the average, the 5th below
    return proportion_funnel(numerators, denominators), denominators, 100 * numerators / denominators


def test_every_chart_is_an_accessible_svg_element_with_no_inline_style():
    funnel, x, y = small_funnel()
    charts = [
        bars(),
        funnel_chart(funnel, x, y, [f"E{i}" for i in range(6)], title="Funnel", chart_id="funnel",
                     x_label="Denominator", y_label="%"),
        achievement_chart(["a", "b"], [0.5, 1.2], threshold=0.7, title="Achievement", chart_id="ach"),
        xmr_chart(xmr(np.arange(15.0) % 4, "lower"), [f"m{i}" for i in range(15)], title="XmR",
                  chart_id="spc", y_label="value"),
    ]
    for svg in charts:
        assert svg.startswith("<svg ") and "<?xml" not in svg and "<!DOCTYPE" not in svg
        assert " style=" not in svg and "<style" not in svg  # CSP style-src 'self' would refuse them
        root = parsed(svg)
        chart_id = root.get("id")
        assert root.get("role") == "img" and root.get("class") == "chart"
        assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
        assert list(root)[0].tag == f"{SVG}title" and list(root)[1].tag == f"{SVG}desc"
        assert root.get("viewBox") and root.get("width") is None  # sized by the stylesheet
        ids = [e.get("id") for e in root.iter() if e.get("id")]
        assert len(ids) == len(set(ids)) and all(i.startswith(chart_id) for i in ids)
        for reference in re.findall(r'(?:url\(|href=")#([^)"]+)', svg):
            assert reference in ids  # clip paths and markers still found after the renaming
        assert len(list(root.iter(f"{SVG}path"))) > 5  # something was drawn


def test_output_is_deterministic_and_ids_follow_the_chart_id():
    assert bars() == bars()
    other = bars(chart_id="other")
    assert other != bars() and 'id="other-' in other and 'id="regions-' not in other


def test_stacked_bars_money_axis_and_text_alternative():
    svg = bars()
    assert any(re.fullmatch(r"£\d{1,3}(,\d{3})+", t) for t in texts(svg))  # a tick like £1,000,000
    title, desc = alternatives(svg)
    assert title == "Released and held back by region"
    assert "£1,650,000.50 released and £250,000.00 held back" in desc
    assert "North East: £1,250,000.50 released, £250,000.00 held back" in desc


def test_stacked_bars_refuse_bad_input_naming_every_problem():
    with pytest.raises(ValueError) as caught:
        stacked_bars(["a", "b"], [1, -5], [float("nan"), 2, 3], title="t", chart_id="x")
    message = str(caught.value)
    assert "held_back[0] is not finite" in message
    with pytest.raises(ValueError, match="released\\[1\\] is negative") as caught:
        stacked_bars(["a", "b"], [1, -5], [1, 2], title="t", chart_id="x")
    with pytest.raises(ValueError, match="same length"):
        stacked_bars(["a", "b"], [1, 2], [1], title="t", chart_id="x")
    with pytest.raises(ValueError, match="chart_id"):
        stacked_bars(["a"], [1], [1], title="t", chart_id="1 bad")


def test_funnel_names_the_points_outside_the_limits():
    funnel, x, y = small_funnel()
    labels = ["Ayton", "Beeton", "Ceeton", "Deeton", "Eeton", "Effton"]
    svg = funnel_chart(funnel, x, y, labels, title="Reablement", chart_id="f", x_label="Discharges",
                       y_label="% at home")
    outside = {label for label, s in zip(labels, funnel.significance, strict=True)
               if str(s).startswith(("High", "Low"))}
    assert outside == {"Deeton", "Eeton"}
    drawn = texts(svg)
    # numbered in the order of their names, each listed once in the key with its signal
    assert "Deeton: High (0.001)" in drawn and "Eeton: Low (0.001)" in drawn
    assert {"1", "2"} <= set(drawn) and not any(t.startswith(("Ayton", "Beeton")) for t in drawn)
    _, desc = alternatives(svg)
    assert f"around the average {number_text(funnel.average)}" in desc
    assert "2 outside the 95% limits: Deeton (High (0.001)); Eeton (Low (0.001))." in desc


def test_ratio_funnel_is_centred_on_one():
    observed, expected = np.array([50.0, 80.0, 200.0]), np.array([60.0, 60.0, 100.0])
    funnel = ratio_funnel(observed, expected)
    svg = funnel_chart(funnel, observed, observed / expected, ["a", "b", "c"], title="t", chart_id="r",
                       x_label="Observed", y_label="Ratio")
    assert "around the expected value 1," in alternatives(svg)[1]


def test_funnel_refuses_rows_that_do_not_match_the_funnel():
    funnel, x, y = small_funnel()
    with pytest.raises(ValueError, match="same length"):
        funnel_chart(funnel, x[:3], y[:3], ["a", "b", "c"], title="t", chart_id="f", x_label="x",
                     y_label="y")


def test_achievement_chart_threshold_off_scale_values_and_unknowns():
    svg = achievement_chart(["Delayed transfers", "Reablement", "Falls"], [6.04, -2.0, None],
                            threshold=0.7, title="Achievement", chart_id="ach")
    drawn = texts(svg)
    assert "70% threshold " in drawn and "604%" in drawn and "−200%" in drawn and "not known yet" in drawn
    _, desc = alternatives(svg)
    assert desc.startswith("2 of 3 with an achievement; 1 below the 70% threshold.")
    assert "Delayed transfers: 604%" in desc and "Not known: Falls." in desc


def test_xmr_chart_says_its_limits_and_signals():
    values = np.array([10, 11, 10, 12, 11, 10, 11, 30, 10, 11, 12, 11, 10, 11], dtype=float)
    chart = xmr(values, "lower", target=12)
    svg = xmr_chart(chart, [f"M{i + 1}" for i in range(values.size)], title="Falls", chart_id="spc",
                    y_label="per 100,000")
    _, desc = alternatives(svg)
    assert f"mean {number_text(chart.mean)}" in desc
    assert "M8 30 (special cause, concern)" in desc
    with pytest.raises(ValueError, match="one entry per value"):
        xmr_chart(chart, ["M1"], title="t", chart_id="spc", y_label="v")


@pytest.mark.parametrize(("value", "text"), [(0, "£0"), (1250000, "£1,250,000"), (999.6, "£1,000"),
                                             (-5000, "-£5,000")])
def test_pounds_ticks(value, text):
    assert pounds(value) == text


def test_achievement_of_many_is_ranked_with_the_lowest_named():
    labels = [f"Board {i:03d}" for i in range(152)]
    values = [0.75 + (i % 50) / 100 for i in range(152)]
    values[7], values[99], values[120] = 0.1, 0.5, -1.2
    svg = achievement_chart(labels, values, threshold=0.7, title="Every board", chart_id="boards")
    drawn = texts(svg)
    assert drawn.count("Board 120: −120%") == 1 and "Board 007: 10%" in drawn and "Board 099: 50%" in drawn
    assert not any(t.startswith("Board 000") for t in drawn)  # above the threshold: the table has it
    assert "152 ranked from lowest to highest achievement" in drawn
    assert alternatives(svg)[1].startswith("152 of 152 with an achievement; 3 below the 70% threshold.")


def crowded_funnel(count: int = 40):
    """Boards of about the same size far outside the limits, their values a fraction of a point apart:
    names beside them would print on top of each other."""
    denominators = np.concatenate([np.full(count, 2000), np.arange(1000, 3000, 100)])
    numerators = np.concatenate([1800 + np.arange(count) % 3, np.round(0.5 * np.arange(1000, 3000, 100))])
    funnel = proportion_funnel(numerators, denominators)
    labels = ([f"Board with a long name {i}" for i in range(count)]
              + [f"Inside {i}" for i in range(denominators.size - count)])
    return funnel, denominators, 100 * numerators / denominators, labels


def key_lines(svg: str) -> list[str]:
    return [t for t in texts(svg) if ": High (" in t or ": Low (" in t]


def test_every_outside_board_is_in_the_funnels_key_exactly_once_in_name_order():
    funnel, x, y, labels = crowded_funnel()
    svg = funnel_chart(funnel, x, y, labels, title="Crowded", chart_id="crowded", x_label="x", y_label="%")
    outside = sorted(label for label, s in zip(labels, funnel.significance, strict=True)
                     if str(s).startswith(("High", "Low")))
    assert len(outside) >= 40  # more than the 25 names the chart used to print
    keyed = [line.split(": ")[0] for line in key_lines(svg)]
    assert keyed == outside
    drawn = texts(svg)
    assert all(drawn.count(str(n)) >= 1 for n in range(1, len(outside) + 1))  # a number per point
    assert_numbers_apart(svg, len(outside))
    assert funnel_chart(funnel, x, y, labels, title="Crowded", chart_id="crowded", x_label="x",
                        y_label="%") == svg


def test_numbers_of_points_closer_than_a_number_never_overlap():
    anchors = np.array([[100.0 + 0.5 * i, 200.0 + 0.3 * i] for i in range(30)])  # a clump of 30
    texts_ = [str(i + 1) for i in range(30)]
    placements = place_numbers(anchors, texts_, anchors, (0.0, 0.0, 600.0, 400.0))
    boxes = np.array([box for box, _ in placements])
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            a, b = boxes[i], boxes[j]
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (i, j, a, b)
    # each number beside its own point where there is room: the first touches its marker's side
    assert placements[0][1] == 0
    assert any(ring > 0 for _, ring in placements)  # the crowd's numbers moved out, with leader lines


def test_achievement_numbers_do_not_overlap_where_the_lowest_crowd_together():
    labels = [f"Board {i:03d}" for i in range(152)]
    values = [0.75 + (i % 50) / 100 for i in range(152)]
    for k in range(10):
        values[k] = 0.40 + 0.0001 * k  # ten boards side by side at almost the same value
    svg = achievement_chart(labels, values, threshold=0.7, title="Every board", chart_id="boards")
    drawn = texts(svg)
    assert [t for t in drawn if t.startswith("Board 0")] == [f"Board {k:03d}: {40 + k // 10}%" for k in
                                                             range(8)]
    assert "Numbered on the plot: the 8 lowest below the threshold" in drawn
    assert_numbers_apart(svg, 8)


def assert_numbers_apart(svg: str, count: int) -> None:
    """The numbers drawn beside points (8px, centred) as the SVG places them: no two boxes overlap."""
    boxes = []
    for element in parsed(svg).iter(f"{SVG}text"):
        if element.get("font-size") == "8px" and element.get("text-anchor") == "middle" \
                and (element.text or "").isdigit():
            x, y, width = float(element.get("x")), float(element.get("y")), len(element.text) * 0.6 * 8
            boxes.append((x - width / 2, y - 8, x + width / 2, y))
    assert len(boxes) == count
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
