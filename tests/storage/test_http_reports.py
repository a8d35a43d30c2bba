"""GET|POST /api/v1/reports/national: the national picture over stored determinations or an upload."""

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from storage_support import ACTUALS_BAD, HWB_A, HWB_B

from sheets.report_writing import TABLES
from sheets.writing import XLSX_MIME

URL = "/api/v1/reports/national"
TEMPLATES = Path(__file__).resolve().parents[2] / "sheets" / "templates"
RECOVERY = f"/api/v1/hwbs/{HWB_A}/recovery-plan/october-2015"


def stored(client, auth, plan_body, code=HWB_A, actuals=ACTUALS_BAD, determine=True):
    token = auth["a"] if code == HWB_A else auth["b"]
    assert client.put(f"/api/v1/hwbs/{code}/plan", json=plan_body, headers=token).status_code == 201
    for period, body in actuals.items():
        response = client.put(f"/api/v1/hwbs/{code}/actuals/{period}", json=body, headers=token)
        assert response.status_code == 201
    if determine:
        created = client.post(f"/api/v1/hwbs/{code}/determinations", headers=token)
        assert created.status_code == 201, created.get_json()
        return created.get_json()
    return None


def upload():
    return {name: (io.BytesIO((TEMPLATES / f"{name}.csv").read_bytes()), f"{name}.csv")
            for name in ("metrics", "conditions", "pools")}


def money(x) -> Decimal:
    return Decimal(str(x))


@pytest.mark.parametrize("method", ["get", "post"])
def test_assurance_and_admin_may_read_it_an_hwb_token_is_404_and_no_token_401(client, auth, method):
    def ask(headers):
        if method == "get":
            return client.get(URL, headers=headers)
        return client.post(URL, data=upload(), headers=headers, content_type="multipart/form-data")

    assert ask(auth["assurance"]).status_code == 200
    assert ask(auth["admin"]).status_code == 200
    hwb = ask(auth["a"])
    assert hwb.status_code == 404 and hwb.content_type == "application/problem+json"
    assert ask({}).status_code == 401
    assert ask(auth["assurance"]).headers["Cache-Control"] == "no-store"


def test_the_latest_determination_of_each_board_and_every_board_kept(client, auth, plan_body):
    stored(client, auth, plan_body)  # the first determination
    changed = {**plan_body, "p4p_pool": 2000000.0}
    assert client.put(f"/api/v1/hwbs/{HWB_A}/plan", json=changed,
                      headers={**auth["a"], "If-Match": '"1"'}).status_code == 200
    latest = client.post(f"/api/v1/hwbs/{HWB_A}/determinations", headers=auth["a"]).get_json()
    stored(client, auth, plan_body, code=HWB_B, determine=False)  # a plan, never determined

    body = client.get(URL, query_string={"grouping": "region"}, headers=auth["assurance"]).get_json()
    boards = {b["hwb_code"]: b for b in body["boards"]}
    assert len(boards) == 152
    a, b = boards[HWB_A], boards[HWB_B]
    assert (a["status"], a["determination_id"], b["status"], b["has_plan"]) == (
        "determined", latest["id"], "no_determination", True)
    assert money(a["available"]) == money(latest["result"]["totals"]["available"]) == Decimal("2000000")
    assert boards["E06000003"]["has_plan"] is False and boards["E06000003"]["available"] is None
    national = body["national"]
    assert (national["boards"], national["boards_determined"], national["boards_with_plan"]) == (152, 1, 2)
    assert money(national["available"]) == Decimal("2000000.00")
    north_east = next(g for g in body["groups"] if g["group"] == "North East")
    assert north_east["boards_without_determination"] == 11
    # October fell short: its held-back money is for the recovery plan (rules §6)
    assert national["boards_recovery_plan_required"] == 1
    assert money(national["held_back_by_use"]["recovery_plan"]) > 0
    assert sum(money(v) for v in national["held_back_by_use"].values()) == money(national["held_back"])


