"""Tranches, lines and money (rules-2015-16.md §2, §3, §6, §8).

Pounds are Decimal, rounded half up to the penny (the rule set's ``rounding``) at exactly the points §8
names: the tranche available, each line available (the last line takes the remainder), each line
released. Held back is available minus released; tranche and total figures are sums of lines, so
everything adds up to the penny. No money is ever lost: what is held back is labelled with its use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from bcf.figures import percent
from bcf.money import ZERO, exact_decimal, format_pounds, round_money, split
from bcf.results import (
    CONTINGENCY_PLAN,
    DETERMINED,
    NHS_OUT_OF_HOSPITAL_SERVICES,
    NONE,
    NOT_ASSESSED,
    PENDING,
    PENDING_ASSURANCE,
    PENDING_CONDITIONS,
    RECOVERY_PLAN,
    UNASSESSABLE,
    LineResult,
    TrancheResult,
)
from bcf.rules import RuleSet, Tranche


@dataclass(frozen=True, slots=True)
class LineInput:
    """What the conditions or the metric assessment say about one line, before money.

    ``achievement`` is the reported (6 dp) achievement, judged against the threshold; ``why`` is the
    sentence that says how ``payable_fraction`` came about.
    """

    item: str
    status: str  # determined | pending | not_assessed | unassessable
    payable_fraction: float | None
    achievement: float | None
    why: str


def tranche_available(pool: Decimal, tranche: Tranche, rule_set: RuleSet) -> Decimal:
    """§8: tranche available = round(pool × tranche share)."""
    return round_money(pool * tranche.share, rule_set.rounding.quantum, rule_set.rounding.mode)


def line_availables(
    available: Decimal, statuses: Sequence[str], rule_set: RuleSet
) -> tuple[list[Decimal], list[int]]:
    """§8 with §2: each line's share of the tranche; the last sharing line takes the remainder.

    Under ``unassessable_metric_share: redistribute`` the unassessable lines get nothing and the others
    share the tranche equally; if no line can be assessed there is nothing to redistribute over and every
    line keeps its share (held back).

    :return: the amounts, line by line, and the indices of the lines that share the tranche.
    """
    sharing = list(range(len(statuses)))
    assessable = [i for i, status in enumerate(statuses) if status != UNASSESSABLE]
    if rule_set.unassessable_metric_share == "redistribute" and assessable:
        sharing = assessable
    amounts = [ZERO] * len(statuses)
    if sharing:
        parts = split(available, len(sharing), rule_set.rounding.quantum, rule_set.rounding.mode)
        for i, amount in zip(sharing, parts, strict=True):
            amounts[i] = amount
    return amounts, sharing


def _share_text(amount: str, tranche_total: str, i: int, sharing: Sequence[int]) -> str:
    """The line's share, from the line's and the tranche's amounts as ``format_pounds`` writes them."""
    n = len(sharing)
    if n > 1 and i == sharing[-1]:
        return f"line share {amount} (the remainder of {tranche_total} over {n} lines)"
    return f"line share {amount} ({tranche_total} ÷ {n})"


def below(achievement: float, threshold: Decimal, near: float) -> bool:
    """§6: ``exact_decimal(achievement) < threshold``, the achievement as the user reads it.

    ``near`` is ``float(threshold)`` (the loader keeps thresholds within 0 to 1). A float's shortest
    repr is within 2⁻⁵³ of it (relative), and so is a Decimal of its nearest float, so an achievement
    more than a millionth (relative) below or above ``near`` is on that side of the threshold as written:
    decided without writing it out (the float repr is the costly part, ~10 k instructions). Closer than
    that, or not a number, it is written out and compared exactly as before.
    """
    margin = abs(near) * 1e-6
    if achievement < near - margin:
        return True
    if achievement > near + margin:
        return False
    return exact_decimal(achievement) < threshold


def released_amount(amount: Decimal, fraction: float, rule_set: RuleSet) -> Decimal:
    """§8: line released = round(line available × payable fraction), the fraction as the user reads it
    (its shortest repr). Also what :mod:`bcf.simulation` prices a draw with when a float is too close
    to call."""
    # paid in full (a condition met, an achievement capped at 1): amount × 1.0 is the amount
    paid = amount if fraction == 1.0 else amount * exact_decimal(fraction)
    return round_money(paid, rule_set.rounding.quantum, rule_set.rounding.mode)


