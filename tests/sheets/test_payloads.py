"""Rows → one api.md request per board, and every CSV-level problem located by file, row and column."""

import pytest

from sheets.payloads import build_requests, describe
from sheets.reading import Location

HEADER = ("hwb_code,metric,local_metric,period,baseline_numerator,baseline_denominator,baseline_value,"
          "plan,actual_numerator,actual_denominator,actual_value\n")


def build(boards, metrics: str, conditions: str | None = None, pools: str | None = None):
    files = {"metrics": metrics.encode(), "conditions": conditions and conditions.encode(),
             "pools": pools and pools.encode()}
    return build_requests(files, boards)


def messages(problems):
    return {str(location): message for location, message in problems}


def test_template_becomes_two_api_md_requests(boards, template_files):
    requests, problems = build_requests(template_files, boards)
    assert problems == []
    assert [r.hwb_code for r in requests] == ["E06000001", "E08000021"]
    assert [r.hwb_name for r in requests] == ["Hartlepool", "Newcastle upon Tyne"]
    hartlepool = requests[0].payload
    assert hartlepool["p4p_pool"] == "2200000.00"
    # the metrics.csv rows 2 and 7 of the template, as api.md's example shapes them
    delayed = hartlepool["metrics"][0]
    assert delayed == {"metric": "delayed_transfers", "periods": {
        "april-2015": {"baseline": {"numerator": 3100, "denominator": 72000}, "plan": 440,
                       "actual": {"numerator": 2890, "denominator": 72400}},
        "october-2015": {"baseline": {"numerator": 2100, "denominator": 72400}, "plan": 450,
                         "actual": {"numerator": 1990, "denominator": 72600},
                         "history": [510.2, 495, 480.3]}}}
    assert [m["metric"] for m in hartlepool["metrics"]] == [
        "delayed_transfers", "avoidable_emergency_admissions", "local", "residential_admissions",
        "reablement", "patient_experience"]
    local = hartlepool["metrics"][2]
    assert local["local_metric"] == "PHOF-2.24i" and set(local["periods"]) == {"april-2015", "october-2015"}
    experience = hartlepool["metrics"][5]
    assert experience["definition"]["type"] == "proportion"
    assert experience["definition"]["polarity"] == "higher"
    assert set(experience["definition"]) == {"name", "type", "polarity", "unit", "source", "jhws_link"}
    # a score: the mean travels in baseline_numerator
    newcastle_local = requests[1].payload["metrics"][2]
    assert newcastle_local["periods"]["april-2015"]["baseline"] == {"mean": 18.9, "sd": 3.9, "n": 520}
    conditions = hartlepool["conditions"]
    assert conditions["plans_jointly_agreed"] == {"hwb_signed_off": True, "councils_signed_off": True,
                                                  "ccgs_signed_off": True, "providers_engaged": True}
    assert conditions["data_sharing"]["open_apis"] is False
    assert conditions["data_sharing"]["open_apis_planned_date"] == "2015-03-31"  # from 31/03/2015
    assert conditions["joint_assessment"]["case_managed_proportion"] == pytest.approx(0.04)
    assert conditions["acute_sector_impact"]["providers_assessed"] == [
        "North Tees and Hartlepool NHS Foundation Trust", "Tees Esk and Wear Valleys NHS Foundation Trust"]
    assert set(conditions) == {"plans_jointly_agreed", "protect_social_care", "seven_day_services",
                               "data_sharing", "joint_assessment", "acute_sector_impact"}


