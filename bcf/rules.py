"""Rule sets as data: every parameter of rules-2015-16.md, read once at start-up from reference_data/rules/.

As OpenFisca keeps each policy number in YAML and its loader refuses unknown keys and malformed values
(naming the file), an assurance panel changes a parameter by copying the file under a new ``id`` and
editing it; no code changes. Each parameter is written as OpenFisca writes one, ``{description,
reference, value}``, and each tranche lists its lines inline. A bad rule set stops start-up, never a
request. All problems in a file are reported at once, each naming its key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
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
# The spec's names for the tranches' lists of lines (§2): a tranche's ``lines.name`` is one of these.
LINE_LISTS = (
    "april_conditions",
    "april_metrics",
    "october_metrics",
    # the July 2014 revised scheme (bcf-2015-16-revised): one quarterly payment each
    "q4_2014_15_metrics",
    "q1_2015_16_metrics",
    "q2_2015_16_metrics",
    "q3_2015_16_metrics",
)
TRANCHE_KINDS = ("conditions", "metrics")
UNASSESSABLE_MODES = ("held_back", "redistribute")
PAYMENT_MODES = ("pro_rata", "all_or_nothing")
P4P_BASES = ("minimum_fund",)
# How a tranche priced from a pot (the revised scheme) sizes it: the planned reduction of its one metric
# (baseline − plan, a count) × the rule set's average_nea_cost.
POT_BASES = ("planned_reduction_x_average_nea_cost",)
# What a tranche may name as the use of its unearned money (the revised scheme); others keep §6.
TRANCHE_HELD_BACK_USES = ("nhs_out_of_hospital_services",)
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
_MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")


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

    ``lines_parameter`` is the spec's name for that list of lines (e.g. ``april_metrics``), the
    ``lines.name`` of the tranche in the rule-set file.
    """

    id: str
    payment: str
    kind: str  # conditions | metrics
    share: Decimal | None  # None: priced from a pot (``pot``) instead of a share of the pool
    lines_parameter: str
    lines: tuple[str, ...]
    pot: str | None = None  # one of POT_BASES: available = planned reduction × average_nea_cost
    held_back_use: str | None = None  # unearned money's use, instead of §6 (no recovery plan)


@dataclass(frozen=True)
class Period:
    """§4: the measurement period of one metric for one payment; ``months`` averages per-month metrics."""

    months: int
    start: str | None = None  # YYYY-MM
    end: str | None = None
    as_defined_in_plan: bool = False
    baseline_start: str | None = None  # YYYY-MM: the baseline's own period, when the rule set names it
    baseline_end: str | None = None


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
    # The revised scheme's parameters (absent from bcf-2015-16, whose answers they leave as they were)
    average_nea_cost: Decimal | None = None  # pounds per non-elective admission (pots)
    average_nea_cost_reference: str | None = None
    average_nea_cost_unverified: bool = False  # the figure could not be checked: every answer says so
    minimum_reduction: Decimal | None = None  # the national minimum planned reduction (fraction)
    monitored_metrics: tuple[str, ...] = ()  # assessed and reported, no tranche pays them

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

    @cached_property
    def pot_metrics(self) -> tuple[str, ...]:
        """The metrics whose planned reduction sizes a pot (the revised scheme), in tranche order."""
        return tuple(dict.fromkeys(t.lines[0] for t in self.tranches if t.pot is not None))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for ``GET /api/v1/rule-sets/{id}``: plain JSON types, amounts as numbers.

        The revised scheme's parameters appear only in a rule set that has them."""
        out = self._base_dict()
        if self.average_nea_cost is not None:
            out["average_nea_cost"] = float(self.average_nea_cost)
            out["average_nea_cost_reference"] = self.average_nea_cost_reference
            out["average_nea_cost_unverified"] = self.average_nea_cost_unverified
        if self.minimum_reduction is not None:
            out["minimum_reduction"] = float(self.minimum_reduction)
        if self.monitored_metrics:
            out["monitored_metrics"] = list(self.monitored_metrics)
        for tranche, written in zip(self.tranches, out["tranches"], strict=True):
            if tranche.pot is not None:
                written["pot"] = tranche.pot
            if tranche.held_back_use is not None:
                written["held_back_use"] = tranche.held_back_use
        for payment, metrics in self.periods.items():
            for metric, p in metrics.items():
                if p.baseline_start is not None:
                    out["periods"][payment][metric].update(
                        baseline_start=p.baseline_start, baseline_end=p.baseline_end)
        return out

    def _base_dict(self) -> dict[str, Any]:
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
                    "share": None if t.share is None else float(t.share),
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

