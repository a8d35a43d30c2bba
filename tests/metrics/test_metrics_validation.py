"""Bad input raises ValueError naming the argument and where it is wrong: one case per rule."""

import dataclasses
import importlib

import numpy as np
import pytest

import metrics

FIVE_BANDS = dict(population=[100] * 5, standard_population=[1] * 5)


def case(name, call, match):
    return pytest.param(call, match, id=name)


BAD_INPUT = [
    # negative counts
    case("negative numerator, scalar", lambda: metrics.proportion(-1, 10),
         r"numerator must be greater than or equal to zero \(got -1.0\)"),
    case("negative numerator, positions", lambda: metrics.rate([5, -2, 3, -1], 100),
         "numerator must be greater than or equal to zero at positions 1, 3"),
    case("negative count, Byar's", lambda: metrics.byars_limits(-3),
         "count must be greater than or equal to zero"),
    case("negative count, exact, 2-D", lambda: metrics.exact_poisson_limits([[1, -1]]),
         r"count must be .* at positions \(0, 1\)"),
    case("negative events", lambda: metrics.dsr([[1, 2, -3, 4, 5]], **FIVE_BANDS),
         r"events must be .*zero at positions \(0, 2\)"),
    case("negative persons", lambda: metrics.dsr_nonindependent([[1, -1]], [1, 2], [100], [1]),
         "persons must be greater than or equal to zero"),
    case("negative event frequency", lambda: metrics.dsr_nonindependent([[1, 1]], [1, -2], [100], [1]),
         "event_frequency must be greater than or equal to zero"),
    case("negative count to compare", lambda: metrics.compare_rates(-1, 10, 2, 10),
         "count1 must be greater than or equal to zero"),
    case("negative successes to compare", lambda: metrics.compare_proportions(1, 10, -2, 10),
         "x2 must be greater than or equal to zero"),
    # numerator > denominator for a proportion
    case("numerator above denominator", lambda: metrics.proportion([5, 11], [10, 10]),
         "numerator must not be greater than the denominator at positions 1"),
    case("successes above sample size", lambda: metrics.compare_proportions(11, 10, 2, 10),
         "x1 must not be greater than n1"),
    # denominator <= 0
    case("zero denominator", lambda: metrics.proportion(0, 0), "denominator must be greater than zero"),
    case("negative denominator", lambda: metrics.rate(1, [10, -5]),
         "denominator must be greater than zero at positions 1"),
    case("zero population in a band", lambda: metrics.dsr([1] * 5, [100, 100, 0, 100, 100], [1] * 5),
         "population must be greater than zero at positions 2"),
    case("zero exposure", lambda: metrics.compare_rates(1, 10, 2, 0), "exposure2 must be greater than zero"),
    case("zero sample size", lambda: metrics.compare_proportions(1, 10, 0, 0),
         "n2 must be greater than zero"),
    # sd < 0, n < 2
    case("negative sd", lambda: metrics.mean_score(5, -1, 10), "sd must be greater than or equal to zero"),
    case("negative sd to compare", lambda: metrics.compare_means(5, 1, 10, 5, -1, 10),
         "sd2 must be greater than or equal to zero"),
    case("one respondent", lambda: metrics.mean_score(5, 1, [10, 1]), "n must be at least 2 at positions 1"),
    case("one respondent to compare", lambda: metrics.compare_means(5, 1, 1, 5, 1, 10),
         "n1 must be at least 2"),
    # variances and standard populations
    case("negative variance", lambda: metrics.compare_dsrs(100, -1, 90, 4),
         "var1 must be greater than or equal to zero"),
    case("negative standard weight", lambda: metrics.dsr([1] * 5, [100] * 5, [1, 1, -1, 1, 1]),
         "standard_population must be greater than or equal to zero"),
    case("all-zero standard population", lambda: metrics.dsr([1] * 5, [100] * 5, [0] * 5),
         "standard_population must have a positive total"),
    # whole counts for the exact binomial test
    case("fractional count to compare", lambda: metrics.compare_rates(2.5, 10, 2, 10),
         "count1 must be whole numbers"),
    # multiplier
    case("zero multiplier", lambda: metrics.rate(1, 10, multiplier=0),
         "multiplier must be greater than zero"),
    # infinities (NaN is a missing value, inf is a mistake)
    case("infinite denominator", lambda: metrics.proportion(1, np.inf), "denominator must be finite"),
    case("infinite history", lambda: metrics.trend_projection([1, np.inf, 3]),
         r"history must be finite \(use NaN for a missing value\) at positions 1"),
    # not numbers
    case("text", lambda: metrics.rate("many", 10), "numerator must be numeric"),
    # shapes that do not broadcast
    case("shapes", lambda: metrics.proportion([1, 2], [3, 4, 5]),
         r"shapes do not broadcast together: numerator \(2,\), denominator \(3,\)"),
    case("shapes to compare", lambda: metrics.compare_means([1, 2], 1, 10, [1, 2, 3], 1, 10),
         r"mean1 \(2,\).*mean2 \(3,\)"),
    case("band counts differ", lambda: metrics.dsr([[1] * 5] * 2, [100] * 4, [1] * 5),
         "shapes do not broadcast together"),
    case("confidence per area", lambda: metrics.dsr(
         [[1] * 5] * 2, **FIVE_BANDS, confidence=[0.9, 0.9, 0.9]),
         "must broadcast against the areas"),
    case("persons bands", lambda: metrics.dsr_nonindependent([[1, 1]] * 3, [1, 2], [100] * 4, [1] * 4),
         "persons without its frequency axis"),
    # missing axes
    case("no band axis", lambda: metrics.dsr(10, 100, 1), "must have age bands on their last axis"),
    case("no frequency axis", lambda: metrics.dsr_nonindependent([1, 2], [1, 2], [100], [1]),
         "persons must have age bands and event frequencies"),
    case("history not a sequence", lambda: metrics.trend_projection(5), "history must be a sequence"),
]