def test_json_paths_map_back_to_the_cells(boards, template_files):
    requests, _ = build_requests(template_files, boards)
    newcastle = requests[1]
    # metrics.csv: header row 1, Hartlepool rows 2-10, Newcastle rows 11-19: ASCOF-1A april in row 13,
    # delayed_transfers october in row 16, patient_experience in row 18
    assert str(newcastle.locate("metrics[2].periods.april-2015.baseline.sd")) == \
        "metrics.csv row 13, column baseline_sd"
    assert str(newcastle.locate("metrics[2].periods.april-2015.baseline.mean")) == \
        "metrics.csv row 13, column baseline_numerator"
    assert str(newcastle.locate("metrics.0.periods.october-2015.plan")) == "metrics.csv row 16, column plan"
    assert str(newcastle.locate("metrics[0].periods.october-2015.history[2]")) == \
        "metrics.csv row 16, column history"
    assert str(newcastle.locate("metrics[5].definition.polarity")) == \
        "metrics.csv row 18, column definition_polarity"
    assert str(newcastle.locate("metrics[2].local_metric")) == "metrics.csv row 13, column local_metric"
    assert str(newcastle.locate("metrics[2].metric")) == "metrics.csv row 13, column metric"
    assert str(newcastle.locate("metrics[1].periods.april-2015")) == "metrics.csv row 12, column period"
    # an unrecorded leaf falls back to its nearest recorded parent
    assert str(newcastle.locate("metrics[1].periods.april-2015.baseline.bands")) == \
        "metrics.csv row 12, column baseline_numerator"
    assert str(newcastle.locate("conditions.acute_sector_impact.providers_assessed[1]")) == \
        "conditions.csv row 30, column value"
    assert str(newcastle.locate("conditions.seven_day_services.explanation")) == \
        "conditions.csv row 22, column condition"
    assert str(newcastle.locate("p4p_pool")) == "pools.csv row 3, column p4p_pool"
    assert str(newcastle.locate("rule_set")) == "metrics.csv row 11, column hwb_code"


PERIOD_COLUMNS = {"plan": "plan", "history": "history"}  # JSON part of a period → column (blocks below)
BLOCK_COLUMNS = {"numerator": "numerator", "denominator": "denominator", "value": "value",
                 "mean": "numerator", "sd": "sd", "n": "n"}


def test_every_part_of_every_period_is_located_in_its_own_row(boards, template_files):
    """The cells of a period are located only when asked (``BoardRequest.periods``): each value the request
    carries must still lead to the row it was read from and the column that held it, whatever the block's
    shape (counts, a score, a bare value, no actual, a history, no baseline)."""
    metrics = template_files["metrics"].decode().replace(
        "E06000001,reablement,,october-2015,310,370,,,,88,335,380,,,,",
        "E06000001,reablement,,october-2015,,,0.84,,,88,,,,,,")  # a bare value, no actual
    metrics += "E06000001,residential_admissions,,april-2015,,,,,,930,180,17100,,,,1;2\r\n"  # no baseline
    requests, problems = build(boards, metrics)
    assert [str(location) for location, _ in problems] == ["metrics.csv row 20, column baseline_numerator"]
    lines = metrics.splitlines()
    checked = set()
    for request in requests:
        for index, metric in enumerate(request.payload["metrics"]):
            for period, parts in metric["periods"].items():
                path = f"metrics[{index}].periods.{period}"
                row = request.locate(path).row
                assert lines[row - 1].split(",")[1:4:2] == [metric["metric"], period]
                assert request.locate(path).column == "period"
                assert request.locate(f"{path}.baseline").column.startswith("baseline_")
                for part, value in parts.items():
                    if isinstance(value, dict):
                        for name in value:
                            where = request.locate(f"{path}.{part}.{name}")
                            assert where == Location("metrics.csv", row, f"{part}_{BLOCK_COLUMNS[name]}")
                            checked.add((part, name))
                        first = next(iter(value))  # a block as a whole: its first part's cell
                        assert request.locate(f"{path}.{part}") == request.locate(f"{path}.{part}.{first}")
                    else:
                        where = request.locate(f"{path}.{part}")
                        assert where == Location("metrics.csv", row, PERIOD_COLUMNS[part])
                        checked.add(part)
                    if part == "history":
                        for position in range(len(value)):
                            assert request.locate(f"{path}.history[{position}]") == \
                                Location("metrics.csv", row, "history")
                        assert request.locate(f"{path}.history[{len(value)}]") == \
                            Location("metrics.csv", row, "history")  # the list's own cell, as a parent
    assert checked >= {("baseline", "numerator"), ("baseline", "denominator"), ("baseline", "value"),
                       ("baseline", "mean"), ("baseline", "sd"), ("baseline", "n"), ("actual", "mean"),
                       ("actual", "numerator"), "plan", "history"}


