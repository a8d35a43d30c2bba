"""Fixtures for the domain tests: the real rule set and catalogue, and plans written as api.md JSON.

``plan_from_json`` turns an api.md request dict into :class:`bcf.plan.Plan` so that scenarios read like
the requests users send. It is deliberately literal (no validation): the HTTP schema is the real loader.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from bcf.catalogue import load_catalogue
from bcf.plan import (
    AcuteSectorImpact,
    Band,
    BareValue,
    Conditions,
    Counts,
    DataSharing,
    JointAssessment,
    MetricDefinition,
    MetricPlan,
    PeriodPlan,
    Plan,
    PlansJointlyAgreed,
    ProtectSocialCare,
    Score,
    SevenDayServices,
    Standardised,
)
from bcf.rules import load_rule_sets

ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = ROOT / "reference_data" / "rules"
RULES_FILE = RULES_DIR / "bcf-2015-16.yaml"
CATALOGUE_FILE = ROOT / "reference_data" / "metric_catalogue.yaml"

CONDITION_TYPES = {
    "plans_jointly_agreed": PlansJointlyAgreed,
    "protect_social_care": ProtectSocialCare,
    "seven_day_services": SevenDayServices,
    "data_sharing": DataSharing,
    "joint_assessment": JointAssessment,
    "acute_sector_impact": AcuteSectorImpact,
}
ALL_MET = {
    "plans_jointly_agreed": {
        "hwb_signed_off": True,
        "councils_signed_off": True,
        "ccgs_signed_off": True,
        "providers_engaged": True,
    },
    "protect_social_care": {"explanation": "Protection means maintaining eligibility at moderate"},
    "seven_day_services": {"confirmed": True},
    "data_sharing": {
        "nhs_number_primary_identifier": True,
        "open_apis": False,
        "open_apis_planned_date": "2015-03-31",
        "ig_caldicott2": True,
    },
    "joint_assessment": {"accountable_professional": True, "case_managed_proportion": 0.04},
    "acute_sector_impact": {
        "providers_assessed": ["North Tees and Hartlepool NHS FT"],
        "mental_health_not_reduced": True,
    },
}


def block_from_json(raw: dict[str, Any] | None):
    if raw is None:
        return None
    if "bands" in raw:
        return Standardised(
            tuple(Band(b["events"], b["population"], b["standard_population"]) for b in raw["bands"])
        )
    if "mean" in raw:
        return Score(raw["mean"], raw["sd"], raw["n"])
    if "numerator" in raw:
        return Counts(raw["numerator"], raw["denominator"])
    return BareValue(raw["value"])


def conditions_from_json(raw: dict[str, Any] | None) -> Conditions | None:
    if raw is None:
        return None
    built = {}
    for name, evidence in raw.items():
        evidence = dict(evidence)
        for key, value in evidence.items():
            if key.endswith("_planned_date") and isinstance(value, str):
                evidence[key] = date.fromisoformat(value)
            elif isinstance(value, list):
                evidence[key] = tuple(value)
        built[name] = CONDITION_TYPES[name](**evidence)
    return Conditions(**built)


def plan_from_json(raw: dict[str, Any]) -> Plan:
    metrics = []
    for m in raw.get("metrics", []):
        periods = {
            period: PeriodPlan(
                block_from_json(p["baseline"]),
                p["plan"],
                block_from_json(p.get("actual")),
                tuple(p["history"]) if p.get("history") is not None else None,
            )
            for period, p in m["periods"].items()
        }
        definition = MetricDefinition(**m["definition"]) if m.get("definition") is not None else None
        metrics.append(MetricPlan(m["metric"], periods, m.get("local_metric"), definition))
    pool = raw.get("p4p_pool")
    return Plan(
        raw.get("hwb_code", "E06000001"),
        tuple(metrics),
        conditions_from_json(raw.get("conditions")),
        raw.get("rule_set"),
        None if pool is None else Decimal(str(pool)),
    )


def rule_set_with(tmp_path: Path, **changes: Any):
    """A second rule-set file, in its own directory, that differs from the real one only by ``changes``
    (parameter name -> its new value).

    Loaded by the real loader: proof that a parameter change needs no code change.
    """
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    for name, value in changes.items():
        data[name]["value"] = value
    directory = tmp_path / "rules"
    directory.mkdir(exist_ok=True)
    (directory / "changed.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_rule_sets(directory)[data["id"]]


@pytest.fixture(scope="session")
def rule_sets():
    return load_rule_sets(RULES_DIR)


@pytest.fixture(scope="session")
def rule_set(rule_sets):
    return rule_sets["bcf-2015-16"]


@pytest.fixture(scope="session")
def revised(rule_sets):
    """The July 2014 revised scheme (issue 13 §3): non-elective admissions, quarterly pots."""
    return rule_sets["bcf-2015-16-revised"]


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue(CATALOGUE_FILE)
