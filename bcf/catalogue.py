"""The metric catalogue (spec/metrics.md as data): national metrics, the local menu, statistic types.

Read once at start-up from reference_data/metric_catalogue.yaml. A metric's statistic type decides how
counts become a value, its confidence interval and its change test; its polarity says which way is
better. ``patient_experience`` and a local alternative are defined by the plan (``type: as_defined``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bcf.errors import ReferenceDataError
from bcf.plan import Counts, MetricPlan, Score, Standardised
from bcf.reference import read_yaml

STATISTIC_TYPES = ("rate", "proportion", "dsr", "score")
# A count of events in a period (non_elective_admissions): a national metric's type only, never a plan's
# own definition; sent as a bare {value} (the count), its interval is the Poisson interval of the count.
COUNT = "count"
CATALOGUE_TYPES = (*STATISTIC_TYPES, COUNT)
POLARITIES = ("lower", "higher")
AS_DEFINED = "as_defined"
LOCAL = "local"


@dataclass(frozen=True)
class StatisticType:
    id: str
    multiplier: int
    ci: str
    change_test: str


@dataclass(frozen=True)
class MetricInfo:
    """A metric of the catalogue (national or from the local menu).

    ``type``/``polarity`` are ``as_defined`` when the plan defines them (patient experience).
    ``allowed_types`` lists the statistic types a plan may send (the count block picks one).
    """

    id: str
    name: str
    type: str
    polarity: str
    unit: str
    allowed_types: tuple[str, ...]
    monthly_average: bool = False
    #: a plan may send its monthly series for an XmR chart (bcf/spc.py); national metrics only
    monthly_series: bool = False
    source: str | None = None
    framework: str | None = None

    @property
    def defined_by_plan(self) -> bool:
        return self.type == AS_DEFINED


@dataclass(frozen=True)
class Catalogue:
    statistic_types: Mapping[str, StatisticType]
    national: Mapping[str, MetricInfo]  # in catalogue order
    local_menu: Mapping[str, MetricInfo]
    local_name: str
    alternative_required_fields: tuple[str, ...]
    local_criteria: tuple[str, ...]

    def is_metric(self, metric_id: str) -> bool:
        """A metric id a plan may use: a national metric or ``local``."""
        return metric_id in self.national or metric_id == LOCAL

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form for ``GET /api/v1/metrics``."""

        def metric(m: MetricInfo) -> dict[str, Any]:
            out = {
                "id": m.id,
                "name": m.name,
                "type": m.type,
                "allowed_types": list(m.allowed_types),
                "polarity": m.polarity,
                "unit": m.unit,
                "monthly_average": m.monthly_average,
            }
            if m.source is not None:
                out["source"] = m.source
            if m.framework is not None:
                out["framework"] = m.framework
            return out

        return {
            "statistic_types": [
                {"id": t.id, "multiplier": t.multiplier, "ci": t.ci, "change_test": t.change_test}
                for t in self.statistic_types.values()
            ],
            "national_metrics": [metric(m) for m in self.national.values()],
            "local_metric": {
                "id": LOCAL,
                "name": self.local_name,
                "alternative_required_fields": list(self.alternative_required_fields),
                "criteria": list(self.local_criteria),
            },
            "local_menu": [metric(m) for m in self.local_menu.values()],
        }


def _check_keys(
    problems: list[str], mapping: Any, where: str, required: set[str], optional: set[str]
) -> bool:
    if not isinstance(mapping, Mapping):
        problems.append(f"{where}: must be a mapping")
        return False
    problems.extend(f"{where}.{k}: unknown key" for k in mapping if k not in required | optional)
    problems.extend(f"{where}.{k}: missing" for k in sorted(required) if k not in mapping)
    return True