def price_tranche(
    tranche: Tranche,
    pool: Decimal,
    lines: Sequence[LineInput],
    plan_assured: bool | None,
    rule_set: RuleSet,
    access_failures: Sequence[str] = (),
    pot: tuple[Decimal, str] | None = None,
) -> TrancheResult:
    """Money for one tranche: lines, released and held back, status, held-back use and recovery plan.

    :param plan_assured: False → nothing released anywhere, everything held back pending assurance (§3);
        None → conditions not sent, access not checked, metrics tranches priced as assured.
    :param access_failures: the access conditions not met or not assessed ("data_sharing not met"), named
        in explanations. A metrics tranche needs a recovery plan when an assessed metric's reported (6 dp)
        achievement is below ``threshold`` (§6), the figure the user sees.
    :param pot: a tranche priced from a pot (``tranche.pot``, the revised scheme): its available amount
        (rounded) and the sentence that says how it was sized, in place of pool × share.
    """
    available = tranche_available(pool, tranche, rule_set) if pot is None else pot[0]
    statuses = [line.status for line in lines]
    amounts, sharing = line_availables(available, statuses, rule_set)
    not_assured = plan_assured is False
    results = []
    available_text = format_pounds(available)  # each amount written once: a sentence may name it twice
    for i, (line, amount) in enumerate(zip(lines, amounts, strict=True)):
        amount_text = format_pounds(amount)
        share = _share_text(amount_text, available_text, i, sharing)
        released: Decimal | None
        if i not in sharing:
            released, held = ZERO, ZERO
            text = (
                f"{line.item}: {line.why}; its share is redistributed equally over the assessable metrics "
                f"(unassessable_metric_share: redistribute)"
            )
        elif not_assured:
            released, held = ZERO, amount
            text = (
                f"{line.item}: {line.why}; {share}; the plan is not assured "
                f"({', '.join(access_failures)}), so nothing is released and {amount_text} is "
                f"held back pending assurance"
            )
        elif line.status == PENDING:
            released = held = None
            text = f"{line.item}: {line.why}; {share} at stake, pending the actual"
        elif line.status in (UNASSESSABLE, NOT_ASSESSED):
            released, held = ZERO, amount
            text = f"{line.item}: {line.why}; {share} held back"
        else:
            fraction = line.payable_fraction
            released = released_amount(amount, fraction, rule_set)
            held = amount - released
            text = (
                f"{line.item}: {line.why}; {share}: {percent(fraction)} of {amount_text} released "
                f"({format_pounds(released)})"
            )
            if held:
                text += f", {format_pounds(held)} held back"
        results.append(
            LineResult(line.item, line.status, amount, released, held, line.payable_fraction, text)
        )

    pending = any(line.status == PENDING for line in lines)
    if tranche.kind == "conditions":
        recovery: bool | None = False
    elif pending:
        recovery = None
    elif tranche.held_back_use is not None:  # its unearned money has a use of its own: no recovery plan
        recovery = False
    else:
        threshold = rule_set.threshold
        near = float(threshold)
        recovery = any(
            below(line.achievement, threshold, near)
            for line in lines
            if line.status == DETERMINED and line.achievement is not None
        )

    if not_assured:
        status = DETERMINED
    elif pending:
        status = PENDING
    elif all(line.status == NOT_ASSESSED for line in lines):
        status = NOT_ASSESSED
    else:
        status = DETERMINED
    if status == PENDING:
        released_total = held_total = None
        use = None
    else:
        released_total = sum((result.released for result in results), ZERO)
        held_total = sum((result.held_back for result in results), ZERO)
        if not_assured:
            use = PENDING_ASSURANCE
        elif not held_total:
            use = NONE
        elif tranche.kind == "conditions":
            use = PENDING_CONDITIONS
        elif tranche.held_back_use is not None:
            use = tranche.held_back_use
        else:
            use = RECOVERY_PLAN if recovery else CONTINGENCY_PLAN
    explanation = _tranche_text(
        tranche, pool, available_text, released_total, held_total, use, recovery, status, rule_set,
        None if pot is None else pot[1],
    )
    return TrancheResult(
        tranche.id,
        tranche.payment,
        tranche.kind,
        tranche.share,
        status,
        available,
        released_total,
        held_total,
        use,
        recovery,
        tuple(results),
        explanation,
    )


USES = {
    NONE: "nothing is held back",
    PENDING_ASSURANCE: "held back pending assurance of the plan (an access condition is not met)",
    PENDING_CONDITIONS: "held back until the conditions are shown to be met",
    CONTINGENCY_PLAN: "held back to fund the agreed contingency plan (no metric below the threshold)",
    RECOVERY_PLAN: "held back to fund a recovery plan (a metric is below the threshold)",
    NHS_OUT_OF_HOSPITAL_SERVICES: (
        "not earned, so spent on NHS-commissioned out-of-hospital services, as agreed by the HWB"
    ),
}


def _tranche_text(
    tranche: Tranche,
    pool: Decimal,
    available: str,
    released: Decimal | None,
    held: Decimal | None,
    use: str | None,
    recovery: bool | None,
    status: str,
    rule_set: RuleSet,
    pot_text: str | None = None,
) -> str:
    if pot_text is not None:
        text = f"{tranche.id}: pot: {pot_text}"
    else:
        text = (f"{tranche.id}: {percent(float(tranche.share))} of the pool {format_pounds(pool)} "
                f"= {available}")
    if status == PENDING:
        return text + "; pending: a line has no actual yet, so released and held back are not known"
    text += f"; released {format_pounds(released)}, held back {format_pounds(held)}: {USES[use]}"
    if tranche.kind == "metrics" and recovery is not None and tranche.held_back_use is None:
        text += (
            f"; recovery plan {'required' if recovery else 'not required'} "
            f"(threshold {percent(float(rule_set.threshold))} of the ambition)"
        )
    return text