def test_held_back_use_follows_the_recovery_plan_workflow(client, auth, plan_body):
    stored(client, auth, plan_body)
    before = client.get(URL, query_string={"tranche": "october-2015/metrics"}, headers=auth["assurance"])
    assert set(before.get_json()["national"]["held_back_by_use"]) == {"recovery_plan"}
    client.post(RECOVERY, json={"plan": {"actions": ["x"]}}, headers=auth["a"])
    assert client.post(RECOVERY + "/transitions", json={"to": "not_agreed"},
                       headers=auth["assurance"]).status_code == 200
    assert client.post(RECOVERY + "/transitions", json={"to": "nhs_england_direction", "direction": "d"},
                       headers=auth["assurance"]).status_code == 200
    after = client.get(URL, query_string={"tranche": "october-2015/metrics"}, headers=auth["assurance"])
    assert set(after.get_json()["national"]["held_back_by_use"]) == {"nhs_england_direction"}


def test_csv_is_one_table_and_xlsx_every_table(client, auth, plan_body):
    stored(client, auth, plan_body)
    csv = client.get(URL, query_string={"grouping": "nhs_region"}, headers={**auth["assurance"],
                                                                            "Accept": "text/csv"})
    assert csv.status_code == 200 and csv.content_type == "text/csv; charset=utf-8"
    lines = csv.get_data(as_text=True).splitlines()
    assert lines[0].startswith("group,boards,boards_with_plan,")
    assert [line.split(",")[0] for line in lines[1:]] == ["London", "Midlands and East of England",
                                                          "North of England", "South of England", "England"]
    boards = client.get(URL, query_string={"table": "boards"}, headers={**auth["assurance"],
                                                                        "Accept": "text/csv"})
    assert len(boards.get_data(as_text=True).splitlines()) == 153
    assert 'filename="bcf-national-national-boards.csv"' in boards.headers["Content-Disposition"]

    xlsx = client.get(URL, query_string={"grouping": "region"}, headers={**auth["assurance"],
                                                                         "Accept": XLSX_MIME})
    assert xlsx.status_code == 200 and xlsx.content_type == XLSX_MIME
    book = load_workbook(io.BytesIO(xlsx.data))
    assert book.sheetnames == list(TABLES)
    groups = book["groups"]
    assert groups.freeze_panes == "A2" and groups.auto_filter.ref.startswith("A1:")
    header = [c.value for c in groups[1]]
    national = [c for c in groups[groups.max_row]]
    assert national[0].value == "England"
    available = national[header.index("available")]
    assert available.number_format == '"£"#,##0.00' and Decimal(str(available.value)) == Decimal("1000000")