def _metric(problems: list[str], raw: Any, where: str, menu: bool) -> MetricInfo | None:
    required = {"id", "name", "type", "polarity", "unit"} | ({"framework"} if menu else {"source"})
    optional = {"allowed_types"} | (set() if menu else {"monthly_average", "monthly_series"})
    if not _check_keys(problems, raw, where, required, optional):
        return None
    for key in required:
        if not isinstance(raw.get(key), str) or not raw.get(key, "").strip():
            problems.append(f"{where}.{key}: must be non-empty text")
    kind, polarity = raw.get("type"), raw.get("polarity")
    if kind not in (STATISTIC_TYPES if menu else (*CATALOGUE_TYPES, AS_DEFINED)):
        problems.append(f"{where}.type: unknown statistic type {kind!r}")
    if polarity not in POLARITIES + (() if menu else (AS_DEFINED,)):
        problems.append(f"{where}.polarity: must be lower or higher, not {polarity!r}")
    if (kind == AS_DEFINED) != (polarity == AS_DEFINED):
        problems.append(f"{where}: type and polarity are defined by the plan together, or not at all")
    allowed = raw.get("allowed_types", [kind] if kind in CATALOGUE_TYPES else list(STATISTIC_TYPES))
    if not isinstance(allowed, list) or not allowed or any(a not in CATALOGUE_TYPES for a in allowed):
        problems.append(f"{where}.allowed_types: must be a list of statistic types")
        allowed = []
    elif kind in CATALOGUE_TYPES and kind not in allowed:
        problems.append(f"{where}.allowed_types: must include the type {kind}")
    monthly = raw.get("monthly_average", False)
    if not isinstance(monthly, bool):
        problems.append(f"{where}.monthly_average: must be true or false")
    series = raw.get("monthly_series", False)
    if not isinstance(series, bool):
        problems.append(f"{where}.monthly_series: must be true or false")
    elif series and (kind not in ("rate", "dsr", "count") or polarity not in POLARITIES):
        # a month's value on the plan's scale: a rate or count over a period divides by its months
        problems.append(f"{where}.monthly_series: only a rate, dsr or count metric of the catalogue's "
                        "own polarity has a monthly series")
    return MetricInfo(
        id=str(raw.get("id")),
        name=str(raw.get("name")),
        type=str(kind),
        polarity=str(polarity),
        unit=str(raw.get("unit")),
        allowed_types=tuple(allowed),
        monthly_average=monthly is True,
        monthly_series=series is True,
        source=raw.get("source"),
        framework=raw.get("framework"),
    )


def parse_catalogue(data: Any, source: str) -> Catalogue:
    """Build the :class:`Catalogue` from parsed YAML, checking every key.

    :raise ReferenceDataError: every problem in the file, naming it.
    """
    problems: list[str] = []
    if not _check_keys(
        problems, data, "", {"statistic_types", "national_metrics", "local_metric", "local_menu"}, set()
    ):
        raise ReferenceDataError(f"{source}: invalid catalogue: {'; '.join(problems)}")
    types: dict[str, StatisticType] = {}
    raw_types = data.get("statistic_types")
    if not isinstance(raw_types, Mapping):
        problems.append("statistic_types: must be a mapping")
    else:
        for key, raw in raw_types.items():
            where = f"statistic_types.{key}"
            if key not in CATALOGUE_TYPES:
                problems.append(f"{where}: unknown statistic type")
            if _check_keys(problems, raw, where, {"multiplier", "ci", "change_test"}, set()):
                multiplier = raw.get("multiplier")
                if isinstance(multiplier, bool) or not isinstance(multiplier, int) or multiplier <= 0:
                    problems.append(f"{where}.multiplier: must be a positive whole number")
                types[key] = StatisticType(key, multiplier, str(raw.get("ci")), str(raw.get("change_test")))
        problems.extend(f"statistic_types.{t}: missing" for t in CATALOGUE_TYPES if t not in types)

    def metrics(key: str, menu: bool) -> dict[str, MetricInfo]:
        out: dict[str, MetricInfo] = {}
        raw = data.get(key)
        if not isinstance(raw, list) or not raw:
            problems.append(f"{key}: must be a non-empty list")
            return out
        for i, item in enumerate(raw):
            metric = _metric(problems, item, f"{key}[{i}]", menu)
            if metric is not None:
                if metric.id in out or metric.id == LOCAL:
                    problems.append(f"{key}[{i}].id: {metric.id!r} is used twice or reserved")
                out[metric.id] = metric
        return out

    national, menu = metrics("national_metrics", False), metrics("local_menu", True)
    local = data.get("local_metric")
    name, required, criteria = LOCAL, (), ()
    if _check_keys(
        problems, local, "local_metric", {"id", "name", "alternative_required_fields", "criteria"}, set()
    ):
        if local.get("id") != LOCAL:
            problems.append(f"local_metric.id: must be {LOCAL!r}")
        name = str(local.get("name"))
        required = tuple(local.get("alternative_required_fields") or ())
        criteria = tuple(local.get("criteria") or ())
        for field in ("type", "polarity"):
            if field not in required:
                problems.append(f"local_metric.alternative_required_fields: must include {field}")
    if problems:
        raise ReferenceDataError(f"{source}: invalid catalogue: {'; '.join(problems)}")
    return Catalogue(types, national, menu, name, required, criteria)


