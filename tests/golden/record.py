"""Record the golden answers: what the service answers, over HTTP, to a fixed set of requests.

The set (``cases()``): the api.md worked example, every scenario YAML, 300 seeded random plans (valid and
not), hand-written invalid requests, each to ``/calculations`` and ``/ambitions``; a 152-board and a
two-board spreadsheet upload answered as CSV, JSON and XLSX; the templates and reference endpoints.
``tests/test_golden.py`` sends the same requests and compares the answers as documents (JSON parsed with
``Decimal`` floats, CSV as text, XLSX cell by cell), so a change that alters what a user receives fails,
while a change of bytes that no reader can tell apart (spacing, key order inside an object) does not.

Re-record only when an answer is meant to change, and say so in the commit:
``.venv/bin/python tests/golden/record.py`` (writes ``tests/golden/answers.json.gz``), or just the cases
that change: ``… record.py --only "invalid 4 /api/v1/calculations"``.
"""

from __future__ import annotations

import copy
import csv
import gzip
import io
import json
import random
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
ANSWERS = Path(__file__).with_name("answers.json.gz")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ALL_MET = {
    "plans_jointly_agreed": {"hwb_signed_off": True, "councils_signed_off": True,
                             "ccgs_signed_off": True, "providers_engaged": True},
    "protect_social_care": {"explanation": "Protection means maintaining eligibility at moderate"},
    "seven_day_services": {"confirmed": True},
    "data_sharing": {"nhs_number_primary_identifier": True, "open_apis": False,
                     "open_apis_planned_date": "2015-03-31", "ig_caldicott2": True},
    "joint_assessment": {"accountable_professional": True, "case_managed_proportion": 0.04},
    "acute_sector_impact": {"providers_assessed": ["North Tees and Hartlepool NHS FT"],
                            "mental_health_not_reduced": True},
}
PERIODS = {
    "residential_admissions": ["october-2015"], "reablement": ["october-2015"],
    "delayed_transfers": ["april-2015", "october-2015"],
    "avoidable_emergency_admissions": ["april-2015", "october-2015"],
    "patient_experience": ["october-2015"], "local": ["april-2015", "october-2015"],
}
TYPE = {"residential_admissions": "rate", "reablement": "proportion", "delayed_transfers": "rate",
        "avoidable_emergency_admissions": "rate"}
LOCAL_MENU = ["NHSOF-2.1", "NHSOF-2.6i", "ASCOF-1A", "PHOF-2.13ii", "PHOF-2.24i"]
LOCAL_TYPE = {"NHSOF-2.1": "proportion", "NHSOF-2.6i": "proportion", "ASCOF-1A": "score",
              "PHOF-2.13ii": "proportion", "PHOF-2.24i": "rate"}


def _block(rng: random.Random, kind: str, scale: float) -> dict[str, Any]:
    if rng.random() < 0.12:
        return {"value": round(rng.uniform(10, 95 if kind == "proportion" else 500), 2)}
    if kind == "proportion":
        n = rng.randint(50, 5000)
        return {"numerator": round(n * rng.uniform(0.3, 0.9)), "denominator": n}
    if kind == "score":
        return {"mean": round(rng.uniform(5, 20), 2), "sd": round(rng.uniform(0.5, 4), 2),
                "n": rng.randint(20, 600)}
    if kind == "dsr":
        return {"bands": [{"events": rng.randint(0, 400), "population": rng.randint(2000, 40000),
                           "standard_population": w} for w in (5500, 6000, 5000, 4000)]}
    population = rng.randint(2000, 300000)
    return {"numerator": max(0, round(population * scale * rng.uniform(0.5, 1.5))), "denominator": population}


def _value(block: dict[str, Any], kind: str, months: int) -> float:
    """Roughly the block's value in the metric's unit, so that plans lie near their baselines."""
    if "value" in block:
        return block["value"]
    if kind == "proportion":
        return 100 * block["numerator"] / block["denominator"]
    if kind == "score":
        return block["mean"]
    if kind == "dsr":
        bands = block["bands"]
        return 100000 * sum(b["events"] for b in bands) / sum(b["population"] for b in bands)
    return 100000 * block["numerator"] / block["denominator"] / months


def _period(rng: random.Random, kind: str, months: int) -> dict[str, Any]:
    scale = rng.choice([0.00003, 0.001, 0.02, 0.05])
    baseline = _block(rng, kind, scale)
    centre = _value(baseline, kind, months)
    cap = 100 if kind == "proportion" else 1e9
    period: dict[str, Any] = {"baseline": baseline,
                              "plan": round(min(cap, centre * rng.uniform(0.8, 1.15)), 3)}
    if rng.random() < 0.8:
        same = {k for k in baseline} == {"value"} or rng.random() < 0.9
        period["actual"] = _block(rng, kind, scale) if same else {"value": 12.5}
    if rng.random() < 0.3:
        period["history"] = [round(min(cap, centre * rng.uniform(0.8, 1.3)), 1)
                             for _ in range(rng.randint(2, 6))]
    return period


