"""Rule sets as data: every parameter of rules-2015-16.md, read once at start-up from reference_data/rules/.

As OpenFisca keeps each policy number in YAML and its loader refuses unknown keys and malformed values
(naming the file), an assurance panel changes a parameter by copying the file under a new ``id`` and
editing it; no code changes. A bad rule set stops start-up, never a request. All problems in a file
are reported at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bcf.errors import ReferenceDataError, UnknownRuleSet
from bcf.reference import read_yaml

# The condition rules the code implements (bcf.conditions); a rule set may only name these.
KNOWN_CONDITIONS = (
    "plans_jointly_agreed",
    "protect_social_care",
    "seven_day_services",
    "data_sharing",
    "joint_assessment",
    "acute_sector_impact",
)
# The list parameters a tranche's ``lines`` may name (their order is the order of the lines, §2).
LINE_LISTS = ("april_conditions", "april_metrics", "october_metrics")
TRANCHE_KINDS = ("conditions", "metrics")
UNASSESSABLE_MODES = ("held_back", "redistribute")
PAYMENT_MODES = ("pro_rata", "all_or_nothing")
P4P_BASES = ("minimum_fund",)
ROUNDING_MODES = (
    "ROUND_HALF_UP",
    "ROUND_HALF_EVEN",
    "ROUND_HALF_DOWN",
    "ROUND_UP",
    "ROUND_DOWN",
    "ROUND_CEILING",
    "ROUND_FLOOR",
    "ROUND_05UP",
)
_ID = re.compile(r"^[a-z0-9][a-z0-9._/-]*$")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

TOP_LEVEL = {
    "id": True,
    "name": True,
    "current": True,
    "reference": False,
    "rounding": True,
    "fund_components": True,
    "p4p_national_total": True,
    "p4p_basis": True,
    "tranches": True,
    "april_conditions": True,
    "april_metrics": True,
    "october_metrics": True,
    "unassessable_metric_share": True,
    "access_conditions": True,
    "payment_mode": True,
    "threshold": True,
    "confidence_level": True,
    "small_numbers_min_denominator": True,
    "periods": True,
}  # key -> required


@dataclass(frozen=True)
class Rounding:
    """§8: the quantum (the penny) and the mode (half up), both from the rule set."""

    quantum: Decimal
    mode: str


@dataclass(frozen=True)
class FundComponent:
    """§1: one component of the fund with its national amount (pounds)."""

    id: str
    name: str
    national_amount: Decimal
    allocated_by: str
    held_by: str


@dataclass(frozen=True)
class Tranche:
    """§2: a tranche: its share of the pool and its lines, in order.

    ``lines_parameter`` is the list parameter the rule-set file names (e.g. ``april_metrics``);
    ``lines`` is that list.
    """

    id: str
    payment: str
    kind: str  # conditions | metrics
    share: Decimal
    lines_parameter: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Period:
    """§4: the measurement period of one metric for one payment; ``months`` averages per-month metrics."""

    months: int
    start: str | None = None  # YYYY-MM
    end: str | None = None
    as_defined_in_plan: bool = False


@dataclass(frozen=True)
class RuleSet:
    """One rule set: every parameter of rules-2015-16.md as named there."""

    id: str
    name: str
    current: bool
    reference: str | None
    rounding: Rounding
    fund_components: tuple[FundComponent, ...]
    p4p_national_total: Decimal
    p4p_basis: str
    tranches: tuple[Tranche, ...]
    april_conditions: tuple[str, ...]
    april_metrics: tuple[str, ...]
    october_metrics: tuple[str, ...]
    unassessable_metric_share: str
    access_conditions: tuple[str, ...]
    payment_mode: str
    threshold: Decimal
    confidence_level: Decimal
    small_numbers_min_denominator: int
    periods: Mapping[str, Mapping[str, Period]]

    def tranche(self, tranche_id: str) -> Tranche:
        for tranche in self.tranches:
            if tranche.id == tranche_id:
                return tranche
        raise KeyError(tranche_id)

    def period(self, payment: str, metric: str) -> Period | None:
        """The measurement period of ``metric`` for the ``payment`` period id, or None if it has none."""
        return self.periods.get(payment, {}).get(metric)

    # What follows depends on the rule set alone, so each is worked out once per RuleSet object (on first
    # use, then kept on the instance by cached_property; not a field: equality and repr are unchanged),
    # rather than once per plan. Nothing here depends on a request.

    @cached_property
    def conditions(self) -> tuple[str, ...]:
        """Every condition the rule set names: access conditions and those that earn a tranche."""
        named = set(self.access_conditions)
        for tranche in self.tranches:
            if tranche.kind == "conditions":
                named.update(tranche.lines)
        return tuple(c for c in KNOWN_CONDITIONS if c in named)

    @cached_property
    def condition_tranches(self) -> Mapping[str, str]:
        """The id of the conditions tranche each condition earns (access conditions earn none)."""
        return MappingProxyType(
            {c: t.id for t in self.tranches if t.kind == "conditions" for c in t.lines}
        )

    @cached_property
    def metric_tranches(self) -> Mapping[tuple[str, str], str]:
        """The id of the metrics tranche paying for each (payment period, metric)."""
        return MappingProxyType(
            {(t.payment, m): t.id for t in self.tranches if t.kind == "metrics" for m in t.lines}
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for ``GET /api/v1/rule-sets/{id}``: plain JSON types, amounts as numbers."""
        return {
            "id": self.id,
            "name": self.name,
            "current": self.current,
            "reference": self.reference,
            "rounding": {"quantum": str(self.rounding.quantum), "mode": self.rounding.mode},
            "fund_components": [
                {
                    "id": c.id,
                    "name": c.name,
                    "national_amount": float(c.national_amount),
                    "allocated_by": c.allocated_by,
                    "held_by": c.held_by,
                }
                for c in self.fund_components
            ],
            "p4p_national_total": float(self.p4p_national_total),
            "p4p_basis": self.p4p_basis,
            "tranches": [
                {
                    "id": t.id,
                    "payment": t.payment,
                    "kind": t.kind,
                    "share": float(t.share),
                    "lines_parameter": t.lines_parameter,
                    "lines": list(t.lines),
                }
                for t in self.tranches
            ],
            "april_conditions": list(self.april_conditions),
            "april_metrics": list(self.april_metrics),
            "october_metrics": list(self.october_metrics),
            "unassessable_metric_share": self.unassessable_metric_share,
            "access_conditions": list(self.access_conditions),
            "payment_mode": self.payment_mode,
            "threshold": float(self.threshold),
            "confidence_level": float(self.confidence_level),
            "small_numbers_min_denominator": self.small_numbers_min_denominator,
            "periods": {
                payment: {
                    metric: {
                        "months": p.months,
                        "start": p.start,
                        "end": p.end,
                        "as_defined_in_plan": p.as_defined_in_plan,
                    }
                    for metric, p in metrics.items()
                }
                for payment, metrics in self.periods.items()
            },
        }


