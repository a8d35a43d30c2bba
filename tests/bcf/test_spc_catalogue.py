"""Which metrics take a monthly series is the catalogue's to say (``monthly_series``), checked when loaded."""

import pytest
import yaml

from bcf.catalogue import load_catalogue
from bcf.errors import ReferenceDataError
from tests.bcf.conftest import CATALOGUE_FILE


def test_the_metrics_with_a_monthly_series(catalogue):
    with_series = [m.id for m in catalogue.national.values() if m.monthly_series]
    assert with_series == ["delayed_transfers", "avoidable_emergency_admissions", "non_elective_admissions"]
    assert all(not m.monthly_series for m in catalogue.local_menu.values())


def test_not_served_with_the_catalogue(catalogue):
    """GET /api/v1/metrics answers as it did (the golden set): the request's monthly field says which
    metrics take a series."""
    assert all("monthly_series" not in m for m in catalogue.to_dict()["national_metrics"])


@pytest.mark.parametrize(("metric", "value", "message"), [
    ("reablement", True, "national_metrics[1].monthly_series: only a rate, dsr or count metric"),
    ("delayed_transfers", "yes", "national_metrics[2].monthly_series: must be true or false"),
])
def test_the_loader_checks_it(tmp_path, metric, value, message):
    data = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    [entry] = [m for m in data["national_metrics"] if m["id"] == metric]
    entry["monthly_series"] = value
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_catalogue(path)


def test_not_on_the_local_menu(tmp_path):
    data = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    data["local_menu"][0]["monthly_series"] = True
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"local_menu\[0\]\.monthly_series: unknown key"):
        load_catalogue(path)