def random_plan(seed: int) -> dict[str, Any]:
    """A plan drawn at random: most are valid, some are refused (a wrong block, a bad value)."""
    rng = random.Random(seed)
    conditions = copy.deepcopy(ALL_MET)
    for name in list(conditions):
        roll = rng.random()
        if roll < 0.08:
            del conditions[name]
        elif roll < 0.16:
            evidence = conditions[name]
            key = rng.choice(sorted(evidence))
            evidence[key] = False if isinstance(evidence[key], bool) else type(evidence[key])()
    plan: dict[str, Any] = {"hwb_code": rng.choice(["E06000001", "E08000025", "E09000033", "E10000002"]),
                            "p4p_pool": f"{rng.randint(100000, 9000000)}.{rng.randint(0, 99):02d}",
                            "metrics": []}
    if rng.random() < 0.85:
        plan["conditions"] = conditions
    for metric, periods in PERIODS.items():
        if rng.random() < 0.15:
            continue
        entry: dict[str, Any] = {"metric": metric}
        if metric == "patient_experience":
            kind = rng.choice(["proportion", "score", "rate"])
            entry["definition"] = {"name": "Involved in discussions about care", "type": kind,
                                   "polarity": rng.choice(["higher", "lower"])}
        elif metric == "local":
            if rng.random() < 0.2:
                kind = "proportion"
                entry["definition"] = {"name": "Falls", "type": kind, "polarity": "lower",
                                       **({"unit": "%", "source": "SUS", "jhws_link": "Priority 2"}
                                          if rng.random() < 0.5 else {})}
            else:
                entry["local_metric"] = rng.choice(LOCAL_MENU)
                kind = LOCAL_TYPE[entry["local_metric"]]
        else:
            kind = TYPE[metric]
            if metric == "avoidable_emergency_admissions" and rng.random() < 0.25:
                kind = "dsr"
        months = {"delayed_transfers": 9 if rng.random() < 0.5 else 6,
                  "avoidable_emergency_admissions": 6}.get(metric, 1)
        kept = [p for p in periods if rng.random() < 0.9] or periods[-1:]
        entry["periods"] = {p: _period(rng, kind, months) for p in kept}
        plan["metrics"].append(entry)
    if rng.random() < 0.06:  # a problem or two the schema finds, beside ones only the rules find
        plan["metrics"].append({"metric": "no_such_metric", "periods": {}})
        if plan["metrics"][0].get("periods"):
            first = next(iter(plan["metrics"][0]["periods"].values()))
            first["plan"] = "TBC"
    if rng.random() < 0.04:
        plan["rule_set"] = "bcf-2099"
    return plan


INVALID = [
    {}, [], "text", {"hwb_code": "E06000001"}, {"hwb_code": "X", "metrics": []},
    {"hwb_code": "E06000001", "p4p_pool": -5, "metrics": []},
    {"hwb_code": "E06000001", "p4p_pool": 1000, "metrics": [{"metric": "delayed_transfers",
     "periods": {"april-2015": {"baseline": {"numerator": -1, "denominator": 0}, "plan": "x"},
                 "june-2015": {"baseline": {"value": 1}, "plan": 1}}}], "colour": "red"},
    {"hwb_code": "E06000001", "p4p_pool": 1000, "conditions": {"seven_day_services": {"confirmed": False}},
     "metrics": [{"metric": "reablement", "periods": {"october-2015": {
         "baseline": {"mean": 1, "sd": 1, "n": 5}, "plan": 50, "actual": {"numerator": 5}}}}]},
    {"hwb_code": "E06000001", "p4p_pool": 1000, "metrics": [{"metric": "local", "periods": {}}]},
    {"hwb_code": "E06000001", "p4p_pool": 1000, "metrics": [
        {"metric": "delayed_transfers", "periods": {"april-2015": {"baseline": {"value": 5}, "plan": 4}}},
        {"metric": "delayed_transfers", "periods": {"april-2015": {"baseline": {"value": 5}, "plan": 4}}}]},
    {"hwb_code": "E06000001", "metrics": [{"metric": "delayed_transfers",
     "periods": {"april-2015": {"baseline": {"value": 5}, "plan": 4}}}]},
    {"hwb_code": "E06000001", "p4p_pool": "1e9999", "rule_set": 5},
]


def scenario_requests() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted((ROOT / "tests" / "bcf" / "scenarios").glob("*.yaml")):
        scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
        request = copy.deepcopy(scenario["request"])
        if request.get("conditions") == "all_met":
            request["conditions"] = copy.deepcopy(ALL_MET)
            for name, evidence in (scenario.get("conditions_changes") or {}).items():
                if evidence is None:
                    request["conditions"].pop(name)
                else:
                    request["conditions"][name] = evidence
        request.setdefault("hwb_code", "E06000001")
        request.setdefault("p4p_pool", scenario.get("p4p_pool", "1000000.00"))
        if scenario.get("rule_set_changes"):
            continue  # needs a rule set of its own, which the app does not serve
        out.append((path.stem, request))
    return out


