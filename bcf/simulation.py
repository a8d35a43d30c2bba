"""Probability, not just a point (issue 13 §1): what a plan's releases could be, over many outturns.

Each metric line of a board's determination is given many simulated outturns, drawn as if the true value
were the planned value (and again, "what if", as if it stayed at the baseline): events of a rate Poisson
on the baseline's denominator and the period's months, successes of a proportion binomial among the
baseline's denominator, a mean score normal with the baseline's standard error sd/√n, a DSR one Poisson
count per age band (the baseline's band rates scaled to the centre), a count (the revised scheme) Poisson
about the centre. A value sent without counts has no known spread: it is held at the centre.

Every draw is priced by the determination's own rules (§5, §6, §8): achievement of the level of ambition,
payable fraction, line released rounded half up to the penny, tranche and plan sums, the recovery plan when
a line's reported (6 dp) achievement is below the threshold. The arithmetic is vectorised over the draws
in float64, which is exact except within a hair of a boundary (a threshold, a half penny): those few draws
are priced again exactly, with the scalar functions the determination uses (:func:`bcf.assessment.
achievement`, :func:`bcf.tranches.released_amount`). So one draw at the determination's actual values
gives its pounds exactly (tests/bcf/test_simulation.py).

Money over draws is held in whole units of the rule set's rounding quantum (pennies): the expected
release is the mean rounded as §8 rounds; the 5th and 95th percentiles are draws' own releases (the
smallest release that at least 5% (95%) of draws do not exceed).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_05UP, ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_UP, Decimal
from functools import partial

import numpy as np

from bcf.assessment import Subject, achievement, achievement_ratio, payable_fraction, subjects
from bcf.catalogue import COUNT, Catalogue
from bcf.figures import count, four_figures
from bcf.money import format_pounds, round_money
from bcf.plan import BareValue, Counts, Plan, Score, Standardised
from bcf.results import DETERMINED, PENDING, Determination
from bcf.rules import RuleSet
from bcf.tranches import below, released_amount
from metrics import simulation as draw

DEFAULT_DRAWS = 10_000
MAX_DRAWS = 100_000
#: float64 relative rounding, with room for the few operations between an input and an achievement
_EPS = 4 * 2.0**-52
#: an achievement this close to a threshold may round (to 6 dp) to either side: priced exactly
_REPORTED = 1e-6
_DIRECTED = {ROUND_UP, ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR}


@dataclass(frozen=True, slots=True)
class SimulationSettings:
    """How many outturns to draw, and the seed that makes them reproducible."""

    draws: int
    seed: int


@dataclass(frozen=True, slots=True)
class Odds:
    """What a line, tranche or the whole plan could release, over the draws.

    ``p_at_least_70``: the share of draws in which every simulated line's reported achievement is at
    least the threshold (70%); ``p_at_least_100``: at least 1; ``p_recovery_plan``: a recovery plan is
    required (§6). None where no line is simulated. Money in pounds.
    """

    p_at_least_70: float | None
    p_at_least_100: float | None
    p_recovery_plan: float | None
    expected_release: Decimal
    release_p5: Decimal
    release_p95: Decimal


@dataclass(frozen=True, slots=True)
class LineOdds:
    item: str
    simulated: bool  # False: a condition or an unassessable line, whose release does not vary
    odds: Odds
    explanation: str


@dataclass(frozen=True, slots=True)
class TrancheOdds:
    tranche: str
    odds: Odds
    lines: tuple[LineOdds, ...]


@dataclass(frozen=True, slots=True)
class Scenario:
    """The odds when the true values are the planned values, or the baselines ("what if")."""

    tranches: tuple[TrancheOdds, ...]
    whole_plan: Odds


@dataclass(frozen=True, slots=True)
class Simulation:
    draws: int
    seed: int
    plan: Scenario
    baseline: Scenario
    explanation: str


#: rows of outturns drawn as counts, the counts ``(rows, draws)``, and what makes them values
Discrete = tuple[list[int], np.ndarray, Callable[[np.ndarray], np.ndarray]]


@dataclass(frozen=True, slots=True)
class _Line:
    """A simulated metric line: where it is, its subject, and what its achievement is measured from."""

    tranche: int  # index in the determination's tranches
    item: str
    subject: Subject
    baseline: float  # B, the baseline's value as the determination measured it
    plan: float  # T
    lower: bool  # lower is better
    improvement: bool  # T is better than B (else achievement is 1 or 0, §5)
    amount: Decimal  # the line's available amount
    units: int  # the same in units of the rounding quantum
    recovery_rule: bool  # its tranche needs a recovery plan when a line is below the threshold


def without_actuals(plan: Plan) -> Plan:
    """The plan as it is before outturn (``/ambitions`` ignores actuals; so does a simulation)."""
    return replace(plan, metrics=tuple(
        replace(metric, periods={period_id: replace(period, actual=None)
                                 for period_id, period in metric.periods.items()})
        for metric in plan.metrics))


def simulate(plan: Plan, determination: Determination, rule_set: RuleSet, catalogue: Catalogue,
             settings: SimulationSettings) -> Simulation:
    """The odds of a determined plan: each metric line's outturn drawn ``settings.draws`` times about
    the planned value, and again about the baseline, each draw priced as the determination prices an
    actual. Conditions, unassessable lines, assurance and pots are the determination's own.

    :param plan: the plan ``determination`` was made from (checked); its actuals are not used.
    :param settings: draws (1 to :data:`MAX_DRAWS`) and seed; the planned-value and baseline draws come
        from two independent streams of the seed (``numpy.random.SeedSequence.spawn``).
    :raise ValueError: draws out of range.
    """
    if not 1 <= settings.draws <= MAX_DRAWS:
        raise ValueError(f"draws must be from 1 to {MAX_DRAWS:,}")
    lines = _lines(plan, determination, rule_set, catalogue)
    plan_stream, baseline_stream = (np.random.default_rng(child)
                                    for child in np.random.SeedSequence(settings.seed).spawn(2))
    scenarios, texts = [], []
    for rng, centre_of, name in ((plan_stream, "plan", "the planned value"),
                                 (baseline_stream, "baseline", "the baseline (no improvement)")):
        centres = [getattr(line, centre_of) for line in lines]
        values, described, discrete = _outturns(lines, centres, settings.draws, rng, catalogue)
        scenarios.append(_scenario(determination, lines, values, rule_set, described, discrete))
        texts.append(f"about {name}: " + ("; ".join(described) if described else "no metric line to draw"))
    explanation = (
        f"{settings.draws:,} outturns of each metric line drawn with seed {settings.seed}, "
        + " | ".join(texts)
        + ". Each draw is priced as the determination prices an actual (rules §5, §6, §8); conditions, "
          "unassessable lines and assurance are as determined. p_at_least_70: every simulated line's "
          "reported achievement at least the threshold; expected_release: the mean, rounded as §8 "
          "rounds; release_p5/p95: the 5th and 95th percentiles of the draws' releases."
    )
    return Simulation(settings.draws, settings.seed, scenarios[0], scenarios[1], explanation)


def draw_outturns(plan: Plan, determination: Determination, rule_set: RuleSet, catalogue: Catalogue,
                  settings: SimulationSettings) -> tuple[dict[tuple[str, str], np.ndarray], ...]:
    """The outturn values :func:`simulate` draws, by ``(metric, period)``: about the planned values,
    then about the baselines (to see them, or to price them with :func:`price`)."""
    lines = _lines(plan, determination, rule_set, catalogue)
    found = []
    for child, centre_of in zip(np.random.SeedSequence(settings.seed).spawn(2), ("plan", "baseline"),
                                strict=True):
        centres = [getattr(line, centre_of) for line in lines]
        values, _, discrete = _outturns(lines, centres, settings.draws, np.random.default_rng(child),
                                        catalogue)
        for rows, counts, value_of in discrete:
            values[rows] = value_of(counts)
        found.append({(line.item, line.subject.period_id): values[i] for i, line in enumerate(lines)})
    return tuple(found)


def price(plan: Plan, determination: Determination, rule_set: RuleSet, catalogue: Catalogue,
          outturns: dict[tuple[str, str], Sequence[float]]) -> Scenario:
    """The odds from given outturn values, one sequence of draws per ``(metric, period)`` (all of one
    length): what :func:`simulate` does with the values it draws. One draw at the determination's
    actual values gives the determination's pounds.

    :raise KeyError: a simulated metric line has no outturns.
    """
    lines = _lines(plan, determination, rule_set, catalogue)
    values = np.asarray([outturns[(line.item, line.subject.period_id)] for line in lines], dtype=float)
    if not lines:
        values = np.zeros((0, len(next(iter(outturns.values()), [0.0]))))
    return _scenario(determination, lines, values, rule_set, [f"{_name(line)} as given" for line in lines])


def _lines(plan: Plan, determination: Determination, rule_set: RuleSet, catalogue: Catalogue
           ) -> list[_Line]:
    """The determination's metric lines that have a metric-period to draw, in tranche and line order."""
    subject_of = {(s.metric.metric, s.period_id): s for s in subjects(plan, rule_set, catalogue)}
    result_of = {(m.metric, m.period): m for m in determination.metrics}
    rules = {tranche.id: tranche for tranche in rule_set.tranches}
    quantum = rule_set.rounding.quantum
    found = []
    for index, tranche in enumerate(determination.tranches):
        if tranche.kind != "metrics":
            continue
        recovery_rule = rules[tranche.tranche].held_back_use is None
        for line in tranche.lines:
            key = (line.item, tranche.payment)
            if line.status not in (DETERMINED, PENDING) or key not in subject_of:
                continue
            result = result_of[key]
            lower = result.polarity == "lower"
            baseline, target = result.baseline.value, result.plan
            improvement = target < baseline if lower else target > baseline
            found.append(_Line(index, line.item, subject_of[key], baseline, target, lower, improvement,
                               line.available, _units(line.available, quantum), recovery_rule))
    return found