def test_every_bad_cell_is_reported_at_once(boards):
    metrics = HEADER + (
        "E06000001,delayed_transfers,,april-2015,3100,72000,,TBC,2950,72400,\n"     # row 2: plan
        "E06000001,reablement,,october-2015,1,23,,,88,,,\n"                       # row 3: columns shifted
        "E99999999,reablement,,october-2015,\"1,23\",370,,88,,,\n"                # row 4: board + number
        "E06000001,delayed_transfers,,april-2015,3100,72000,,440,,,\n"            # row 5: duplicate
        "E06000001,avoidable_emergency_admissions,,april-2015,1450,92000,262.7,245,,,\n"  # row 6: both
        "E06000001,residential_admissions,,october-2015,,,,940,160,,\n"           # row 7: no baseline
        ",,,,,,,,,,\n"                                                            # row 8: blank
        "E06000001,,,,,,,1,,,\n"                                                  # row 9: no metric
    )
    _, problems = build(boards, metrics)
    found = messages(problems)
    assert found["metrics.csv row 2, column plan"] == "plan must be a number; got 'TBC'"
    assert found["metrics.csv row 3, column plan"] == \
        "plan is empty; give the planned value (the level of ambition)"
    assert "unknown board code 'E99999999'" in found["metrics.csv row 4, column hwb_code"]
    assert "ambiguous" in found["metrics.csv row 4, column baseline_numerator"]
    assert found["metrics.csv row 5, column period"] == \
        "duplicate row: E06000001 delayed_transfers april-2015 is also given in row 2"
    assert "not both" in found["metrics.csv row 6, column baseline_value"]
    assert "the baseline is missing" in found["metrics.csv row 7, column baseline_numerator"]
    assert "actual_denominator is empty" in found["metrics.csv row 7, column actual_denominator"]
    assert found["metrics.csv row 9, column metric"] == "metric is empty"
    assert found["metrics.csv row 9, column period"] == "period is empty"
    assert not any("row 8" in k for k in found)


def test_score_and_definition_rules(boards):
    metrics = ("hwb_code,metric,local_metric,period,baseline_numerator,baseline_denominator,baseline_sd,"
               "baseline_n,plan,definition_name,history\n"
               "E06000001,local,ASCOF-1A,april-2015,18.9,100,3.9,,19.5,,\n"          # row 2
               "E06000001,local,ASCOF-1D,october-2015,7.9,,1.1,400,8.2,,\n"          # row 3: differs
               "E06000001,reablement,,october-2015,310,370,,,88,My name,1;x;;3\n"     # row 4
               "E06000001,patient_experience,PHOF-1.18i,october-2015,310,370,,,88,A name,\n")  # row 5
    _, problems = build(boards, metrics)
    found = messages(problems)
    assert "a score is given as baseline_numerator (the mean)" in \
        found["metrics.csv row 2, column baseline_n"]
    assert "baseline_denominator" in found["metrics.csv row 2, column baseline_denominator"]
    assert found["metrics.csv row 3, column local_metric"] == \
        "local_metric 'ASCOF-1D' differs from 'ASCOF-1A' in row 2; one metric has one value"
    assert "only for patient_experience and a local alternative" in \
        found["metrics.csv row 4, column definition_name"]
    history = [m for loc, m in problems if str(loc) == "metrics.csv row 4, column history"]
    hint = " (values are separated by ';', oldest first)"
    assert history == ["history value 2 must be a number; got 'x'" + hint,
                       "history value 3 is missing" + hint]
    assert "local_metric is only for metric 'local'" in found["metrics.csv row 5, column local_metric"]
    assert "not both" in found["metrics.csv row 5, column definition_name"]


