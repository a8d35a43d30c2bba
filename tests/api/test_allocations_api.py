"""/api/v1/allocations and `flask --app wsgi bcf load-allocations`.

ALL AMOUNTS HERE ARE SYNTHETIC (made up for the tests; no real 2015/16 allocation ships with the service).
"""

import csv
import io
import os
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

PROBLEM = "application/problem+json"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
A, B = "E06000001", "E06000002"
# every column an input file may have (bcf.allocation_files), besides descriptive *_name columns
INPUT_COLUMNS = ("ccg_code", "hwb_code", "share", "council_code", "ccg_core_nhs", "ccg_reablement",
                 "carers_breaks", "social_care_transfer", "dfg", "social_care_capital_grant",
                 "ccg_contribution", "minimum_fund", "p4p_amount")

# synthetic: CCG 00A wholly in board A; CCG 00B split 3:1 between boards A and B
CCG_AMOUNTS = "ccg_code,ccg_core_nhs,social_care_transfer\n00A,1000000,500000\n00B,400000,200000\n"
CCG_TO_HWB = "ccg_code,hwb_code,share\n00A,E06000001,1\n00B,E06000001,0.75\n00B,E06000002,0.25\n"
GRANTS = "council_code,dfg,social_care_capital_grant\nE06000001,30000,10000\nE06000002,20000,5000\n"
# synthetic published per-board table (issue 5's columns)
PUBLISHED = ("hwb_code,ccg_contribution,dfg,social_care_capital_grant,minimum_fund,p4p_amount\n"
             "E06000001,2000000,30000,10000,2040000,600000.00\n"
             "E06000002,150000,20000,5000,175000,51470.59\n")


def json_body():
    return {
        "ccg_amounts": [{"ccg_code": "00A", "ccg_core_nhs": 1000000, "social_care_transfer": "500000"},
                        {"ccg_code": "00B", "ccg_core_nhs": 400000.0, "social_care_transfer": 200000}],
        "ccg_to_hwb": [{"ccg_code": "00A", "hwb_code": A, "share": 1},
                       {"ccg_code": "00B", "hwb_code": A, "share": 0.75},
                       {"ccg_code": "00B", "hwb_code": B, "share": "0.25"}],
        "council_grants": [{"council_code": A, "dfg": 30000, "social_care_capital_grant": 10000},
                           {"council_code": B, "dfg": 20000, "social_care_capital_grant": 5000}],
    }


def check_synthetic_table(boards):
    """Figures worked by hand for the synthetic inputs above."""
    a, b = boards
    assert (a["hwb_code"], b["hwb_code"]) == (A, B)
    # A: core 1,000,000 + 0.75 × 400,000 = 1,300,000; transfer 500,000 + 0.75 × 200,000 = 650,000
    core = a["components"]["ccg_core_nhs"]
    assert (core["amount"], core["source"]) == (1300000.0, "derived")
    parts = "00A £1,000,000.00 × 1 = £1,000,000.00; 00B £400,000.00 × 0.75 = £300,000.00"
    assert parts in core["explanation"]
    assert a["components"]["social_care_transfer"]["amount"] == 650000.0
    assert a["components"]["dfg"]["source"] == "user_supplied"
    assert a["ccg_contribution"]["amount"] == 1950000.0
    assert a["minimum_fund"]["amount"] == 1990000.0  # + 30,000 + 10,000
    # B: 100,000 + 50,000 + 20,000 + 5,000
    assert b["minimum_fund"]["amount"] == 175000.0
    # pools: £1bn × 1,990,000 ÷ 2,165,000 = 919,168,591.224 → 919,168,591.22; B takes the rest
    assert a["p4p_pool"]["amount"] == 919168591.22
    assert b["p4p_pool"]["amount"] == 80831408.78
    assert [t["amount"] for t in b["tranches"]] == [20207852.2, 20207852.2, 40415704.39]
    assert [t["tranche"] for t in b["tranches"]] == ["april-2015/conditions", "april-2015/metrics",
                                                     "october-2015/metrics"]
    assert a["source"] == b["source"] == "illustrative"