def _units(amount: Decimal, quantum: Decimal) -> int:
    units = amount / quantum
    if units != units.to_integral_value():  # every line amount is rounded to the quantum (§8)
        raise ValueError(f"{amount} is not a whole number of {quantum}")
    return int(units)


# --- drawing the outturns -------------------------------------------------------------------------------


def _outturns(lines: Sequence[_Line], centres: Sequence[float], draws: int, rng: np.random.Generator,
             catalogue: Catalogue) -> tuple[np.ndarray, list[str], list[Discrete]]:
    """Outturn values ``(lines, draws)`` about ``centres``, one :mod:`metrics.simulation` call per
    distribution for all the lines, and a sentence per line saying how it was drawn.

    Counts (rates, proportions) are returned as counts, with the function that makes them values
    (:data:`Discrete`), and their rows of ``values`` are left unset: a count takes few distinct values,
    so :func:`_scenario` prices each distinct count once rather than each draw.

    Rates: events ~ Poisson(centre × denominator × months ÷ multiplier) on the baseline's denominator;
    proportions: successes ~ Binomial(denominator, centre ÷ multiplier); scores: Normal(centre,
    sd ÷ √n); DSRs: Poisson per band; counts: Poisson(centre); a bare value: the centre itself.
    """
    values = np.empty((len(lines), draws))
    texts = [""] * len(lines)
    discrete: list[Discrete] = []
    groups: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        block, kind = line.subject.period.baseline, line.subject.kind
        if isinstance(block, BareValue) and kind == COUNT:
            groups.setdefault("poisson", []).append(i)
        elif isinstance(block, Counts):
            groups.setdefault("poisson" if kind == "rate" else "binomial", []).append(i)
        elif isinstance(block, Score):
            groups.setdefault("normal", []).append(i)
        elif isinstance(block, Standardised):
            groups.setdefault("dsr", []).append(i)
        else:
            values[i] = centres[i]
            texts[i] = f"{_name(line)}: held at {four_figures(centres[i])} (a bare value: no spread known)"
    types = catalogue.statistic_types
    if "poisson" in groups:
        rows = groups["poisson"]
        person_time, multiplier = [], []
        for i in rows:
            block = lines[i].subject.period.baseline
            if isinstance(block, Counts):
                months = lines[i].subject.months
                person_time.append(block.denominator * months)
                multiplier.append(types["rate"].multiplier)
            else:
                person_time.append(1.0)
                multiplier.append(types[COUNT].multiplier)
        expected = [centres[i] * t / k for i, t, k in zip(rows, person_time, multiplier, strict=True)]
        discrete.append((rows, draw.poisson_counts(expected, draws, rng),
                         partial(draw.rate_values, person_time=person_time, multiplier=multiplier)))
        for i, mean, t, k in zip(rows, expected, person_time, multiplier, strict=True):
            on = f" = {four_figures(centres[i])} × {count(t)} ÷ {k:,}" if k != 1 or t != 1 else ""
            texts[i] = f"{_name(lines[i])}: events ~ Poisson with mean {four_figures(mean)}{on}"
    if "binomial" in groups:
        rows = groups["binomial"]
        k = types["proportion"].multiplier
        denominators = [lines[i].subject.period.baseline.denominator for i in rows]
        trials = [max(1, round(d)) for d in denominators]
        chance = [min(max(centres[i] / k, 0.0), 1.0) for i in rows]
        discrete.append((rows, draw.binomial_counts(trials, chance, draws, rng),
                         partial(draw.proportion_values, denominator=denominators, multiplier=k)))
        for i, n, p in zip(rows, trials, chance, strict=True):
            texts[i] = f"{_name(lines[i])}: successes ~ Binomial({n:,} trials, p = {four_figures(p)})"
    if "normal" in groups:
        rows = groups["normal"]
        errors = [lines[i].subject.period.baseline.sd / math.sqrt(lines[i].subject.period.baseline.n)
                  for i in rows]
        values[rows] = draw.normal_values([centres[i] for i in rows], errors, draws, rng)
        for i, se in zip(rows, errors, strict=True):
            texts[i] = (f"{_name(lines[i])}: mean ~ Normal({four_figures(centres[i])}, "
                        f"standard error {four_figures(se)})")
    if "dsr" in groups:
        rows = groups["dsr"]
        k = types["dsr"].multiplier
        events, population, weights, starts, months = [], [], [], [], []
        for i in rows:
            bands = lines[i].subject.period.baseline.bands
            starts.append(len(events))
            months.append(lines[i].subject.months)
            pop = [b.population for b in bands]
            std = [b.standard_population for b in bands]
            events.extend(draw.band_events_for(centres[i] * months[-1], [b.events for b in bands], pop,
                                               std, k).tolist())
            population.extend(pop)
            weights.extend(std)
        dsrs = draw.dsr_values(events, population, weights, starts, draws, k, rng)
        values[rows] = dsrs / np.asarray(months, dtype=float)[:, None]
        ends = [*starts[1:], len(events)]
        for i, start, end in zip(rows, starts, ends, strict=True):
            texts[i] = (f"{_name(lines[i])}: events ~ Poisson in each of {end - start} age bands "
                        f"({four_figures(sum(events[start:end]))} expected in all)")
    return values, texts, discrete


