"""Scenario files (OpenFisca-style): a named plan, a rule set, and the outcomes and pounds worked out by
hand from rules-2015-16.md (each file's ``description`` shows the working).

``request`` is the api.md JSON body. ``conditions: all_met`` stands for evidence meeting all six
conditions; ``conditions_changes`` then replaces (or, with null, removes) single conditions.
``rule_set_changes`` writes a second rule-set file with those parameters changed and loads it with the
real loader: no code changes for a different rule set. A request that names a ``rule_set`` (the revised
scheme's scenarios, ``revised_*.yaml``) is determined under that one.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from bcf.determination import determine
from tests.bcf.conftest import ALL_MET, plan_from_json, rule_set_with

SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.yaml"))


def money(x):
    return None if x is None else Decimal(x)


def load(path: Path) -> dict:
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    request = dict(scenario["request"])
    if request.get("conditions") == "all_met":
        conditions = {k: dict(v) for k, v in ALL_MET.items()}
        for name, evidence in (scenario.get("conditions_changes") or {}).items():
            if evidence is None:
                conditions.pop(name)
            else:
                conditions[name] = evidence
        request["conditions"] = conditions
    scenario["request"] = request
    return scenario


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path, rule_set, rule_sets, catalogue, tmp_path):
    scenario = load(path)
    rules = (
        rule_set_with(tmp_path, **scenario["rule_set_changes"])
        if scenario.get("rule_set_changes")
        else rule_sets[scenario["request"]["rule_set"]] if scenario["request"].get("rule_set")
        else rule_set
    )
    result = determine(plan_from_json(scenario["request"]), rules, catalogue, Decimal(scenario["p4p_pool"]))
    expect = scenario["expect"]

    assert result.plan_assured == expect["plan_assured"]
    assert result.recovery_plan_required == expect["recovery_plan_required"]
    totals = expect["totals"]
    assert (result.totals.available, result.totals.released, result.totals.held_back) == (
        money(totals["available"]),
        money(totals["released"]),
        money(totals["held_back"]),
    )
    assert {c.condition: c.status for c in result.conditions} == expect.get(
        "conditions", {c.condition: c.status for c in result.conditions}
    )

    metrics = {f"{m.metric} {m.period}": m for m in result.metrics}
    for key, fields in (expect.get("metrics") or {}).items():
        m = metrics[key]
        for field, wanted in fields.items():
            if field == "baseline_value":
                assert m.baseline.value == pytest.approx(wanted, rel=1e-12), key
            elif field == "actual_value":
                assert m.actual.value == pytest.approx(wanted, rel=1e-12), key
            elif isinstance(wanted, float):
                assert getattr(m, field) == pytest.approx(wanted, abs=1e-9), (key, field)
            else:
                assert getattr(m, field) == wanted, (key, field)

    tranches = {t.tranche: t for t in result.tranches}
    assert set(tranches) == set(expect["tranches"]) | set(tranches)
    for tranche_id, wanted in expect["tranches"].items():
        t = tranches[tranche_id]
        for field in ("status", "held_back_use", "recovery_plan_required"):
            assert getattr(t, field) == wanted[field], (tranche_id, field)
        for field in ("available", "released", "held_back"):
            assert getattr(t, field) == money(wanted[field]), (tranche_id, field)
        lines = {line.item: [line.available, line.released, line.held_back] for line in t.lines}
        assert list(lines) == list(wanted["lines"]), tranche_id  # the rule set's line order
        for item, amounts in wanted["lines"].items():
            assert lines[item] == [money(a) for a in amounts], (tranche_id, item)
        for line in t.lines:
            assert line.explanation.startswith(line.item)

    warnings = sorted((w.code, w.metric, w.period) for w in result.warnings)
    assert warnings == sorted(tuple(w) for w in expect["warnings"])