def test_calculate_from_json(client):
    response = client.post("/api/v1/allocations/calculate", json=json_body())
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    check_synthetic_table(body["boards"])
    assert body["rule_set"] == "bcf-2015-16"
    assert body["totals"]["p4p_pool"] == 1000000000.0
    dfg = next(w for w in body["warnings"] if w["code"] == "national-total-mismatch" and w["figure"] == "dfg")
    assert dfg["difference"] == 50000 - 220000000


def test_calculate_json_problems_are_all_listed_with_json_paths(client):
    body = json_body()
    body["ccg_to_hwb"][2]["share"] = 0.2  # 00B: 0.75 + 0.2
    body["council_grants"][1]["dfg"] = -1
    response = client.post("/api/v1/allocations/calculate", json=body)
    assert response.status_code == 422
    assert response.content_type == PROBLEM
    problem = response.get_json()
    assert {e["location"] for e in problem["errors"]} == {"ccg_to_hwb[1].share", "council_grants[1].dfg"}


def test_calculate_json_of_the_wrong_shape_is_422(client):
    response = client.post("/api/v1/allocations/calculate", json={"ccg_amounts": "00A,1", "extra": 1})
    assert response.status_code == 422
    locations = {e["location"] for e in response.get_json()["errors"]}
    assert {"ccg_amounts", "extra"} <= locations


def upload(**files):
    return {name: (io.BytesIO(text.encode()), filename) for name, (filename, text) in files.items()}