def _name(line: _Line) -> str:
    return f"{line.item} {line.subject.period_id}"


# --- pricing the draws ------------------------------------------------------------------------------------


def _priced(values: np.ndarray, lines: Sequence[_Line], rule_set: RuleSet, assured: bool
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each draw of each line priced: released (in quantum units), reported achievement ≥ threshold,
    reported achievement ≥ 1; vectorised, with the draws too close to a boundary priced exactly.

    Achievement is linear in the outturn, ``slope × value + intercept``, with per-line constants; its
    float error is bounded per line from the largest outturn and achievement, and a draw within that
    bound of a boundary (the 6 dp rounding edge of 70% and of 100%, a half penny) is priced exactly.
    """
    released = np.zeros(values.shape, dtype=np.int64)
    at_least_70 = np.zeros(values.shape, dtype=bool)
    at_least_100 = np.zeros(values.shape, dtype=bool)
    delicate = ~np.isfinite(values)
    improving = [i for i, line in enumerate(lines) if line.improvement]
    flat = [i for i, line in enumerate(lines) if not line.improvement]
    if flat:  # §5: achievement 1 if the outturn is at least as good as the plan, else 0 (exact)
        v = values[flat]
        t = np.asarray([lines[i].plan for i in flat])[:, None]
        lower = np.asarray([lines[i].lower for i in flat])[:, None]
        good = np.where(lower, v <= t, v >= t)
        threshold = float(rule_set.threshold)
        at_least_70[flat] = np.where(good, threshold <= 1.0, threshold <= 0.0)
        at_least_100[flat] = good
        if assured:
            released[flat] = good * np.asarray([lines[i].units for i in flat], dtype=np.int64)[:, None]
    if improving:
        _improving(values, lines, improving, rule_set, assured, released, at_least_70, at_least_100,
                   delicate)
    if delicate.any():
        _exactly(values, lines, rule_set, assured, delicate, released, at_least_70, at_least_100)
    return released, at_least_70, at_least_100


def _boundary(threshold: Decimal) -> tuple[float, float]:
    """Where a reported (6 dp) achievement crosses ``threshold``, and how close counts as too close."""
    if threshold.as_tuple().exponent >= -6:  # written in at most 6 places: the rounding edge below it
        return float(threshold) - 5e-7, 1e-12
    return float(threshold), _REPORTED


def _improving(values: np.ndarray, lines: Sequence[_Line], rows: list[int], rule_set: RuleSet,
               assured: bool, released: np.ndarray, at_least_70: np.ndarray, at_least_100: np.ndarray,
               delicate: np.ndarray) -> None:
    """:func:`_priced` for the lines whose plan improves on the baseline, in place (few passes over the
    draws: this is most of a simulation's time after numpy's own draws)."""
    every = len(rows) == len(lines)
    where: slice | list[int] = slice(None) if every else rows
    v = values if every else values[rows]
    b = np.asarray([lines[i].baseline for i in rows])
    t = np.asarray([lines[i].plan for i in rows])
    lower = np.asarray([lines[i].lower for i in rows])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        den = np.where(lower, b - t, t - b)
        slope = np.where(lower, -1.0, 1.0) / den
        achieved = v * slope[:, None]
        achieved += (-b * slope)[:, None]
        least, most = achieved.min(axis=1), achieved.max(axis=1)
        # the outturns at those ends (achievement is linear in the outturn), doubled for safety
        biggest = 2 * np.maximum(np.abs(b + least * (t - b)), np.abs(b + most * (t - b)))
        size = np.maximum(np.abs(least), np.abs(most))
        error = (_EPS * (np.abs(b) + biggest + size * (np.abs(b) + np.abs(t))) / np.abs(den)
                 + _EPS * size)[:, None]
    close = np.zeros(achieved.shape, dtype=bool)
    for flags, threshold in ((at_least_70, rule_set.threshold), (at_least_100, Decimal(1))):
        edge, width = _boundary(threshold)
        above = achieved >= edge + width + error
        close |= (achieved >= edge - width - error) ^ above  # within the zone: priced exactly
        flags[where] = above
    if rule_set.payment_mode == "all_or_nothing":
        fraction = (achieved >= 1.0).astype(float)  # on the unrounded achievement, as §5
        close |= np.abs(achieved - 1.0) <= error
    else:
        fraction = np.clip(achieved, 0.0, 1.0, out=achieved)
    if assured:
        units = np.asarray([lines[i].units for i in rows], dtype=float)[:, None]
        slack = units * error + _EPS * units + 1e-9
        mode = rule_set.rounding.mode
        x = np.multiply(fraction, units, out=fraction)
        if mode in _DIRECTED:
            rounded = np.ceil(x) if mode in (ROUND_UP, ROUND_CEILING) else np.floor(x)
            close |= np.abs(x - np.rint(x)) <= slack
            close |= np.abs(fraction - units) <= slack  # paid in full, or nothing, by a hair
        else:  # half up, half even, half down: they differ only on a tie, which is priced exactly
            x += 0.5
            rounded = np.floor(x)
            x -= rounded  # near 0 or 1: the amount was near a half
            x -= 0.5
            close |= np.abs(x, out=x) >= 0.5 - slack
        if mode == ROUND_05UP:  # rare enough not to vectorise
            close[:] = True
        released[where] = rounded
    delicate[where] |= close


def _exactly(values: np.ndarray, lines: Sequence[_Line], rule_set: RuleSet, assured: bool,
             delicate: np.ndarray, released: np.ndarray, at_least_70: np.ndarray,
             at_least_100: np.ndarray) -> None:
    """Price the delicate draws as the determination does, in place, once per line and distinct value
    (a tie of a discrete outturn, on a half penny say, recurs in many draws)."""
    threshold, near, quantum = rule_set.threshold, float(rule_set.threshold), rule_set.rounding.quantum
    for i in np.flatnonzero(delicate.any(axis=1)).tolist():
        line = lines[i]
        polarity = "lower" if line.lower else "higher"
        columns = np.flatnonzero(delicate[i])
        distinct, inverse = np.unique(values[i, columns], return_inverse=True)
        priced = []
        for value in distinct.tolist():
            if line.improvement and math.isfinite(value):  # the determination's sum, without its text
                achieved = float(achievement_ratio(line.baseline, line.plan, value, polarity)[1])
            else:
                achieved = achievement(line.baseline, line.plan, value, polarity)[0]
            reported = round(achieved, 6)
            fraction = payable_fraction(achieved, rule_set.payment_mode)
            units = _units(released_amount(line.amount, fraction, rule_set), quantum) if assured else 0
            priced.append((units, not below(reported, threshold, near), reported >= 1.0))
        units, enough, full = (np.asarray(column)[inverse] for column in zip(*priced, strict=True))
        released[i, columns], at_least_70[i, columns], at_least_100[i, columns] = units, enough, full


def _scenario(determination: Determination, lines: Sequence[_Line], values: np.ndarray, rule_set: RuleSet,
              described: Sequence[str], discrete: Sequence[Discrete] = ()) -> Scenario:
    """The odds of every line, tranche and the whole plan from the draws of the simulated lines."""
    draws = values.shape[1]
    released, at_least_70, at_least_100, tables = _every_draw(
        values, lines, rule_set, determination.plan_assured is not False, discrete)
    quantum, mode = rule_set.rounding.quantum, rule_set.rounding.mode
    tranche_count = len(determination.tranches)
    row_of = {(line.tranche, line.item): i for i, line in enumerate(lines)}
    fixed = np.zeros(tranche_count, dtype=np.int64)
    for index, tranche in enumerate(determination.tranches):
        for line in tranche.lines:
            if (index, line.item) not in row_of and line.released is not None:
                fixed[index] += _units(line.released, quantum)
    of_tranche = np.asarray([line.tranche for line in lines], dtype=np.intp)
    tranche_released = np.repeat(fixed[:, None], draws, axis=1)
    short_70 = np.zeros((tranche_count, draws), dtype=bool)
    short_100 = np.zeros((tranche_count, draws), dtype=bool)
    if lines:  # lines come in tranche order: each tranche's rows are one run
        starts = np.flatnonzero(np.r_[True, of_tranche[1:] != of_tranche[:-1]]).tolist()
        for start, end in zip(starts, [*starts[1:], len(lines)], strict=True):
            which = int(of_tranche[start])
            tranche_released[which] += released[start:end].sum(axis=0)
            short_70[which] = ~at_least_70[start:end].all(axis=0)
            short_100[which] = ~at_least_100[start:end].all(axis=0)
    recovery_rule = np.zeros(tranche_count, dtype=bool)
    recovery_rule[[line.tranche for line in lines if line.recovery_rule]] = True
    recovery = short_70 & recovery_rule[:, None]
    whole = tranche_released.sum(axis=0, keepdims=True)
    # a line drawn as counts: its money from how many draws gave each count, no pass over the draws
    money: list = [None] * len(lines)
    for rows, hist, table in tables:
        for row, each in zip(rows, _tabled_money(hist, table, quantum, mode), strict=True):
            money[row] = each
    others = [row for row in range(len(lines)) if money[row] is None]
    found = _money(np.vstack([released[others], tranche_released, whole]), quantum, mode)
    for row, each in zip(others, found, strict=False):
        money[row] = each
    money += found[len(others):]
    share = lambda flags: float(np.count_nonzero(flags)) / draws  # noqa: E731

    simulated = np.zeros(tranche_count, dtype=bool)
    simulated[of_tranche] = True
    tranches = []
    for index, tranche in enumerate(determination.tranches):
        line_odds = []
        for line in tranche.lines:
            row = row_of.get((index, line.item))
            if row is None:
                amount = line.released if line.released is not None else Decimal(0) * quantum
                why = (f"{line.item}: not simulated ({line.status}); releases {format_pounds(amount)} in "
                       f"every draw")
                fixed_odds = Odds(None, None, None, amount, amount, amount)
                line_odds.append(LineOdds(line.item, False, fixed_odds, why))
                continue
            below_70 = ~at_least_70[row]
            line_odds.append(LineOdds(line.item, True, Odds(
                share(at_least_70[row]), share(at_least_100[row]),
                share(below_70) if lines[row].recovery_rule else 0.0, *money[row]), described[row]))
        odds = Odds(
            share(~short_70[index]) if simulated[index] else None,
            share(~short_100[index]) if simulated[index] else None,
            share(recovery[index]), *money[len(lines) + index])
        tranches.append(TrancheOdds(tranche.tranche, odds, tuple(line_odds)))
    any_line = bool(lines)
    whole_plan = Odds(
        share(~short_70.any(axis=0)) if any_line else None,
        share(~short_100.any(axis=0)) if any_line else None,
        share(recovery.any(axis=0)), *money[-1])
    return Scenario(tuple(tranches), whole_plan)


def _every_draw(values: np.ndarray, lines: Sequence[_Line], rule_set: RuleSet, assured: bool,
                discrete: Sequence[Discrete]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
    """:func:`_priced` for every draw; a line drawn as counts is priced once per count from its least
    to its greatest, and each draw takes its count's price.

    :return: released, at least 70%, at least 100% per line and draw; and per group of lines drawn as
        counts, its rows, how many draws gave each count and the release of each count.
    """
    if not discrete:
        return (*_priced(values, lines, rule_set, assured), [])
    released = np.empty(values.shape, dtype=np.int64)
    at_least_70 = np.empty(values.shape, dtype=bool)
    at_least_100 = np.empty(values.shape, dtype=bool)
    counted = {row for rows, _, _ in discrete for row in rows}
    others = [i for i in range(len(lines)) if i not in counted]
    if others:
        priced = _priced(values[others], [lines[i] for i in others], rule_set, assured)
        for whole, part in zip((released, at_least_70, at_least_100), priced, strict=True):
            whole[others] = part
    tables = []
    for rows, counts, value_of in discrete:
        least = counts.min(axis=1)
        width = int((counts.max(axis=1) - least).max()) + 1
        grid = least[:, None] + np.arange(width)
        priced = _priced(value_of(grid), [lines[i] for i in rows], rule_set, assured)
        index = counts - least[:, None]
        index += (np.arange(len(rows)) * width)[:, None]  # into the tables laid end to end
        for whole, table in zip((released, at_least_70, at_least_100), priced, strict=True):
            whole[rows] = table.ravel().take(index)
        hist = np.bincount(index.ravel(), minlength=len(rows) * width).reshape(len(rows), width)
        tables.append((rows, hist, priced[0]))
    return released, at_least_70, at_least_100, tables


def _tabled_money(hist: np.ndarray, table: np.ndarray, quantum: Decimal, mode: str
                  ) -> list[tuple[Decimal, Decimal, Decimal]]:
    """:func:`_money` for lines drawn as counts, from how many draws gave each count (``hist``) and
    the release of each count (``table``): the same mean and order statistics, without the draws."""
    draws = int(hist[0].sum())
    k5, k95 = -(-5 * draws // 100) - 1, -(-95 * draws // 100) - 1
    order = np.argsort(table, axis=1, kind="stable")
    ordered = np.take_along_axis(table, order, axis=1)
    reached = np.cumsum(np.take_along_axis(hist, order, axis=1), axis=1)
    totals = (hist * table).sum(axis=1).tolist()
    at = np.arange(len(table))
    p5 = ordered[at, (reached <= k5).sum(axis=1)].tolist()
    p95 = ordered[at, (reached <= k95).sum(axis=1)].tolist()
    return [(round_money(Decimal(total) * quantum / draws, quantum, mode), Decimal(low) * quantum,
             Decimal(high) * quantum) for total, low, high in zip(totals, p5, p95, strict=True)]


def _money(rows: np.ndarray, quantum: Decimal, mode: str) -> list[tuple[Decimal, Decimal, Decimal]]:
    """Per row of releases (quantum units, one per draw): the mean rounded as §8 rounds, and the 5th and
    95th percentiles as draws' own releases (inverted CDF: the k-th smallest, k = ⌈p × draws⌉)."""
    draws = rows.shape[1]
    k5, k95 = -(-5 * draws // 100) - 1, -(-95 * draws // 100) - 1
    parted = np.partition(rows, sorted({k5, k95}), axis=1)
    totals = rows.sum(axis=1).tolist()
    found = []
    for total, p5, p95 in zip(totals, parted[:, k5].tolist(), parted[:, k95].tolist(), strict=True):
        mean = round_money(Decimal(total) * quantum / draws, quantum, mode)
        found.append((mean, Decimal(p5) * quantum, Decimal(p95) * quantum))
    return found