# --- loading -----------------------------------------------------------------------------------------


class _Problems:
    """Collects every problem in one file so that a bad rule set is reported whole, naming the file."""

    def __init__(self, source: str):
        self.source = source
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if self.items:
            raise ReferenceDataError(
                f"{self.source}: invalid rule set: " + "; ".join(self.items),
                problems=[
                    {"location": f"{self.source} {item.split(': ', 1)[0]}", "message": item.split(": ", 1)[1]}
                    for item in self.items
                ],
            )


def _keys(problems: _Problems, mapping: Any, where: str, allowed: Mapping[str, bool]) -> bool:
    if not isinstance(mapping, Mapping):
        problems.add(where, "must be a mapping")
        return False
    for key in mapping:
        if key not in allowed:
            problems.add(f"{where}.{key}" if where else str(key), "unknown key")
    for key, required in allowed.items():
        if required and key not in mapping:
            problems.add(f"{where}.{key}" if where else key, "missing")
    return True


def _decimal(
    problems: _Problems, value: Any, where: str, low: Decimal | None = None, high: Decimal | None = None
) -> Decimal:
    """A decimal written as a string (or an int): floats are refused, they are not exact."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        problems.add(where, f"must be a decimal written as a quoted string, not {value!r}")
        return Decimal(0)
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        problems.add(where, f"not a decimal number: {value!r}")
        return Decimal(0)
    if not result.is_finite():
        problems.add(where, f"not a finite number: {value!r}")
        return Decimal(0)
    if low is not None and result < low or high is not None and result > high:
        problems.add(where, f"must be between {low} and {high}, not {value}")
    return result


def _text(problems: _Problems, value: Any, where: str, choices: tuple[str, ...] | None = None) -> str:
    if not isinstance(value, str) or not value.strip():
        problems.add(where, f"must be a non-empty string, not {value!r}")
        return ""
    if choices is not None and value not in choices:
        problems.add(where, f"must be one of {', '.join(choices)}, not {value!r}")
    return value


def _names(
    problems: _Problems, value: Any, where: str, known: tuple[str, ...] | None = None
) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        problems.add(where, "must be a list of names")
        return ()
    if len(set(value)) != len(value):
        problems.add(where, "names a line twice")
    if known is not None:
        for name in value:
            if name not in known:
                problems.add(where, f"unknown condition {name!r} (known: {', '.join(known)})")
    return tuple(value)


def _months_between(start: str, end: str) -> int:
    (y1, m1), (y2, m2) = (map(int, _MONTH.match(s).groups()) for s in (start, end))
    return (y2 - y1) * 12 + (m2 - m1) + 1


def _period(problems: _Problems, value: Any, where: str) -> Period:
    if not _keys(
        problems, value, where, {"start": False, "end": False, "months": True, "as_defined_in_plan": False}
    ):
        return Period(months=1)
    months = value.get("months")
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        problems.add(f"{where}.months", f"must be a whole number of months, at least 1, not {months!r}")
        months = 1
    defined = value.get("as_defined_in_plan", False)
    if not isinstance(defined, bool):
        problems.add(f"{where}.as_defined_in_plan", "must be true or false")
        defined = False
    start, end = value.get("start"), value.get("end")
    if defined:
        if start is not None or end is not None:
            problems.add(where, "a period defined in the plan has no start or end")
        return Period(months=months, as_defined_in_plan=True)
    for key, month in (("start", start), ("end", end)):
        if not isinstance(month, str) or not _MONTH.match(month):
            problems.add(f"{where}.{key}", f"must be a month written YYYY-MM, not {month!r}")
            return Period(months=months)
    span = _months_between(start, end)
    if span < 1:
        problems.add(where, f"end {end} is before start {start}")
    elif span != months:
        problems.add(f"{where}.months", f"is {months} but {start} to {end} is {span} months")
    return Period(months=months, start=start, end=end)


def parse_rule_set(data: Any, source: str) -> RuleSet:
    """Build a :class:`RuleSet` from parsed YAML, checking every key and value.

    :param source: the file name, used in every message.
    :raise ReferenceDataError: all the problems in the file, each naming its key.
    """
    problems = _Problems(source)
    if not _keys(problems, data, "", TOP_LEVEL):
        problems.raise_if_any()
    get = data.get
    rule_id = _text(problems, get("id"), "id")
    if rule_id and not _ID.match(rule_id):
        problems.add("id", f"must be lower-case letters, digits and - . / _, not {rule_id!r}")
    current = get("current")
    if not isinstance(current, bool):
        problems.add("current", "must be true or false")
    reference = get("reference")
    if reference is not None and not isinstance(reference, str):
        problems.add("reference", "must be text")

    rounding = Rounding(Decimal("0.01"), "ROUND_HALF_UP")
    if _keys(problems, get("rounding"), "rounding", {"quantum": True, "mode": True}):
        r = get("rounding")
        rounding = Rounding(
            _decimal(problems, r.get("quantum"), "rounding.quantum", Decimal(0)),
            _text(problems, r.get("mode"), "rounding.mode", ROUNDING_MODES),
        )

    components = []
    if not isinstance(get("fund_components"), list):
        problems.add("fund_components", "must be a list")
    else:
        for i, c in enumerate(get("fund_components")):
            where = f"fund_components[{i}]"
            if _keys(
                problems,
                c,
                where,
                {"id": True, "name": True, "national_amount": True, "allocated_by": True, "held_by": True},
            ):
                components.append(
                    FundComponent(
                        _text(problems, c.get("id"), f"{where}.id"),
                        _text(problems, c.get("name"), f"{where}.name"),
                        _decimal(problems, c.get("national_amount"), f"{where}.national_amount", Decimal(0)),
                        _text(problems, c.get("allocated_by"), f"{where}.allocated_by"),
                        _text(problems, c.get("held_by"), f"{where}.held_by"),
                    )
                )

    lists = {name: _names(problems, get(name), name) for name in ("april_metrics", "october_metrics")}
    lists["april_conditions"] = _names(
        problems, get("april_conditions"), "april_conditions", KNOWN_CONDITIONS
    )
    access = _names(problems, get("access_conditions"), "access_conditions", KNOWN_CONDITIONS)
    overlap = set(access) & set(lists["april_conditions"])
    if overlap:
        problems.add("access_conditions", f"{', '.join(sorted(overlap))} also earn a tranche")

    periods: dict[str, dict[str, Period]] = {}
    if not isinstance(get("periods"), Mapping) or not get("periods"):
        problems.add("periods", "must be a mapping of payment periods")
    else:
        for payment, metrics in get("periods").items():
            if not isinstance(metrics, Mapping) or not metrics:
                problems.add(f"periods.{payment}", "must be a mapping of metric periods")
                continue
            periods[str(payment)] = {
                str(m): _period(problems, p, f"periods.{payment}.{m}") for m, p in metrics.items()
            }

    tranches = []
    if not isinstance(get("tranches"), list) or not get("tranches"):
        problems.add("tranches", "must be a non-empty list")
    else:
        for i, t in enumerate(get("tranches")):
            where = f"tranches[{i}]"
            if not _keys(
                problems, t, where, {"id": True, "payment": True, "kind": True, "share": True, "lines": True}
            ):
                continue
            kind = _text(problems, t.get("kind"), f"{where}.kind", TRANCHE_KINDS)
            parameter = _text(problems, t.get("lines"), f"{where}.lines", LINE_LISTS)
            payment = _text(problems, t.get("payment"), f"{where}.payment")
            lines = lists.get(parameter, ())
            if kind == "conditions" and parameter and not parameter.endswith("_conditions"):
                problems.add(
                    f"{where}.lines", f"a conditions tranche needs a list of conditions, not {parameter}"
                )
            if kind == "metrics" and parameter.endswith("_conditions"):
                problems.add(f"{where}.lines", f"a metrics tranche needs a list of metrics, not {parameter}")
            if kind == "metrics" and payment and parameter in lists:
                if payment not in periods:
                    problems.add(f"{where}.payment", f"no periods are given for {payment!r}")
                else:
                    for metric in lines:
                        if metric not in periods[payment]:
                            problems.add(f"periods.{payment}", f"no measurement period for line {metric!r}")
            tranches.append(
                Tranche(
                    _text(problems, t.get("id"), f"{where}.id"),
                    payment,
                    kind,
                    _decimal(problems, t.get("share"), f"{where}.share", Decimal(0), Decimal(1)),
                    parameter,
                    lines,
                )
            )
        ids = [t.id for t in tranches]
        if len(set(ids)) != len(ids):
            problems.add("tranches", "a tranche id appears twice")
        if tranches and sum(t.share for t in tranches) != 1:
            problems.add("tranches", f"shares add up to {sum(t.share for t in tranches)}, not 1")

    small = get("small_numbers_min_denominator")
    if isinstance(small, bool) or not isinstance(small, int) or small < 0:
        problems.add("small_numbers_min_denominator", f"must be a whole number, at least 0, not {small!r}")
        small = 0
    threshold = _decimal(problems, get("threshold"), "threshold", Decimal(0), Decimal(1))
    confidence = _decimal(problems, get("confidence_level"), "confidence_level", Decimal(0), Decimal(1))
    if confidence in (0, 1):
        problems.add("confidence_level", "must be strictly between 0 and 1")
    rule_set = RuleSet(
        id=rule_id,
        name=_text(problems, get("name"), "name"),
        current=current is True,
        reference=reference,
        rounding=rounding,
        fund_components=tuple(components),
        p4p_national_total=_decimal(problems, get("p4p_national_total"), "p4p_national_total", Decimal(0)),
        p4p_basis=_text(problems, get("p4p_basis"), "p4p_basis", P4P_BASES),
        tranches=tuple(tranches),
        april_conditions=lists["april_conditions"],
        april_metrics=lists["april_metrics"],
        october_metrics=lists["october_metrics"],
        unassessable_metric_share=_text(
            problems, get("unassessable_metric_share"), "unassessable_metric_share", UNASSESSABLE_MODES
        ),
        access_conditions=access,
        payment_mode=_text(problems, get("payment_mode"), "payment_mode", PAYMENT_MODES),
        threshold=threshold,
        confidence_level=confidence,
        small_numbers_min_denominator=small,
        periods=periods,
    )
    problems.raise_if_any()
    return rule_set


def load_rule_set(path: Path) -> RuleSet:
    """Read and check one rule-set file.

    :raise ReferenceDataError: unreadable YAML, unknown keys or malformed values, naming the file.
    """
    path = Path(path)
    data = read_yaml(path, "rule set")
    return parse_rule_set(data, str(path))


def load_rule_sets(directory: Path) -> dict[str, RuleSet]:
    """Read every ``*.yaml`` rule set in ``directory``, keyed by id; exactly one must be ``current``.

    :raise ReferenceDataError: a bad file, a duplicate id, or not exactly one current rule set.
    """
    directory = Path(directory)
    files = sorted(list(directory.glob("*.yaml")) + list(directory.glob("*.yml")))
    if not files:
        raise ReferenceDataError(f"{directory}: no rule-set files (*.yaml)")
    rule_sets: dict[str, RuleSet] = {}
    for path in files:
        rule_set = load_rule_set(path)
        if rule_set.id in rule_sets:
            raise ReferenceDataError(f"{path}: rule set id {rule_set.id!r} is used by another file")
        rule_sets[rule_set.id] = rule_set
    current = [r.id for r in rule_sets.values() if r.current]
    if len(current) != 1:
        raise ReferenceDataError(
            f"{directory}: exactly one rule set must be current: true, "
            f"found {len(current)} ({', '.join(current)})"
        )
    return rule_sets


def current_rule_set(rule_sets: Mapping[str, RuleSet]) -> RuleSet:
    """The rule set a request gets when it names none."""
    return next(r for r in rule_sets.values() if r.current)


def get_rule_set(rule_sets: Mapping[str, RuleSet], rule_set_id: str | None) -> RuleSet:
    """The rule set a request names (the current one when it names none).

    :raise UnknownRuleSet: the id is not known; the message lists the known ids.
    """
    if rule_set_id is None:
        return current_rule_set(rule_sets)
    try:
        return rule_sets[rule_set_id]
    except KeyError:
        known = ", ".join(sorted(rule_sets))
        raise UnknownRuleSet(
            f"unknown rule set {rule_set_id!r}; known rule sets: {known}",
            problems=[{"location": "rule_set", "message": f"unknown rule set; known: {known}"}],
        ) from None