def test_html_is_the_national_page_under_the_pages_policy(client, auth):
    response = client.get(URL, query_string={"grouping": "region"},
                          headers={**auth["assurance"], "Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    page = response.get_data(as_text=True)
    assert "<h1>Better Care Fund payment for performance: the national picture</h1>" in page
    assert "By region" in page and "/static/sortable.js" in page
    refused = client.get(URL, headers={**auth["assurance"], "Accept": "image/png"})
    assert refused.status_code == 406 and "text/html" in refused.get_json()["detail"]


@pytest.mark.parametrize(("query", "location"), [
    ({"grouping": "county"}, "grouping"), ({"tranche": "may-2015/metrics"}, "tranche"),
    ({"table": "everything"}, "table"), ({"groupin": "region"}, "groupin")])
def test_bad_query_values_are_422_naming_the_parameter(client, auth, query, location):
    response = client.get(URL, query_string=query, headers=auth["assurance"])
    assert response.status_code == 422, response.get_json()
    assert [e["location"] for e in response.get_json()["errors"]] == [location]


def test_post_reports_an_uploaded_batch_without_storing_it(app, client, auth):
    response = client.post(URL, query_string={"grouping": "region"}, data=upload(),
                           headers=auth["assurance"], content_type="multipart/form-data")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    determined = [b for b in body["boards"] if b["status"] == "determined"]
    assert [b["hwb_code"] for b in determined] == ["E06000001", "E08000021"]  # the templates' two boards
    assert money(body["national"]["available"]) == Decimal("2200000.00") + Decimal("5530000.00")
    assert sum(money(g["available"]) for g in body["groups"]) == money(body["national"]["available"])
    assert {f["metric"] for f in body["funnels"]} >= {"delayed_transfers", "reablement"}
    after = client.get(URL, headers=auth["assurance"]).get_json()
    assert after["national"]["boards_determined"] == 0  # nothing was stored


def test_post_with_a_bad_upload_names_file_row_and_column(client, auth):
    bad = (TEMPLATES / "metrics.csv").read_text(encoding="utf-8").replace(",440,", ",TBC,", 1)
    response = client.post(URL, data={"metrics": (io.BytesIO(bad.encode()), "metrics.csv")},
                           headers=auth["assurance"], content_type="multipart/form-data")
    assert response.status_code == 422
    assert any(e["location"] == "metrics.csv row 2, column plan" for e in response.get_json()["errors"])


def run(app, *args):
    return app.test_cli_runner().invoke(args=["bcf", "report", "national", *map(str, args)])


def test_the_command_writes_the_stored_report(app, client, auth, plan_body, tmp_path):
    stored(client, auth, plan_body)
    out = tmp_path / "report.xlsx"
    result = run(app, "--grouping", "region", "--out", out)
    assert result.exit_code == 0, result.output
    assert "1 of 152 boards determined" in result.output
    book = load_workbook(out)
    boards = book["boards"]
    assert boards.max_row == 153
    assert [c.value for c in book["groups"]["A"]][-1] == "England"


def test_the_command_reports_files_as_json_or_one_csv_table(app, tmp_path):
    files = [f"--{name}" for name in ("metrics", "conditions", "pools")]
    paths = [TEMPLATES / f"{name}.csv" for name in ("metrics", "conditions", "pools")]
    args = [x for pair in zip(files, paths, strict=True) for x in pair]
    result = run(app, "--out", tmp_path / "r.json", *args)
    assert result.exit_code == 0, result.output
    body = json.loads((tmp_path / "r.json").read_text())
    assert body["national"]["boards_determined"] == 2 and body["national"]["available"] == 7730000.00
    table = run(app, "--out", tmp_path / "b.csv", "--table", "board_tranches", *args)
    assert table.exit_code == 0, table.output
    lines = (tmp_path / "b.csv").read_text().splitlines()
    assert lines[0].startswith("hwb_code,hwb_name,tranche,") and len(lines) == 1 + 2 * 3


@pytest.mark.parametrize(("args", "message"), [
    (["--out", "{tmp}/report.pdf"], "must end in .csv, .json, .xlsx"),
    (["--out", "{tmp}/r.csv", "--table", "all"], "must be one of groups"),
    (["--out", "{tmp}/r.csv", "--tranche", "may-2015"], "must be one of april-2015/conditions"),
])
def test_the_command_refuses_what_it_cannot_write(app, tmp_path, args, message):
    result = run(app, *(a.format(tmp=tmp_path) for a in args))
    assert result.exit_code == 2 and message in result.output
    assert list(tmp_path.iterdir()) == []


def test_the_command_lists_every_problem_and_writes_nothing(app, tmp_path):
    bad = tmp_path / "metrics.csv"
    bad.write_text((TEMPLATES / "metrics.csv").read_text(encoding="utf-8").replace(",440,", ",TBC,", 1),
                   encoding="utf-8")
    result = run(app, "--out", tmp_path / "r.xlsx", "--metrics", bad)
    assert result.exit_code == 1
    assert "metrics.csv row 2, column plan" in result.output
    assert not (tmp_path / "r.xlsx").exists()
