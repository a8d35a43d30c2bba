"""The metric catalogue (metrics.md) is data, checked when it is loaded."""

from __future__ import annotations

import json

import pytest
import yaml

from bcf.catalogue import load_catalogue, metric_info, statistic_type
from bcf.errors import ReferenceDataError
from bcf.plan import Band, BareValue, Counts, MetricDefinition, MetricPlan, Score, Standardised
from tests.bcf.conftest import CATALOGUE_FILE


def test_the_catalogue_holds_metrics_md(catalogue):
    assert list(catalogue.national) == [
        "residential_admissions",
        "reablement",
        "delayed_transfers",
        "avoidable_emergency_admissions",
        "patient_experience",
        "non_elective_admissions",  # the revised scheme's metric (bcf-2015-16-revised)
    ]
    nea = catalogue.national["non_elective_admissions"]
    assert (nea.type, nea.polarity, nea.allowed_types) == ("count", "lower", ("count",))
    assert len(catalogue.local_menu) == 9
    dt = catalogue.national["delayed_transfers"]
    assert (dt.type, dt.polarity, dt.monthly_average) == ("rate", "lower", True)
    assert catalogue.national["avoidable_emergency_admissions"].allowed_types == ("rate", "dsr")
    assert catalogue.national["reablement"].polarity == "higher"
    assert catalogue.local_menu["PHOF-2.13ii"].polarity == "lower"
    assert catalogue.local_menu["ASCOF-1A"].type == "score"
    assert catalogue.statistic_types["rate"].multiplier == 100000
    assert catalogue.statistic_types["proportion"].multiplier == 100
    data = json.loads(json.dumps(catalogue.to_dict()))
    assert {m["id"] for m in data["local_menu"]} >= {"NHSOF-2.1", "PHOF-2.24i"}


def test_unknown_keys_are_refused_naming_the_file(tmp_path):
    data = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    data["national_metrics"][0]["polarty"] = "lower"
    data["local_menu"][0]["type"] = "ratio"
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ReferenceDataError) as caught:
        load_catalogue(path)
    assert str(path) in str(caught.value)
    assert "national_metrics[0].polarty: unknown key" in str(caught.value)
    assert "local_menu[0].type: unknown statistic type 'ratio'" in str(caught.value)


def test_what_a_plans_metric_is(catalogue):
    assert metric_info(MetricPlan("local", {}, local_metric="ASCOF-1D"), catalogue).type == "score"
    defined = metric_info(
        MetricPlan("patient_experience", {}, definition=MetricDefinition("Involved", "proportion", "higher")),
        catalogue,
    )
    assert (defined.type, defined.polarity, defined.allowed_types) == (
        "proportion",
        "higher",
        ("proportion",),
    )
    assert metric_info(MetricPlan("patient_experience", {}), catalogue) is None


@pytest.mark.parametrize(
    ("metric", "blocks", "kind"),
    [
        ("avoidable_emergency_admissions", (Counts(1, 2),), "rate"),
        ("avoidable_emergency_admissions", (Standardised((Band(10, 100, 1),)), None), "dsr"),
        ("avoidable_emergency_admissions", (BareValue(3.0), BareValue(2.0)), "rate"),
        ("delayed_transfers", (Standardised((Band(10, 100, 1),)),), None),  # a DSR only where allowed
        ("delayed_transfers", (Score(1, 1, 3),), None),
        ("reablement", (Counts(1, 2), BareValue(50.0)), "proportion"),
    ],
)
def test_the_count_block_picks_an_allowed_statistic_type(catalogue, metric, blocks, kind):
    assert statistic_type(catalogue.national[metric], blocks) == kind