def upload_files(boards: int | None) -> dict[str, bytes]:
    """The templates as they stand (two boards), or their first board copied to every board."""
    if boards is None:
        return {name: (ROOT / "sheets" / "templates" / f"{name}.csv").read_bytes()
                for name in ("metrics", "conditions", "pools")}
    text = (ROOT / "reference_data" / "boards.csv").read_text()
    codes = [row["ons_code"] for row in csv.DictReader(io.StringIO(text))][:boards]
    out = {}
    for name in ("metrics", "conditions", "pools"):
        lines = (ROOT / "sheets" / "templates" / f"{name}.csv").read_text().splitlines()
        example = [line for line in lines[1:] if line.startswith("E06000001,")]
        out[name] = "\r\n".join([lines[0]] + [line.replace("E06000001", code, 1) for code in codes
                                               for line in example]).encode()
    return out


def cases() -> list[dict[str, Any]]:
    """Every request of the golden set, as ``{"name", "method", "path", "json" | "files", "accept"}``."""
    sys.path.insert(0, str(ROOT / "tests" / "api"))
    from calc_example import request as worked_example

    bodies: list[tuple[str, Any]] = [("api.md worked example", worked_example())]
    bodies += [(f"scenario {name}", body) for name, body in scenario_requests()]
    bodies += [(f"random plan {seed}", random_plan(seed)) for seed in range(300)]
    bodies += [(f"invalid {i}", body) for i, body in enumerate(INVALID)]
    out = []
    for name, body in bodies:
        for path in ("/api/v1/calculations", "/api/v1/ambitions"):
            out.append({"name": f"{name} {path}", "method": "POST", "path": path, "json": body})
    broken = upload_files(None)
    broken["metrics"] = (broken["metrics"].replace(b",450,", b",TBC,", 1)
                         + b"\r\nE99999999,reablement,,x,,,,,\r\n")
    for label, files in (("templates", upload_files(None)), ("152 boards", upload_files(152)),
                         ("broken upload", broken)):
        for accept in ("text/csv", "application/json", XLSX):
            out.append({"name": f"{label} as {accept}", "method": "POST", "path": "/api/v1/calculations/csv",
                        "files": files, "accept": accept})
    for path in ("/api/v1/hwbs", "/api/v1/hwbs/E06000001", "/api/v1/metrics", "/api/v1/rule-sets",
                 "/api/v1/rule-sets/bcf-2015-16", "/api/v1/templates/metrics.csv",
                 "/api/v1/templates/conditions.csv", "/api/v1/templates/pools.csv", "/api/v1/hwbs/nope"):
        out.append({"name": f"GET {path}", "method": "GET", "path": path})
    return out


def send(client, case: dict[str, Any]):
    headers = {"Accept": case["accept"]} if "accept" in case else {}
    if case["method"] == "GET":
        return client.get(case["path"], headers=headers)
    if "files" in case:
        form = {name: (io.BytesIO(content), f"{name}.csv") for name, content in case["files"].items()}
        return client.post(case["path"], data=form, content_type="multipart/form-data", headers=headers)
    return client.post(case["path"], data=json.dumps(case["json"]), content_type="application/json")


def document(response) -> Any:
    """The answer as a reader sees it: parsed JSON (floats as Decimal), CSV text, or XLSX cell values."""
    kind = response.mimetype
    data = response.get_data()
    if kind.endswith("json"):
        return json.loads(data, parse_float=str)  # as text: compared as Decimal in the test
    if kind == XLSX:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data))
        return {sheet.title: [[None if c is None else str(c) for c in row]
                              for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}
    return data.decode("utf-8-sig")


def answer(client, case: dict[str, Any]) -> dict[str, Any]:
    response = send(client, case)
    return {"status": response.status_code, "type": response.mimetype, "body": document(response)}


def main(argv: list[str] | None = None) -> None:
    """Record every answer, or with ``--only NAME…`` just those cases (a deliberate change of them)."""
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="re-record only these cases")
    only = parser.parse_args(argv).only
    sys.path.insert(0, str(ROOT))
    from api import create_app

    chosen = [case for case in cases() if only is None or case["name"] in only]
    if only and len(chosen) != len(set(only)):
        parser.error(f"no such case: {sorted(set(only) - {case['name'] for case in chosen})}")
    answers = {} if only is None else json.loads(gzip.decompress(ANSWERS.read_bytes()).decode("utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp}/golden.sqlite3",
                          "ALLOCATIONS_FILE": f"{tmp}/allocations.csv"})
        client = app.test_client()
        answers.update({case["name"]: answer(client, case) for case in chosen})
    with gzip.open(ANSWERS, "wt", encoding="utf-8") as out:
        json.dump(answers, out, ensure_ascii=False, sort_keys=True)
    print(f"{len(chosen)} of {len(answers)} answers written to {ANSWERS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