# A parameter is written as OpenFisca writes one: what it is, where it comes from, and its value.
PARAMETER_KEYS = ("description", "reference", "value")


class _Problems:
    """Collects every problem in one file so that a bad rule set is reported whole, naming the file."""

    def __init__(self, source: str):
        self.source = source
        self.items: list[tuple[str, str]] = []  # (key path, message)

    def add(self, where: str, message: str) -> None:
        self.items.append((where, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise ReferenceDataError(
                f"{self.source}: invalid rule set: "
                + "; ".join(f"{where}: {message}" if where else message for where, message in self.items),
                problems=[
                    {"location": f"{self.source} {where}".rstrip(), "message": message}
                    for where, message in self.items
                ],
            )


def _keys(
    problems: _Problems, mapping: Any, where: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> bool:
    """A mapping with exactly these keys: unknown and missing keys are named. False if not a mapping."""
    if not isinstance(mapping, Mapping):
        problems.add(where, "must be a mapping")
        return False
    for key in mapping:
        if key not in required and key not in optional:
            problems.add(f"{where}.{key}" if where else str(key), "unknown key")
    for key in required:
        if key not in mapping:
            problems.add(f"{where}.{key}" if where else key, "missing")
    return True


def _parameter(
    problems: _Problems, node: Any, where: str, check: Callable[[_Problems, Any, str], Any],
    also: tuple[str, ...] = (),
) -> Any:
    """A parameter ``{description, reference, value}`` (and the keys ``also``): its value as ``check``
    reads it, or None when anything is wrong (the problem recorded)."""
    if not _keys(problems, node, where, PARAMETER_KEYS + also):
        return None
    for key in ("description", "reference"):
        if key in node:
            _text(problems, node[key], f"{where}.{key}")
    return check(problems, node["value"], f"{where}.value") if "value" in node else None


def _decimal(
    problems: _Problems, value: Any, where: str, low: Decimal | None = None, high: Decimal | None = None
) -> Decimal | None:
    """A decimal written as a string (or an int): floats are refused, they are not exact."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        problems.add(where, f"must be a decimal written as a quoted string, not {value!r}")
        return None
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        problems.add(where, f"not a decimal number: {value!r}")
        return None
    if not result.is_finite():
        problems.add(where, f"not a finite number: {value!r}")
        return None
    if low is not None and result < low or high is not None and result > high:
        problems.add(where, f"must be between {low} and {high}, not {value}")
        return None
    return result


def _whole(problems: _Problems, value: Any, where: str) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        problems.add(where, f"must be a whole number, at least 0, not {value!r}")
        return None
    return value


def _text(problems: _Problems, value: Any, where: str, choices: tuple[str, ...] | None = None) -> str | None:
    if not isinstance(value, str) or not value.strip():
        problems.add(where, f"must be a non-empty string, not {value!r}")
        return None
    if choices is not None and value not in choices:
        problems.add(where, f"must be one of {', '.join(choices)}, not {value!r}")
        return None
    return value


def _one_of(*choices: str) -> Callable[[_Problems, Any, str], str | None]:
    return lambda problems, value, where: _text(problems, value, where, choices)


def _names(
    problems: _Problems, value: Any, where: str, known: tuple[str, ...] | None = None
) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        problems.add(where, "must be a non-empty list of names")
        return None
    if len(set(value)) != len(value):
        problems.add(where, "names a line twice")
    for name in value:
        if known is not None and name not in known:
            problems.add(where, f"unknown condition {name!r} (known: {', '.join(known)})")
    return tuple(value)


def _conditions(problems: _Problems, value: Any, where: str) -> tuple[str, ...] | None:
    return _names(problems, value, where, KNOWN_CONDITIONS)


def _confidence(problems: _Problems, value: Any, where: str) -> Decimal | None:
    level = _decimal(problems, value, where, Decimal(0), Decimal(1))
    if level in (0, 1):
        problems.add(where, "must be strictly between 0 and 1")
        return None
    return level


def _rounding(problems: _Problems, value: Any, where: str) -> Rounding | None:
    if not _keys(problems, value, where, ("quantum", "mode")):
        return None
    quantum = _decimal(problems, value.get("quantum"), f"{where}.quantum", Decimal(0))
    mode = _text(problems, value.get("mode"), f"{where}.mode", ROUNDING_MODES)
    return None if quantum is None or mode is None else Rounding(quantum, mode)


def _fund_components(problems: _Problems, value: Any, where: str) -> tuple[FundComponent, ...] | None:
    if not isinstance(value, list):
        problems.add(where, "must be a list")
        return None
    components = []
    for i, c in enumerate(value):
        at = f"{where}[{i}]"
        if _keys(problems, c, at, ("id", "name", "national_amount", "allocated_by", "held_by")):
            components.append(
                FundComponent(
                    _text(problems, c.get("id"), f"{at}.id"),
                    _text(problems, c.get("name"), f"{at}.name"),
                    _decimal(problems, c.get("national_amount"), f"{at}.national_amount", Decimal(0)),
                    _text(problems, c.get("allocated_by"), f"{at}.allocated_by"),
                    _text(problems, c.get("held_by"), f"{at}.held_by"),
                )
            )
    return tuple(components)


def _months_between(start: str, end: str) -> int:
    (y1, m1), (y2, m2) = (map(int, _MONTH.match(s).groups()) for s in (start, end))
    return (y2 - y1) * 12 + (m2 - m1) + 1


def _period(problems: _Problems, value: Any, where: str) -> Period | None:
    if not _keys(problems, value, where, ("months",),
                 ("start", "end", "as_defined_in_plan", "baseline_start", "baseline_end")):
        return None
    months = value.get("months")
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        problems.add(f"{where}.months",
            f"must be a whole number of months, at least 1, not {months!r}")
        return None
    defined = value.get("as_defined_in_plan", False)
    if not isinstance(defined, bool):
        problems.add(f"{where}.as_defined_in_plan", "must be true or false")
        return None
    start, end = value.get("start"), value.get("end")
    if defined:
        if start is not None or end is not None:
            problems.add(where, "a period defined in the plan has no start or end")
            return None
        return Period(months=months, as_defined_in_plan=True)
    for key, month in (("start", start), ("end", end)):
        if not isinstance(month, str) or not _MONTH.match(month):
            problems.add(f"{where}.{key}", f"must be a month written YYYY-MM, not {month!r}")
            return None
    span = _months_between(start, end)
    if span < 1:
        problems.add(where, f"end {end} is before start {start}")
        return None
    if span != months:
        problems.add(f"{where}.months", f"is {months} but {start} to {end} is {span} months")
        return None
    baseline = value.get("baseline_start"), value.get("baseline_end")
    if baseline == (None, None):
        return Period(months=months, start=start, end=end)
    for key, month in zip(("baseline_start", "baseline_end"), baseline, strict=True):
        if not isinstance(month, str) or not _MONTH.match(month):
            problems.add(f"{where}.{key}", f"must be a month written YYYY-MM, not {month!r}")
            return None
    if _months_between(*baseline) != months:
        problems.add(where, f"the baseline {baseline[0]} to {baseline[1]} is not {months} months long")
        return None
    if _months_between(baseline[0], start) <= months:
        problems.add(f"{where}.baseline_start", f"the baseline must end before the period starts ({start})")
        return None
    return Period(months=months, start=start, end=end, baseline_start=baseline[0], baseline_end=baseline[1])


def _periods(problems: _Problems, value: Any, where: str) -> dict[str, dict[str, Period]] | None:
    if not isinstance(value, Mapping) or not value:
        problems.add(where, "must be a mapping of payment periods")
        return None
    periods = {}
    for payment, metrics in value.items():
        if not isinstance(metrics, Mapping) or not metrics:
            problems.add(f"{where}.{payment}", "must be a mapping of metric periods")
            continue
        periods[str(payment)] = {
            str(m): _period(problems, p, f"{where}.{payment}.{m}") for m, p in metrics.items()
        }
    return periods


# Each parameter of the file (beside id, name, current, reference and tranches) and how its value is read.
PARAMETERS: dict[str, Callable[[_Problems, Any, str], Any]] = {
    "fund_components": _fund_components,
    "p4p_national_total": lambda problems, value, where: _decimal(problems, value, where, Decimal(0)),
    "p4p_basis": _one_of(*P4P_BASES),
    "unassessable_metric_share": _one_of(*UNASSESSABLE_MODES),
    "access_conditions": _conditions,
    "periods": _periods,
    "payment_mode": _one_of(*PAYMENT_MODES),
    "threshold": lambda problems, value, where: _decimal(problems, value, where, Decimal(0), Decimal(1)),
    "confidence_level": _confidence,
    "small_numbers_min_denominator": _whole,
    "rounding": _rounding,
}
# The revised scheme's parameters: optional, each ``{description, reference, value}`` (average_nea_cost
# may also say ``unverified: true``, when its figure could not be checked against the publication).
OPTIONAL_PARAMETERS: dict[str, Callable[[_Problems, Any, str], Any]] = {
    "average_nea_cost": lambda problems, value, where: _decimal(problems, value, where, Decimal(0)),
    "minimum_reduction": lambda problems, value, where: _decimal(
        problems, value, where, Decimal(0), Decimal(1)),
    "monitored_metrics": _names,
}
TRANCHE_KEYS = ("id", "payment", "kind", "lines")
TRANCHE_OPTIONAL_KEYS = ("share", "pot", "held_back_use")


def _tranche(problems: _Problems, node: Any, where: str, periods: Mapping | None) -> Tranche | None:
    """One tranche with its lines inline: ``lines`` is a parameter whose ``name`` is the spec's name for
    the list (``april_metrics``); a conditions tranche names conditions, a metrics tranche metrics that
    have a measurement period for its payment."""
    if not _keys(problems, node, where, TRANCHE_KEYS, TRANCHE_OPTIONAL_KEYS):
        return None
    tranche_id = _text(problems, node.get("id"), f"{where}.id")
    payment = _text(problems, node.get("payment"), f"{where}.payment")
    kind = _text(problems, node.get("kind"), f"{where}.kind", TRANCHE_KINDS)
    share = pot = use = None
    if "share" not in node and "pot" not in node:
        problems.add(f"{where}.share", "missing")
        return None
    if "share" in node and "pot" in node:
        problems.add(where, "is priced from a share of the pool or from a pot, not both")
        return None
    if "share" in node:
        share = _parameter(
            problems, node.get("share"), f"{where}.share",
            lambda p, value, at: _decimal(p, value, at, Decimal(0), Decimal(1)),
        )
    else:
        pot = _parameter(problems, node.get("pot"), f"{where}.pot", _one_of(*POT_BASES))
        if kind != "metrics":
            problems.add(f"{where}.pot", "only a metrics tranche is priced from a pot")
    if "held_back_use" in node:
        use = _parameter(problems, node.get("held_back_use"), f"{where}.held_back_use",
                         _one_of(*TRANCHE_HELD_BACK_USES))
    read_lines = _conditions if kind == "conditions" else _names
    lines = _parameter(problems, node.get("lines"), f"{where}.lines", read_lines, also=("name",))
    name = None
    if isinstance(node.get("lines"), Mapping) and "name" in node["lines"]:
        name = _text(problems, node["lines"]["name"], f"{where}.lines.name", LINE_LISTS)
    if name and kind and not name.endswith(f"_{kind}"):
        problems.add(f"{where}.lines.name", f"a {kind} tranche needs a list of {kind}, not {name}")
    if kind == "metrics" and payment and lines and periods is not None:
        if payment not in periods:
            problems.add(f"{where}.payment", f"no periods are given for {payment!r}")
        else:
            for metric in lines:
                if metric not in periods[payment]:
                    problems.add(f"periods.value.{payment}", f"no measurement period for line {metric!r}")
    if pot is not None and lines is not None and len(lines) != 1:
        problems.add(f"{where}.lines.value", "a tranche priced from a pot has one line: its pot's metric")
    if None in (tranche_id, payment, kind, lines, name) or share is None and pot is None:
        return None
    return Tranche(tranche_id, payment, kind, share, name, lines, pot, use)


def _tranches(problems: _Problems, value: Any, periods: Mapping | None) -> tuple[Tranche, ...] | None:
    if not isinstance(value, list) or not value:
        problems.add("tranches", "must be a non-empty list")
        return None
    tranches = [_tranche(problems, t, f"tranches[{i}]", periods) for i, t in enumerate(value)]
    if None in tranches:
        return None
    ids = [t.id for t in tranches]
    if len(set(ids)) != len(ids):
        problems.add("tranches", "a tranche id appears twice")
    names = [t.lines_parameter for t in tranches]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.add("tranches", f"{name} are the lines of more than one tranche")
    shares = [t.share for t in tranches if t.share is not None]
    total = sum(shares)
    if shares and total != 1:
        problems.add("tranches", f"shares add up to {total}, not 1")
    return tuple(tranches)


def parse_rule_set(data: Any, source: str) -> RuleSet:
    """Build a :class:`RuleSet` from parsed YAML, checking every key and value.

    :param source: the file name, used in every message.
    :raise ReferenceDataError: all the problems in the file, each naming its key.
    """
    problems = _Problems(source)
    if not _keys(problems, data, "", ("id", "name", "current", *PARAMETERS, "tranches"),
                 ("reference", *OPTIONAL_PARAMETERS)):
        problems.raise_if_any()
    rule_id = _text(problems, data.get("id"), "id")
    if rule_id and not _ID.match(rule_id):
        problems.add("id", f"must be lower-case letters, digits and - . / _, not {rule_id!r}")
    name = _text(problems, data.get("name"), "name")
    current = data.get("current")
    if not isinstance(current, bool):
        problems.add("current", "must be true or false")
    reference = data.get("reference")
    if reference is not None and not isinstance(reference, str):
        problems.add("reference", "must be text")
    values = {key: _parameter(problems, data[key], key, read) for key, read in PARAMETERS.items()
              if key in data}
    tranches = _tranches(problems, data["tranches"], values.get("periods")) if "tranches" in data else None
    revised = _revised(problems, data, tranches, values.get("periods"))
    if tranches is not None and values.get("access_conditions") is not None:
        earning = {c for t in tranches if t.kind == "conditions" for c in t.lines}
        overlap = earning & set(values["access_conditions"])
        if overlap:
            problems.add("access_conditions.value", f"{', '.join(sorted(overlap))} also earn a tranche")
    problems.raise_if_any()
    lines = {t.lines_parameter: t.lines for t in tranches}
    return RuleSet(
        id=rule_id,
        name=name,
        current=current,
        reference=reference,
        tranches=tranches,
        april_conditions=lines.get("april_conditions", ()),
        april_metrics=lines.get("april_metrics", ()),
        october_metrics=lines.get("october_metrics", ()),
        **values,
        **revised,
    )


def _revised(
    problems: _Problems, data: Mapping, tranches: tuple[Tranche, ...] | None, periods: Mapping | None
) -> dict[str, Any]:
    """The revised scheme's optional parameters, checked against the tranches and periods."""
    found: dict[str, Any] = {}
    for key, read in OPTIONAL_PARAMETERS.items():
        if key in data:
            also = ("unverified",) if key == "average_nea_cost" else ()
            found[key] = _parameter(problems, data[key], key, read, also=also)
    cost = data.get("average_nea_cost")
    if isinstance(cost, Mapping):
        unverified = cost.get("unverified", False)
        if not isinstance(unverified, bool):
            problems.add("average_nea_cost.unverified", "must be true or false")
        found["average_nea_cost_unverified"] = unverified is True
        found["average_nea_cost_reference"] = cost.get("reference")
    if tranches and any(t.pot for t in tranches) and "average_nea_cost" not in data:
        problems.add("average_nea_cost", "missing: a tranche is priced from a pot")
    monitored = found.get("monitored_metrics")
    if monitored and tranches is not None and periods is not None:
        paid = {m for t in tranches if t.kind == "metrics" for m in t.lines}
        for metric in monitored:
            if metric in paid:
                problems.add("monitored_metrics.value", f"{metric} is paid by a tranche: not monitored only")
            if not any(metric in metrics for metrics in periods.values()):
                problems.add("monitored_metrics.value", f"{metric} has no measurement period")
    if "monitored_metrics" in found and monitored is None:
        found.pop("monitored_metrics")
    return {key: value for key, value in found.items() if value is not None}


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
