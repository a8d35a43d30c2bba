"""Directly standardised rates with Dobson limits: PHE's reference rows (independent and
non-independent events), suppression below 10 events, and the vectorised shapes."""

from collections import defaultdict

import numpy as np
import pytest
from numpy.testing import assert_allclose
from phe_reference import cases, number, rows, rtol

import metrics


def independent_inputs() -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per area: events, population and standard population by band (an NA count counts as 0, README)."""
    by_area = defaultdict(list)
    for row in rows("dsr_inputs.csv"):
        count = number(row["count"])
        by_area[row["area"]].append((0.0 if np.isnan(count) else count, number(row["pop"]),
                                     number(row["stdpop"])))
    return {area: tuple(np.array(column) for column in zip(*bands, strict=True))
            for area, bands in by_area.items()}


def nonindependent_inputs() -> dict[str, dict]:
    """Per area: persons by (band, event frequency), frequencies, population, standard population, and
    the sheet's own events per band. An NA persons cell counts as 0, as an NA count does."""
    by_area = defaultdict(list)
    for row in rows("dsr_nonindependent_inputs.csv"):
        by_area[row["area"]].append(row)
    inputs = {}
    for area, area_rows in by_area.items():
        bands = list(dict.fromkeys(r["ageband"] for r in area_rows))
        frequencies = sorted({number(r["eventfreq"]) for r in area_rows})
        persons = np.zeros((len(bands), len(frequencies)))
        band_info = {}
        for r in area_rows:
            p = number(r["persons"])
            persons[bands.index(r["ageband"]), frequencies.index(number(r["eventfreq"]))] = (
                0.0 if np.isnan(p) else p)
            band_info[r["ageband"]] = (number(r["pop"]), number(r["stdpop"]),
                                       number(r["sheet_total_events_col"]))
        pop, std, sheet_events = (np.array(c) for c in zip(*(band_info[b] for b in bands), strict=True))
        inputs[area] = {"persons": persons, "event_frequency": np.array(frequencies), "population": pop,
                        "standard_population": std, "sheet_events": sheet_events}
    return inputs


INDEPENDENT = independent_inputs()
NONINDEPENDENT = nonindependent_inputs()


@pytest.mark.parametrize("row", cases("dsr.csv"))
def test_matches_phe_reference(row):
    confidence, multiplier = number(row["confidence"]), number(row["multiplier"])
    if row["independent_events"] == "True":
        events, population, standard = INDEPENDENT[row["area"]]
        result = metrics.dsr(events, population, standard, confidence, multiplier)
    else:
        given = NONINDEPENDENT[row["area"]]
        result = metrics.dsr_nonindependent(given["persons"], given["event_frequency"], given["population"],
                                            given["standard_population"], confidence, multiplier)
    assert result.total_events == number(row["total_count"])
    expected = [number(row[k]) for k in ("value", "lower", "upper")]   # NA (suppressed) must be NaN
    assert_allclose([result.value, result.lower, result.upper], expected, rtol=rtol("dsr.csv"))


@pytest.mark.parametrize("area", sorted(NONINDEPENDENT))
def test_events_per_band_are_frequency_times_persons(area):
    """Oᵢ = Σ_f f·Pᵢ,f reproduces the sheet's own events column, band by band."""
    given = NONINDEPENDENT[area]
    assert_allclose(given["persons"] @ given["event_frequency"], given["sheet_events"])
    result = metrics.dsr_nonindependent(given["persons"], given["event_frequency"], given["population"],
                                        given["standard_population"])
    assert result.total_events == given["sheet_events"].sum()


@pytest.mark.parametrize("area", sorted(INDEPENDENT))
def test_one_event_each_is_the_independent_case(area):
    """With every person having exactly one event the two variances coincide."""
    events, population, standard = INDEPENDENT[area]
    independent = metrics.dsr(events, population, standard)
    as_persons = metrics.dsr_nonindependent(events[:, None], [1], population, standard)
    assert_allclose([as_persons.value, as_persons.lower, as_persons.upper, as_persons.variance],
                    [independent.value, independent.lower, independent.upper, independent.variance],
                    rtol=1e-12)


def test_formula_on_a_hand_sized_example():
    """Two bands, worked by hand: DSR = (1·20/100 + 3·30/300) / 4 × 1000 = 125 per 1,000;
    var = (1·20/100² + 9·30/300²) / 16 × 1000² = (0.002 + 0.003) / 16 × 10⁶ = 312.5."""
    result = metrics.dsr([20, 30], [100, 300], [1, 3], multiplier=1000)
    assert result.value == pytest.approx(125.0, rel=1e-12)
    assert result.variance == pytest.approx(312.5, rel=1e-12)
    byars = metrics.byars_limits(50)
    spread = np.sqrt(312.5 / 50)
    assert result.lower == pytest.approx(125 + spread * (byars.lower - 50), rel=1e-12)
    assert result.upper == pytest.approx(125 + spread * (byars.upper - 50), rel=1e-12)


def test_fewer_than_ten_events_is_suppressed_but_counted():
    result = metrics.dsr([4, 5], [100, 100], [1, 1])
    assert np.isnan([result.value, result.lower, result.upper]).all()
    assert result.total_events == 9 and result.variance > 0
    assert not np.isnan(metrics.dsr([5, 5], [100, 100], [1, 1]).value)


def test_areas_on_leading_axes_match_one_area_at_a_time():
    areas = ["testdata_big", "testdata_small", "testdata_tiny"]
    events = np.stack([INDEPENDENT[a][0] for a in areas])
    population = np.stack([INDEPENDENT[a][1] for a in areas])
    standard = INDEPENDENT[areas[0]][2]                      # one ESP 2013 row broadcast over areas
    together = metrics.dsr(events, population, standard, confidence=0.998)
    assert together.value.shape == (3,)
    for i, area in enumerate(areas):
        alone = metrics.dsr(*INDEPENDENT[area], confidence=0.998)
        assert_allclose([together.value[i], together.lower[i], together.upper[i], together.total_events[i]],
                        [alone.value, alone.lower, alone.upper, alone.total_events], rtol=1e-12)


def test_nan_band_spoils_only_its_area():
    events = np.array([[10.0, 20.0], [np.nan, 20.0]])
    result = metrics.dsr(events, [[100, 100], [100, 100]], [1, 1])
    assert not np.isnan(result.value[0]) and np.isnan(result.value[1]) and np.isnan(result.lower[1])


def test_one_confidence_per_area():
    events, population, standard = INDEPENDENT["testdata_big"]
    result = metrics.dsr(events, population, standard, confidence=[0.95, 0.998], multiplier=10_000)
    expected = [r for r in rows("dsr.csv") if r["case_id"] in ("dsr001", "dsr002")]
    assert_allclose(result.lower, [number(r["lower"]) for r in expected], rtol=1e-9)
