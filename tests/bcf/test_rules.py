"""The rule set is data: every parameter of rules-2015-16.md is read from the file, and a bad file is
refused at start-up with every problem named (file and key)."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal

import pytest
import yaml

from bcf.catalogue import check_rule_set, load_catalogue
from bcf.errors import ReferenceDataError, UnknownRuleSet
from bcf.rules import current_rule_set, get_rule_set, load_rule_set, load_rule_sets
from tests.bcf.conftest import CATALOGUE_FILE, RULES_DIR, RULES_FILE


def raw():
    return yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))


def write(tmp_path, data, name="rules.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_the_2015_16_rule_set_holds_the_spec_values(rule_set):
    assert rule_set.id == "bcf-2015-16" and rule_set.current
    assert [(t.id, t.share, t.kind) for t in rule_set.tranches] == [
        ("april-2015/conditions", Decimal("0.25"), "conditions"),
        ("april-2015/metrics", Decimal("0.25"), "metrics"),
        ("october-2015/metrics", Decimal("0.50"), "metrics"),
    ]
    assert rule_set.tranche("april-2015/conditions").lines == (
        "protect_social_care",
        "seven_day_services",
        "acute_sector_impact",
        "joint_assessment",
    )
    assert rule_set.tranche("april-2015/metrics").lines == (
        "delayed_transfers",
        "avoidable_emergency_admissions",
        "local",
    )
    assert rule_set.tranche("october-2015/metrics").lines == (
        "residential_admissions",
        "reablement",
        "delayed_transfers",
        "avoidable_emergency_admissions",
        "patient_experience",
        "local",
    )
    assert rule_set.access_conditions == ("plans_jointly_agreed", "data_sharing")
    assert rule_set.p4p_national_total == Decimal("1000000000") and rule_set.p4p_basis == "minimum_fund"
    assert sum(c.national_amount for c in rule_set.fund_components) == Decimal("3783641000")
    assert (rule_set.threshold, rule_set.confidence_level) == (Decimal("0.70"), Decimal("0.95"))
    assert (rule_set.payment_mode, rule_set.unassessable_metric_share) == ("pro_rata", "held_back")
    assert rule_set.small_numbers_min_denominator == 100
    assert rule_set.rounding.quantum == Decimal("0.01") and rule_set.rounding.mode == "ROUND_HALF_UP"
    months = {
        (p, m): period.months
        for p, ms in rule_set.periods.items()
        for m, period in ms.items()
        if not period.as_defined_in_plan
    }
    assert months == {
        ("april-2015", "delayed_transfers"): 9,
        ("april-2015", "avoidable_emergency_admissions"): 6,
        ("october-2015", "residential_admissions"): 12,
        ("october-2015", "reablement"): 12,
        ("october-2015", "delayed_transfers"): 6,
        ("october-2015", "avoidable_emergency_admissions"): 6,
    }
    assert rule_set.period("april-2015", "residential_admissions") is None
    check_rule_set(load_catalogue(CATALOGUE_FILE), rule_set)  # every metric it names is in the catalogue


def test_to_dict_is_plain_json(rule_set):
    data = json.loads(json.dumps(rule_set.to_dict()))
    assert data["tranches"][1]["lines"] == ["delayed_transfers", "avoidable_emergency_admissions", "local"]
    assert data["tranches"][1]["lines_parameter"] == "april_metrics"
    assert data["threshold"] == 0.7 and data["p4p_national_total"] == 1e9
    assert data["periods"]["april-2015"]["delayed_transfers"]["months"] == 9


def value(name, new):
    """A change to the raw file: parameter ``name`` gets the value ``new``."""
    return lambda d: d[name].update(value=new)


def test_unknown_keys_are_refused_naming_the_file_and_key(tmp_path):
    data = raw()
    data["treshold"] = {"description": "a typo", "reference": "none", "value": "0.8"}
    data["tranches"][0]["weight"] = 1
    data["threshold"]["source"] = "rules-2015-16.md"
    path = write(tmp_path, data)
    with pytest.raises(ReferenceDataError) as caught:
        load_rule_set(path)
    message = str(caught.value)
    assert str(path) in message
    assert "treshold: unknown key" in message and "tranches[0].weight: unknown key" in message
    assert "threshold.source: unknown key" in message


def test_every_parameter_has_a_description_a_reference_and_a_value(tmp_path):
    data = raw()
    del data["threshold"]["description"]
    del data["tranches"][1]["lines"]["reference"]
    data["payment_mode"]["description"] = ""
    data["confidence_level"] = "0.95"  # a bare value, not a parameter
    with pytest.raises(ReferenceDataError) as caught:
        load_rule_set(write(tmp_path, data))
    assert {(p["location"].split(" ", 1)[1], p["message"]) for p in caught.value.problems} == {
        ("threshold.description", "missing"),
        ("tranches[1].lines.reference", "missing"),
        ("payment_mode.description", "must be a non-empty string, not ''"),
        ("confidence_level", "must be a mapping"),
    }


def test_a_tranche_lists_its_lines_inline_in_the_spec_order():
    tranches = raw()["tranches"]
    assert [(t["id"], t["lines"]["name"]) for t in tranches] == [
        ("april-2015/conditions", "april_conditions"),
        ("april-2015/metrics", "april_metrics"),
        ("october-2015/metrics", "october_metrics"),
    ]
    assert tranches[0]["lines"]["value"] == [
        "protect_social_care", "seven_day_services", "acute_sector_impact", "joint_assessment"]


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (value("threshold", 0.7), "threshold.value: must be a decimal written as a quoted string"),
        (value("threshold", "1.5"), "threshold.value: must be between 0 and 1"),
        (value("payment_mode", "pro-rata"), "payment_mode.value: must be one of pro_rata, all_or_nothing"),
        (value("unassessable_metric_share", "lost"), "unassessable_metric_share.value: must be one of"),
        (value("confidence_level", "1"), "confidence_level.value: must be strictly between 0 and 1"),
        (
            value("small_numbers_min_denominator", "100"),
            "small_numbers_min_denominator.value: must be a whole",
        ),
        (lambda d: d["tranches"][2]["share"].update(value="0.45"), "tranches: shares add up to 0.95, not 1"),
        (
            lambda d: d["tranches"][1]["lines"].update(name="april_metric"),
            "tranches[1].lines.name: must be one of",
        ),
        (
            lambda d: d["tranches"][1]["lines"].update(name="april_conditions"),
            "tranches[1].lines.name: a metrics tranche needs a list of metrics, not april_conditions",
        ),
        (
            lambda d: d["tranches"][2]["lines"].update(name="april_metrics", value=["delayed_transfers"]),
            "tranches: april_metrics are the lines of more than one tranche",
        ),
        (
            lambda d: d["tranches"][1]["lines"].update(value=[]),
            "tranches[1].lines.value: must be a non-empty",
        ),
        (lambda d: d["tranches"][0].pop("share"), "tranches[0].share: missing"),
        (
            lambda d: d["tranches"][0]["lines"]["value"].append("good_vibes"),
            "tranches[0].lines.value: unknown condition 'good_vibes'",
        ),
        (
            lambda d: d["periods"]["value"]["april-2015"]["delayed_transfers"].update(months=8),
            "periods.value.april-2015.delayed_transfers.months: is 8 but 2014-04 to 2014-12 is 9 months",
        ),
        (
            lambda d: d["periods"]["value"]["april-2015"]["delayed_transfers"].update(start="2014-13"),
            "periods.value.april-2015.delayed_transfers.start: must be a month written",
        ),
        (
            lambda d: d["periods"]["value"]["april-2015"].pop("local"),
            "periods.value.april-2015: no measurement period for line 'local'",
        ),
        (
            value("access_conditions", ["plans_jointly_agreed", "protect_social_care"]),
            "access_conditions.value: protect_social_care also earn a tranche",
        ),
        (lambda d: d.pop("payment_mode"), "payment_mode: missing"),
        (lambda d: d["payment_mode"].pop("value"), "payment_mode.value: missing"),
        (lambda d: d["rounding"]["value"].update(mode="BANKERS"), "rounding.value.mode: must be one of"),
    ],
)
def test_malformed_values_are_refused(tmp_path, change, complaint):
    data = raw()
    change(data)
    path = write(tmp_path, data)
    with pytest.raises(ReferenceDataError, match="invalid rule set") as caught:
        load_rule_set(path)
    assert complaint in str(caught.value)
    assert str(path) in str(caught.value)


def test_all_problems_in_a_file_are_reported_at_once(tmp_path):
    data = raw()
    data["payment_mode"]["value"] = "sometimes"
    data["threshold"]["value"] = "seventy"
    with pytest.raises(ReferenceDataError) as caught:
        load_rule_set(write(tmp_path, data))
    assert len(caught.value.problems) == 2
    assert {p["message"].split(" ")[0] for p in caught.value.problems} == {"must", "not"}


def test_a_directory_needs_exactly_one_current_rule_set_and_unique_ids(tmp_path):
    second = raw()
    second["id"] = "bcf-2015-16-panel"
    write(tmp_path, raw(), "a.yaml")
    write(tmp_path, second, "b.yaml")
    with pytest.raises(ReferenceDataError, match="exactly one rule set must be current"):
        load_rule_sets(tmp_path)
    second["current"] = False
    write(tmp_path, second, "b.yaml")
    rule_sets = load_rule_sets(tmp_path)
    assert set(rule_sets) == {"bcf-2015-16", "bcf-2015-16-panel"}
    assert current_rule_set(rule_sets).id == "bcf-2015-16"
    second["id"] = "bcf-2015-16"
    write(tmp_path, second, "b.yaml")
    with pytest.raises(ReferenceDataError, match="used by another file"):
        load_rule_sets(tmp_path)


def test_a_request_picks_a_rule_set_by_id_or_gets_the_current_one():
    rule_sets = load_rule_sets(RULES_DIR)
    assert get_rule_set(rule_sets, None).id == "bcf-2015-16"
    assert get_rule_set(rule_sets, "bcf-2015-16") is rule_sets["bcf-2015-16"]
    with pytest.raises(UnknownRuleSet, match="known rule sets: bcf-2015-16") as caught:
        get_rule_set(rule_sets, "bcf-2016-17")
    assert caught.value.problems[0]["location"] == "rule_set"


def test_unreadable_yaml_names_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="broken.yaml: cannot read rule set"):
        load_rule_set(path)


def test_what_is_worked_out_once_per_rule_set_is_what_its_tranches_say(rule_set):
    """conditions, condition_tranches and metric_tranches are kept on the RuleSet (fast-bcf): the same
    answer as working them out from the tranches, read-only, and no part of equality."""
    assert rule_set.condition_tranches == {
        c: t.id for t in rule_set.tranches if t.kind == "conditions" for c in t.lines}
    assert rule_set.metric_tranches == {
        (t.payment, m): t.id for t in rule_set.tranches if t.kind == "metrics" for m in t.lines}
    assert rule_set.conditions is rule_set.conditions
    with pytest.raises(TypeError):
        rule_set.metric_tranches[("april-2015", "x")] = "y"  # type: ignore[index]
    assert dataclasses.replace(rule_set) == rule_set