def test_calculate_from_csv_files(client):
    data = upload(ccg_amounts=("ccg_amounts.csv", CCG_AMOUNTS), ccg_to_hwb=("my split.csv", CCG_TO_HWB),
                  council_grants=("grants.csv", GRANTS))
    response = client.post("/api/v1/allocations/calculate", data=data, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    check_synthetic_table(response.get_json()["boards"])


def test_csv_files_as_excel_writes_them_and_empty_parts(client):
    """Issue 15: thousands separators and percentage shares read as in the calculator's CSVs, and an
    empty optional part (the docs page sends every part) is as if not sent."""
    amounts = ('ccg_code,ccg_core_nhs,social_care_transfer\n'
               '00A,"1,000,000","500,000.00"\n00B,"400,000",200000\n')
    split = CCG_TO_HWB.replace("0.75", "75%").replace("0.25", "25%")
    data = upload(ccg_amounts=("ccg_amounts.csv", amounts), ccg_to_hwb=("my split.csv", split),
                  council_grants=("grants.csv", GRANTS), published=("published.csv", ""))
    response = client.post("/api/v1/allocations/calculate", data=data, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    check_synthetic_table(response.get_json()["boards"])


def test_csv_file_problems_name_the_uploaded_file_row_and_column(client):
    bad_split = CCG_TO_HWB.replace("0.25", "0.2")
    data = upload(ccg_amounts=("ccg_amounts.csv", CCG_AMOUNTS), ccg_to_hwb=("split.csv", bad_split))
    response = client.post("/api/v1/allocations/calculate", data=data, content_type="multipart/form-data")
    assert response.status_code == 422 and response.content_type == PROBLEM
    [error] = response.get_json()["errors"]
    assert error["location"] == "split.csv row 3, column share"
    assert "rows 3, 4" in error["message"] and "0.95" in error["message"]


def test_unknown_file_field_is_422(client):
    data = upload(grants=("grants.csv", GRANTS))
    response = client.post("/api/v1/allocations/calculate", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["location"] == "grants"


def test_calculate_answers_csv_by_accept(client):
    response = client.post("/api/v1/allocations/calculate", json=json_body(), headers={"Accept": "text/csv"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["hwb_code"] for r in rows] == [A, B]
    assert rows[0]["minimum_fund"] == "1990000.00" and rows[0]["minimum_fund_source"] == "derived"
    assert rows[1]["p4p_pool"] == "80831408.78"
    assert "remainder" in rows[1]["p4p_pool_explanation"]


def test_calculate_answers_xlsx_by_accept(client):
    response = client.post("/api/v1/allocations/calculate", json=json_body(), headers={"Accept": XLSX})
    assert response.status_code == 200 and response.mimetype == XLSX
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["allocations"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["rule_set", "hwb_code", "hwb_name", "source"]
    assert sheet.freeze_panes == "C2"
    pool = sheet.cell(row=3, column=header.index("p4p_pool") + 1)
    assert isinstance(pool.value, int | float) and pool.value == pytest.approx(80831408.78)
    assert "£" in pool.number_format
    assert sheet.cell(row=2, column=header.index("minimum_fund_source") + 1).value == "derived"
    warnings = book["warnings"]
    assert [c.value for c in warnings[1]] == ["code", "message", "hwb_code", "figure", "difference"]
    assert warnings.max_row > 1


def test_openapi_documents_the_allocation_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    wanted = {"/api/v1/allocations", "/api/v1/allocations/calculate", "/api/v1/allocations/{code}"}
    assert wanted <= set(paths)


# --- the stored table --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/allocations", f"/api/v1/allocations/{A}"])
def test_without_a_table_the_answer_says_how_to_load_one(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.content_type == PROBLEM
    assert "flask --app wsgi bcf load-allocations" in response.get_json()["detail"]


def test_without_a_table_there_is_no_default_pool(app):
    assert app.extensions["calculator"].pool_lookup(A) is None


def write(tmp_path, **files):
    paths = []
    for name, text in files.items():
        path = tmp_path / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    return paths


def load(app, *paths):
    return app.test_cli_runner().invoke(args=["bcf", "load-allocations", *paths])


def test_cli_load_then_get(app, client, tmp_path):
    files = write(tmp_path / "..", grants=GRANTS, split=CCG_TO_HWB, amounts=CCG_AMOUNTS)  # any order
    result = load(app, *files, "--partial", "--national-minimum-fund", "3800000000")
    assert result.exit_code == 0, result.output
    assert "Loaded 2 board(s)" in result.output and "warning:" in result.output
    listing = client.get("/api/v1/allocations")
    assert listing.status_code == 200
    a, b = listing.get_json()["boards"]
    assert a["minimum_fund"]["amount"] == 1990000.0 and b["minimum_fund"]["amount"] == 175000.0
    # shares of the whole country: £1bn × 1,990,000 ÷ 3,800,000,000 = 523,684.21; × 175,000 ÷ … = 46,052.63
    assert (a["p4p_pool"]["amount"], b["p4p_pool"]["amount"]) == (523684.21, 46052.63)
    one = client.get(f"/api/v1/allocations/{B}").get_json()
    assert one["p4p_pool"]["amount"] == 46052.63 and one["source"] == "illustrative"
    assert app.extensions["calculator"].pool_lookup(B) == Decimal("46052.63")
    assert app.extensions["calculator"].pool_lookup("E06000003") is None  # a board not in the table
    missing = client.get("/api/v1/allocations/E06000003")
    assert missing.status_code == 404 and "no row for board E06000003" in missing.get_json()["detail"]
    unknown = client.get("/api/v1/allocations/E99999999")
    assert unknown.status_code == 404 and unknown.get_json()["type"].endswith("unknown-board")
    assert client.get("/api/v1/allocations/X99").status_code == 404  # not a board's code at all
    # /calculate is not read as a board: it takes POST only
    allow = client.open("/api/v1/allocations/calculate", method="OPTIONS").headers["Allow"]
    assert sorted(allow.split(", ")) == ["OPTIONS", "POST"]
    assert client.get("/api/v1/allocations/calculate").status_code == 405
    as_csv = client.get("/api/v1/allocations", headers={"Accept": "text/csv"})
    assert as_csv.mimetype == "text/csv" and as_csv.get_data(as_text=True).count("\n") == 3


def test_cli_refuses_derived_pools_shared_among_part_of_the_country(app, client, tmp_path):
    """Issue 15: one board's files made its pool the whole £1bn, loaded with a warning and exit 0."""
    one_board = write(tmp_path, amounts="ccg_code,ccg_core_nhs\n00A,1900000\n",
                      split="ccg_code,hwb_code,share\n00A,E06000001,1\n",
                      grants="council_code,dfg,social_care_capital_grant\nE06000001,60000,40000\n")
    result = load(app, *one_board)
    assert result.exit_code == 1, result.output
    assert "Not loaded: The inputs cover 1 of the 152 boards" in result.output
    assert "151 missing: E06000002, E06000003, E06000004, E06000005, E06000006 and 146 more" in result.output
    assert "--partial --national-minimum-fund AMOUNT" in result.output
    assert not app.extensions["allocations"].path.exists()
    assert client.get("/api/v1/allocations").status_code == 404
    assert app.extensions["calculator"].pool_lookup(A) is None
    # the same files with the national Σ: the board's share of the whole country
    result = load(app, *one_board, "--partial", "--national-minimum-fund", "3,800,000,000.00")
    assert result.exit_code == 0, result.output
    assert app.extensions["calculator"].pool_lookup(A) == Decimal("526315.79")


@pytest.mark.parametrize("flags", [["--partial"], ["--national-minimum-fund", "3800000000"]])
def test_partial_and_the_national_minimum_fund_go_together(app, tmp_path, flags):
    result = load(app, *write(tmp_path, published=PUBLISHED), *flags)
    assert result.exit_code == 2 and "go together" in result.output
    assert not app.extensions["allocations"].path.exists()


@pytest.mark.parametrize("amount", ["-5", "lots", "1.234"])
def test_a_national_minimum_fund_must_be_pounds(app, tmp_path, amount):
    result = load(app, *write(tmp_path, published=PUBLISHED), "--partial", "--national-minimum-fund", amount)
    assert result.exit_code == 2 and "--national-minimum-fund" in result.output


def test_the_loaders_warnings_are_kept_with_the_table(app, client, tmp_path):
    result = load(app, *write(tmp_path, published=PUBLISHED))
    assert result.exit_code == 0, result.output
    printed = [line.removeprefix("warning: ") for line in result.output.splitlines()
               if line.startswith("warning: ")]
    assert printed
    served = client.get("/api/v1/allocations").get_json()["warnings"]
    assert [warning["message"] for warning in served] == printed
    partial = next(warning for warning in served if warning["code"] == "partial-coverage")
    assert "cover 2 of the 152 boards" in partial["message"]
    dfg = next(warning for warning in served if warning["code"] == "national-total-mismatch"
               and warning["figure"] == "dfg")
    assert dfg["difference"] == 50000 - 220000000  # the amount, read back from the sidecar
    sidecar = app.extensions["allocations"].path.with_name("allocations.warnings.json")
    assert sidecar.exists()


def test_an_existing_table_is_replaced_only_with_replace(app, client, tmp_path):
    assert load(app, *write(tmp_path, published=PUBLISHED)).exit_code == 0
    stored = app.extensions["allocations"].path
    before = stored.read_bytes()
    new = PUBLISHED.replace("600000.00", "700000.00").replace("E06000002,", "E06000003,")
    result = load(app, *write(tmp_path, published=new))
    assert result.exit_code == 1, result.output
    assert "already holds a table; give --replace to overwrite it" in result.output
    assert "1 board(s) added, 1 removed, 1 with a changed pool, 0 with other figures changed, " \
        "0 unchanged" in result.output
    assert "E06000001 Hartlepool: pool £600,000.00 → pool £700,000.00" in result.output
    assert "E06000003 Redcar and Cleveland: pool £51,470.59" in result.output  # added
    assert "E06000002 Middlesbrough: pool £51,470.59" in result.output  # removed
    assert stored.read_bytes() == before
    result = load(app, *write(tmp_path, published=new), "--replace")
    assert result.exit_code == 0, result.output
    assert "pool £600,000.00 → pool £700,000.00" in result.output
    stat = stored.stat()
    os.utime(stored, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # coarse clocks
    assert app.extensions["calculator"].pool_lookup(A) == Decimal("700000.00")
    assert app.extensions["calculator"].pool_lookup(B) is None


def test_help_names_every_input_files_columns(app):
    result = app.test_cli_runner().invoke(args=["bcf", "load-allocations", "--help"])
    assert result.exit_code == 0
    for name in ("ccg_amounts.csv", "ccg_to_hwb.csv", "council_grants.csv", "published.csv", *INPUT_COLUMNS,
                 "--partial", "--national-minimum-fund", "--replace"):
        assert name in result.output, name


def test_readme_names_every_input_files_columns():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Allocations"):readme.index("## The calculator API")]
    for name in ("ccg_amounts.csv", "ccg_to_hwb.csv", "council_grants.csv", "published.csv", *INPUT_COLUMNS,
                 "--partial", "--national-minimum-fund", "--replace", "allocations.warnings.json",
                 "load-allocations --help", "BCF_ALLOCATIONS_FILE"):
        assert name in section, name


def test_cli_loads_a_published_table_and_calculations_default_to_its_pool(app, client, tmp_path):
    result = load(app, *write(tmp_path, published=PUBLISHED))
    assert result.exit_code == 0, result.output
    one = client.get(f"/api/v1/allocations/{A}").get_json()
    assert one["source"] == "published"
    assert one["p4p_pool"] == {"amount": 600000.0, "source": "published",
                               "explanation": "published: published.csv row 2, column p4p_amount"}
    assert one["components"]["ccg_core_nhs"]["amount"] is None  # not in a published table
    assert [t["amount"] for t in one["tranches"]] == [150000.0, 150000.0, 300000.0]
    assert app.extensions["calculator"].pool_lookup(A) == Decimal("600000.00")
    calculation = client.post("/api/v1/calculations", json={"hwb_code": A, "metrics": []})
    assert calculation.status_code == 200, calculation.get_json()
    assert calculation.get_json()["p4p_pool"] == 600000.0
    not_in_table = client.post("/api/v1/calculations", json={"hwb_code": "E06000003", "metrics": []})
    assert not_in_table.status_code == 422
    assert "p4p_pool" in {e["location"] for e in not_in_table.get_json()["errors"]}


def test_cli_load_with_bad_files_lists_every_problem_and_writes_nothing(app, client, tmp_path):
    assert load(app, *write(tmp_path, published=PUBLISHED)).exit_code == 0
    stored = app.extensions["allocations"].path
    before = stored.read_bytes()
    bad = write(tmp_path, split=CCG_TO_HWB.replace("E06000002", "E0600000X"),
                amounts=CCG_AMOUNTS.replace("400000", "-4"))
    result = load(app, *bad)
    assert result.exit_code == 1
    assert "split.csv row 4, column hwb_code" in result.output
    assert "amounts.csv row 3, column ccg_core_nhs" in result.output
    assert stored.read_bytes() == before
    assert not [p for p in stored.parent.iterdir() if p.name.endswith(".tmp")]


def test_cli_file_of_unknown_kind_is_refused(app, tmp_path):
    result = load(app, *write(tmp_path, mystery="a,b\n1,2\n"))
    assert result.exit_code == 1 and "cannot tell which input" in result.output
    assert not app.extensions["allocations"].path.exists()


def test_a_new_table_is_read_when_the_file_changes(app, client, tmp_path):
    assert load(app, *write(tmp_path, published=PUBLISHED)).exit_code == 0
    assert app.extensions["calculator"].pool_lookup(A) == Decimal("600000.00")
    store = app.extensions["allocations"]
    first = store.table()
    assert store.table() is first  # not re-read while the file is unchanged
    assert load(app, *write(tmp_path, published=PUBLISHED.replace("600000.00", "700000.00")),
                "--replace").exit_code == 0
    stat = store.path.stat()
    os.utime(store.path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # coarse clocks
    assert app.extensions["calculator"].pool_lookup(A) == Decimal("700000.00")
    assert client.get(f"/api/v1/allocations/{A}").get_json()["p4p_pool"]["amount"] == 700000.0