def load_catalogue(path: Path) -> Catalogue:
    """Read and check the metric catalogue once, at start-up.

    :raise ReferenceDataError: unreadable YAML, unknown keys or malformed values, naming the file.
    """
    path = Path(path)
    data = read_yaml(path, "catalogue")
    return parse_catalogue(data, str(path))


def check_rule_set(catalogue: Catalogue, rule_set: Any) -> None:
    """Every metric a rule set's tranches and periods name is in the catalogue (checked at start-up).

    :raise ReferenceDataError: naming the rule set and the unknown metrics.
    """
    named = set(rule_set.april_metrics) | set(rule_set.october_metrics)
    for metrics in rule_set.periods.values():
        named |= set(metrics)
    unknown = sorted(m for m in named if not catalogue.is_metric(m))
    if unknown:
        raise ReferenceDataError(
            f"rule set {rule_set.id!r} names metrics not in the catalogue: {', '.join(unknown)}"
        )


# --- a plan's metric, described ----------------------------------------------------------------------

# Which statistic types each count block can give (api.md): counts for rates and proportions, mean/sd/n for
# scores, age bands for a DSR; a bare value can stand for any type but gives no interval.
BLOCK_TYPES = {Counts: ("rate", "proportion"), Score: ("score",), Standardised: ("dsr",)}


def metric_info(metric: MetricPlan, catalogue: Catalogue) -> MetricInfo | None:
    """What a plan's metric is: from the catalogue, the local menu, or the plan's own definition.

    :param metric: a :class:`bcf.plan.MetricPlan`.
    :return: None when the plan does not say enough to know (check_plan reports why).
    """
    definition = metric.definition
    if metric.metric == LOCAL and metric.local_metric is not None:
        return catalogue.local_menu.get(metric.local_metric)
    if metric.metric == LOCAL or (
        metric.metric in catalogue.national and catalogue.national[metric.metric].defined_by_plan
    ):
        if (
            definition is None
            or definition.type not in STATISTIC_TYPES
            or definition.polarity not in POLARITIES
        ):
            return None
        base = catalogue.national.get(metric.metric)
        return MetricInfo(
            id=metric.metric,
            name=definition.name or (base.name if base else catalogue.local_name),
            type=definition.type,
            polarity=definition.polarity,
            unit=definition.unit,
            allowed_types=(definition.type,),
            monthly_average=False,
            source=definition.source,
        )
    return catalogue.national.get(metric.metric)


def statistic_type(info: MetricInfo, blocks: tuple[Any, ...]) -> str | None:
    """The statistic type the count blocks of one period give, among those the metric allows.

    A bare value fits any type; None when the blocks fit no allowed type (or disagree with each other).
    """
    candidates = list(info.allowed_types)
    for block in blocks:
        if type(block) in BLOCK_TYPES:
            candidates = [t for t in candidates if t in BLOCK_TYPES[type(block)]]
    if not candidates:
        return None
    return info.type if info.type in candidates else candidates[0]