@pytest.mark.parametrize(("call", "match"), BAD_INPUT)
def test_bad_input_is_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("confidence", [0, 1, 95, -0.5, np.nan, [0.95, 1.5]])
@pytest.mark.parametrize("function", [
    lambda c: metrics.proportion(1, 10, c),
    lambda c: metrics.rate(1, 10, c),
    lambda c: metrics.byars_limits(20, c),
    lambda c: metrics.exact_poisson_limits(2, c),
    lambda c: metrics.dsr([10, 10], [100, 100], [1, 1], c),
    lambda c: metrics.dsr_nonindependent([[10], [10]], [1], [100, 100], [1, 1], c),
    lambda c: metrics.mean_score(5, 1, 10, c),
], ids=["proportion", "rate", "byars", "exact", "dsr", "dsr_nonindependent", "mean_score"])
def test_confidence_is_a_fraction_strictly_inside_zero_and_one(function, confidence):
    with pytest.raises(ValueError, match="confidence must be a fraction strictly between 0 and 1"):
        function(confidence)


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValueError) as raised:
        metrics.proportion([-1, 5], [10, 0], confidence=2)
    message = str(raised.value)
    for part in ("numerator must be greater than or equal to zero at positions 0",
                 "denominator must be greater than zero at positions 1",
                 "confidence must be a fraction"):
        assert part in message


def test_long_lists_of_positions_are_cut_short():
    with pytest.raises(ValueError, match=r"at positions 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 and 5 more$"):
        metrics.rate(-np.ones(15), 100)


def test_nan_is_not_an_error():
    assert np.isnan(metrics.proportion(np.nan, 10).value)
    assert np.isnan(metrics.compare_rates(np.nan, 10, 1, 10).p_value)


# --- the shortcut for small valid input (metrics._checks.clean) --------------------------------------

GOOD = {  # values each kind of argument takes in valid input, and values that break one of its rules
    "count": [0.0, 1.0, 3.0, 12.0, 250.0],
    "number": [-3.5, -0.0, 0.0, 2.25, 18.0],
    "positive": [0.5, 1.0, 10.0, 1e4, 1e6],
    "two or more": [2.0, 3.0, 10.0, 500.0],
    "fraction": [0.8, 0.9, 0.95, 0.998],
}
BAD = [np.nan, np.inf, -np.inf, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 95.0]

CALLS = {  # each public function with the kinds of its arguments
    "proportion": (metrics.proportion, ["count", "positive", "fraction", "positive"]),
    "rate": (metrics.rate, ["count", "positive", "fraction", "positive"]),
    "byars_limits": (metrics.byars_limits, ["count", "fraction"]),
    "exact_poisson_limits": (metrics.exact_poisson_limits, ["count", "fraction"]),
    "dsr": (metrics.dsr, ["count", "positive", "count", "fraction", "positive"]),
    "mean_score": (metrics.mean_score, ["number", "count", "two or more", "fraction"]),
    "compare_rates": (metrics.compare_rates, ["count", "positive", "count", "positive"]),
    "compare_proportions": (metrics.compare_proportions, ["count", "positive", "count", "positive"]),
    "compare_means": (metrics.compare_means, ["number", "count", "two or more"] * 2),
    "compare_dsrs": (metrics.compare_dsrs, ["number", "count", "number", "count"]),
    "trend_projection": (metrics.trend_projection, ["number"]),
}


def outcome(function, arguments):
    """The result as plain data, or the error message."""
    try:
        result = function(*arguments)
    except ValueError as error:
        return str(error)
    return None if result is None else dataclasses.asdict(result)


@pytest.mark.parametrize("name", CALLS)
def test_the_shortcut_changes_no_answer_and_no_message(name, monkeypatch):
    """Generated small inputs, a fifth of them with a value that breaks a rule (NaN, infinities,
    negatives, fractions of counts, 0, proportions above their denominators, percentages as
    confidence…): the answer or error message is the same with the shortcut as with the full checks
    alone, and the shortcut is taken for the valid ones."""
    from metrics import _checks

    function, kinds = CALLS[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    taken = []
    clean = _checks.clean
    cases = []
    for _ in range(300):
        size = int(rng.integers(1, 6))
        arguments = []
        for position, kind in enumerate(kinds):
            shape = () if kind == "fraction" or (position and rng.uniform() < 0.2) else (size,)
            if name == "dsr" and position < 3:
                shape = (int(rng.integers(1, 3)), 4)
            values = rng.choice(GOOD[kind], shape)
            if rng.uniform() < 0.2:
                values = np.where(rng.uniform(size=shape) < 0.5, rng.choice(BAD, shape), values)
            arguments.append(values)
        cases.append(arguments)

    def counting_clean(*arguments):
        taken.append(clean(*arguments))
        return taken[-1]

    for module in ("proportions", "rates", "dsr", "scores", "comparisons", "trend"):
        monkeypatch.setattr(importlib.import_module(f"metrics.{module}"), "clean", counting_clean)
    with_shortcut = [outcome(function, arguments) for arguments in cases]
    monkeypatch.setattr(_checks, "CHECK_IN_PYTHON", 0)  # every argument is "too large": full checks
    for arguments, expected in zip(cases, with_shortcut, strict=True):
        np.testing.assert_equal(outcome(function, arguments), expected)
    assert 0 < taken.count(True) < 300  # both ways were tried
    assert any(isinstance(expected, str) for expected in with_shortcut)  # and some input was refused