def test_conditions_problems(boards, template_files):
    conditions = ("hwb_code,condition,field,value\n"
                  "E06000001,seven_day_services,confirmed,maybe\n"          # row 2
                  "E06000001,seven_day_service,confirmed,TRUE\n"            # row 3
                  "E06000001,data_sharing,open_api,TRUE\n"                  # row 4
                  "E06000001,data_sharing,open_apis_planned_date,31/3/15\n"  # row 5
                  "E06000001,joint_assessment,case_managed_proportion,4 pc\n"  # row 6
                  "E06000002,protect_social_care,explanation,x\n"           # row 7: not in metrics.csv
                  "E06000001,protect_social_care,explanation,x\n"           # row 8
                  "E06000001,protect_social_care,explanation,y\n"           # row 9: twice
                  "E06000001,acute_sector_impact,providers_assessed,\n")    # row 10
    _, problems = build(boards, template_files["metrics"].decode(), conditions)
    found = messages(problems)
    assert found["conditions.csv row 2, column value"] == \
        "seven_day_services confirmed must be TRUE or FALSE (or yes/no); got 'maybe'"
    assert "unknown condition 'seven_day_service'" in found["conditions.csv row 3, column condition"]
    assert found["conditions.csv row 4, column field"].startswith("data_sharing has no field 'open_api'; its "
                                                                  "fields are nhs_number_primary_identifier")
    assert "DD/MM/YYYY" in found["conditions.csv row 5, column value"]
    assert "must be a number; got '4 pc'" in found["conditions.csv row 6, column value"]
    assert found["conditions.csv row 7, column hwb_code"] == ("board E06000002 has conditions but no rows in "
                                                             "metrics.csv")
    assert "also given in row 8" in found["conditions.csv row 9, column field"]
    assert "give one item per row" in found["conditions.csv row 10, column value"]
    assert len(problems) == 8


def test_pools_problems_and_extra_boards(boards, template_files):
    pools = ("hwb_code,p4p_pool\n"
             "E06000001,\"2,200,000.00\"\n"   # row 2: fine, quoted with separators
             "E06000002,123.45\n"             # row 3: a board not in metrics.csv: checked, unused
             "E06000001,5\n"                   # row 4: twice
             "E08000021,TBC\n"                 # row 5
             "X,1\n")                          # row 6
    requests, problems = build(boards, template_files["metrics"].decode(), pools=pools)
    found = messages(problems)
    assert requests[0].payload["p4p_pool"] == "2200000.00"
    assert "has a pool in row 2 too" in found["pools.csv row 4, column hwb_code"]
    assert found["pools.csv row 5, column p4p_pool"] == "p4p_pool must be a number; got 'TBC'"
    assert "unknown board code 'X'" in found["pools.csv row 6, column hwb_code"]
    assert len(problems) == 3


def test_missing_required_file_and_bad_optional_file(boards):
    _, problems = build_requests({"metrics": None, "conditions": b"PK\x03\x04"}, boards)
    assert describe(problems) == [
        {"location": "metrics.csv", "message": "this file is required (upload it as the 'metrics' field)"},
        {"location": "conditions.csv",
         "message": "this is an Excel workbook (.xlsx) or another zip file, not a CSV file; save it from "
                    "Excel as \"CSV UTF-8 (Comma delimited)\" or \"CSV (Comma delimited)\""},
    ]


def test_describe_orders_by_file_row_and_column():
    problems = [(Location("pools.csv", 2, "p4p_pool"), "c"), (Location("metrics.csv", 10, "plan"), "b"),
                (Location("metrics.csv", 2, "plan"), "a"), (Location("metrics.csv", 2, "plan"), "a")]
    assert [p["message"] for p in describe(problems)] == ["a", "b", "c"]


# --- issue 15: one number reader, % on the field's scale -------------------------------------------

@pytest.fixture(scope="module")
def catalogue():
    from pathlib import Path

    from bcf.catalogue import load_catalogue
    return load_catalogue(Path(__file__).resolve().parents[2] / "reference_data" / "metric_catalogue.yaml")


def test_a_percentage_is_read_on_the_scale_of_its_field(boards, catalogue):
    """reablement is a proportion (unit %, values 0–100): 88% is 88 and 0.5% in history is 0.5;
    case_managed_proportion is a 0–1 fraction (rules §3): 4% is 0.04; thousands separators as ever."""
    metrics = HEADER.rstrip("\n") + ",history\n" + \
        'E06000001,reablement,,october-2015,"1,310","1,370",,88%,,,,80%;0.5%\n'
    conditions = "hwb_code,condition,field,value\nE06000001,joint_assessment,case_managed_proportion,4%\n"
    files = {"metrics": metrics.encode(), "conditions": conditions.encode()}
    requests, problems = build_requests(files, boards, catalogue)
    assert problems == []
    period = requests[0].payload["metrics"][0]["periods"]["october-2015"]
    assert period["baseline"] == {"numerator": 1310, "denominator": 1370}
    assert (period["plan"], period["history"]) == (88, [80, 0.5])
    assert requests[0].payload["conditions"]["joint_assessment"]["case_managed_proportion"] == 0.04


def test_a_percentage_for_a_metric_that_is_not_one_is_refused(boards, catalogue):
    metrics = HEADER + "E06000001,delayed_transfers,,april-2015,3100,72000,,3%,,,\n"
    files = {"metrics": metrics.encode()}
    _, problems = build_requests(files, boards, catalogue)
    found = messages(problems)
    assert found["metrics.csv row 2, column plan"].startswith(
        "plan has a %, but delayed_transfers is measured in ")
    assert "give the value without %" in found["metrics.csv row 2, column plan"]


@pytest.mark.parametrize(("column", "cell"), [("baseline_numerator", "3%"), ("baseline_denominator", "5 %")])
def test_a_count_refuses_a_percentage(boards, column, cell):
    cells = {"baseline_numerator": "3100", "baseline_denominator": "72000", column: cell}
    metrics = HEADER + (f"E06000001,delayed_transfers,,april-2015,{cells['baseline_numerator']},"
                        f"{cells['baseline_denominator']},,440,,,\n")
    _, problems = build(boards, metrics)
    assert messages(problems)[f"metrics.csv row 2, column {column}"] == \
        f"{column} must be a number without %; got {cell!r}"


@pytest.mark.parametrize(("cell", "digit"), [
    ("\uff14\uff14\uff10", "Fullwidth Digit Four"),        # ４４０
    ("\u0664\u0664\u0660", "Arabic-Indic Digit Four"),     # ٤٤٠
    ("44\u06f0", "Extended Arabic-Indic Digit Zero"),      # 44۰
])
def test_digits_of_other_scripts_are_refused_naming_the_cell(boards, cell, digit):
    metrics = HEADER + f"E06000001,delayed_transfers,,april-2015,3100,72000,,{cell},,,\n"
    _, problems = build(boards, metrics)
    message = messages(problems)["metrics.csv row 2, column plan"]
    assert message.startswith(f"plan must be a number written with the digits 0-9; got {cell!r}")
    assert digit in message


def test_a_value_without_a_header_is_listed_with_the_cells_problems(boards):
    """A stray cell once hid every other problem of the upload (issue 15: all problems at once)."""
    metrics = (HEADER + "E06000001,delayed_transfers,,april-2015,3100,72000,,TBC,,,\n"
               + "E06000001,delayed_transfers,,october-2015,2100,72400,,450,,,,extra\n")
    _, problems = build(boards, metrics)
    found = messages(problems)
    assert found["metrics.csv row 3"] == "value 'extra' is in column 12, which has no header"
    assert "metrics.csv row 2, column plan" in found
