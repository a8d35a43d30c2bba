"""The national page (``/reports/national``, the API's ``text/html``, the CLI's ``.html``) and the board
page's XmR charts and second rule set, through Flask's test client."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pages_support import ACTUALS_APART, HWB_A, HWB_B, HWB_C, PLAN_SPC, bearer, determine
from test_pages_http import no_inline_script_or_style, sign_in

from api.page_setup import pounds
from api.security import CONTENT_SECURITY_POLICY as CSP

API = "/api/v1/reports/national"
TEMPLATES = Path(__file__).resolve().parents[2] / "sheets" / "templates"


class Tables(HTMLParser):
    """Every ``<table>``'s rows as lists of cell texts (head, body and foot alike), by the table's id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._count = 0

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._count += 1
            self._rows = self.tables.setdefault(dict(attrs).get("id") or f"table-{self._count}", [])
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._rows:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._rows = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(page: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(page)
    return parser.tables


def report_json(client, secrets, **query) -> dict:
    response = client.get(API, query_string=query, headers=bearer(secrets["assurance"]))
    assert response.status_code == 200
    return response.get_json()


def test_the_page_is_for_panels_signed_in(client, secrets):
    first = client.get("/reports/national?grouping=region")
    assert first.status_code == 303 and "/sign-in?next=/reports/national" in first.headers["Location"]
    sign_in(client, secrets["a"])
    assert client.get("/reports/national").status_code == 404  # a board does not learn of the others
    for role in ("assurance", "admin"):
        sign_in(client, secrets[role])
        page = client.get("/reports/national")
        assert page.status_code == 200 and page.headers["Content-Security-Policy"] == CSP, role
        no_inline_script_or_style(page.get_data(as_text=True))
    # nothing stored yet: no chart of nothing, and every board still listed
    text = page.get_data(as_text=True)
    assert "<svg " not in text and "No board has a determination yet: there is no money to draw." in text
    assert len(tables(text)["boards-table"]) == 153 and "Boards with no determination</dt><dd>152 " in text


def test_the_api_answers_the_same_page_for_text_html(client, secrets):
    determine(client, secrets["a"])
    html = {"Accept": "text/html"}
    assert client.get(API, headers={**bearer(secrets["a"]), **html}).status_code == 404
    answered = client.get(API, query_string={"grouping": "region"},
                          headers={**bearer(secrets["admin"]), **html})
    assert answered.status_code == 200 and answered.mimetype == "text/html"
    assert answered.headers["Content-Security-Policy"] == CSP
    sign_in(client, secrets["assurance"])
    page = client.get("/reports/national?grouping=region")
    strip = re.compile(r'<form method="post".*?</form>|<nav aria-label="Account".*?</nav>', re.S)
    assert strip.sub("", answered.get_data(as_text=True)).replace(API, "/reports/national") == \
        strip.sub("", page.get_data(as_text=True))


def test_bad_query_values_are_a_400_page_naming_them(client, secrets):
    sign_in(client, secrets["assurance"])
    page = client.get("/reports/national?grouping=county&tranche=may-2015")
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "grouping: Must be one of" in text and "tranche: Must be one of" in text


def test_the_tranche_choice_offers_the_tranches_of_the_boards_rule_sets(client, secrets):
    """Every board here is determined under bcf-2015-16: the revised scheme's quarters would give an empty
    report, so they are not offered (a reviewer chose one and got nothing)."""
    sign_in(client, secrets["assurance"])
    page = client.get("/reports/national").get_data(as_text=True)
    offered = re.findall(r'<option value="([^"]+)"', page)
    assert "october-2015/metrics" in offered and "april-2015/conditions" in offered
    assert not [value for value in offered if value.startswith("q")], offered


def test_every_board_has_a_row_those_without_a_determination_saying_so(client, secrets):
    determine(client, secrets["a"])
    sign_in(client, secrets["assurance"])
    page = client.get("/reports/national").get_data(as_text=True)
    rows = tables(page)["boards-table"]
    header, body = rows[0], rows[1:]
    assert len(body) == 152
    status = {row[header.index("Code")]: row[header.index("Status")] for row in body}
    assert status[HWB_A] == "Determined" and status[HWB_B] == "No determination"
    assert sum(1 for s in status.values() if s.startswith("No determination")) == 151
    assert "Boards with no determination</dt><dd>151" in page
    # the achievement sections say how many boards they could not draw, and why
    assert "151 boards with no determination are not drawn" in page


@pytest.mark.parametrize(("grouping", "tranche"), [
    ("region", None), ("nhs_region", None), ("area_team", None), ("national", None),
    ("region", "october-2015/metrics")])
def test_the_group_rows_money_is_the_reports(client, secrets, grouping, tranche):
    determine(client, secrets["a"])
    determine(client, secrets["b"], code=HWB_B, actuals=ACTUALS_APART)
    query = {"grouping": grouping, **({"tranche": tranche} if tranche else {})}
    report = report_json(client, secrets, **query)
    sign_in(client, secrets["assurance"])
    page = client.get("/reports/national", query_string={"tranche": "", **query}).get_data(as_text=True)
    assert ("October 2015 payment: metrics only" in page) == (tranche is not None)
    rows = tables(page)["groups-table"]
    header, body = rows[0], rows[1:]
    expected = [report["groups"]] if grouping == "national" else [report["groups"], [report["national"]]]
    expected = [g for part in expected for g in part]
    assert [row[0] for row in body] == [g["group"] for g in expected]
    for row, group in zip(body, expected, strict=True):
        for column in ("Available", "Released", "Held back", "Pending"):
            assert row[header.index(column)] == pounds(group[column.lower().replace(" ", "_")]), column
        assert row[header.index("No determination")] == str(group["boards_without_determination"])
    assert any(row[header.index("Released")] != "£0.00" for row in body)  # the boards' money is there


def test_the_charts_each_have_a_text_alternative_and_their_data(client, secrets):
    determine(client, secrets["a"])
    determine(client, secrets["b"], code=HWB_B)
    report = report_json(client, secrets, grouping="region")
    sign_in(client, secrets["assurance"])
    page = client.get("/reports/national?grouping=region").get_data(as_text=True)
    ids = re.findall(r'<svg [^>]*id="([^"]+)"', page)
    achieved = {(a["metric"], a["period"]) for b in report["boards"] for a in b["achievement"]
                if a["achievement"] is not None}
    assert len(achieved) == 3  # delayed transfers twice, reablement once: the plans' metrics
    assert ids[:1 + len(report["funnels"])] == ["released-held-back", *(
        f"funnel-{i}" for i in range(1, len(report["funnels"]) + 1))]
    assert len([i for i in ids if i.startswith("achievement-")]) == len(achieved) == len(ids) - 4
    # the rule set's other metrics, in no plan: listed once, with their boards counted, not drawn empty
    assert "Metrics with no achievement yet" in page and "nursing care homes, per 100,000 population, " \
        "October 2015 payment: 2 cannot be assessed; 150 no determination." in page
    for chart_id in ids:
        assert re.search(rf'<title id="{chart_id}-title">[^<]+</title>', page)
        after = page[page.index(f'id="{chart_id}"'):]
        assert after.index("</figure>") < after.index("<details>") < after.index("<table")
    bars = tables(page)["bars-table"][1:]  # the bars' data: a row per group, the group rows' money
    assert [(row[0], row[1], row[2]) for row in bars] == [
        (g["group"], pounds(g["released"]), pounds(g["held_back"])) for g in report["groups"]]


def test_a_board_outside_the_limits_is_named(client, secrets):
    determine(client, secrets["a"])
    determine(client, secrets["b"], code=HWB_B, actuals=ACTUALS_APART)
    report = report_json(client, secrets)
    sign_in(client, secrets["assurance"])
    page = client.get("/reports/national").get_data(as_text=True)
    assert page.count("<strong>Outside the 95% limits:</strong>") == len(report["funnels"]) == 3
    outside = [(f, p) for f in report["funnels"] for p in f["points"]
               if (p["significance"] or "").startswith(("High", "Low"))]
    assert outside
    for _funnel, point in outside:
        where = "above" if point["significance"].startswith("High") else "below"
        assert f"{point['hwb_name']} ({point['value']:,.2f}, {where} the " in page


def test_post_an_upload_as_a_page(client, secrets):
    files = {name: (io.BytesIO((TEMPLATES / f"{name}.csv").read_bytes()), f"{name}.csv")
             for name in ("metrics", "conditions", "pools")}
    response = client.post(API, data=files, content_type="multipart/form-data",
                           headers={**bearer(secrets["assurance"]), "Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    status = {row[1]: row[2] for row in tables(response.get_data(as_text=True))["boards-table"][1:]}
    assert status["E06000001"] == "Determined" and status["E08000021"] == "Determined"
    assert list(status.values()).count("Determined") == 2


def test_the_command_writes_one_self_contained_file(app, client, secrets, tmp_path):
    determine(client, secrets["a"])
    out = tmp_path / "report.html"
    result = app.test_cli_runner().invoke(args=["bcf", "report", "national", "--grouping", "region",
                                                "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "<link" not in page and " src=" not in page and "/static/" not in page  # nothing fetched
    assert "function sortBy(table" in page and ".sort-button" in page and '<style media="print">' in page
    assert 'href="/' not in page  # no link that only a server answers
    assert len(tables(page)["boards-table"]) == 153 and "By region" in page


def test_the_board_page_draws_each_monthly_series_as_an_xmr_chart(client, secrets):
    determine(client, secrets["c"], code=HWB_C, plan_body=PLAN_SPC)
    stored = client.get(f"/api/v1/hwbs/{HWB_C}/determinations/current",
                        headers=bearer(secrets["c"])).get_json()
    spc = stored["result"]["spc"][0]
    sign_in(client, secrets["assurance"])
    page = client.get(f"/reports/boards/{HWB_C}").get_data(as_text=True)
    assert '<svg ' in page and 'id="xmr-1"' in page
    rows = tables(page)["spc-table-1"]
    assert len(rows) == 1 + len(spc["points"]) == 22
    february = next(row for row in rows if row[0] == "Feb 2014")
    assert february[1] == "611.0" and february[3] == "Special cause: concern"
    assert "beyond a process limit" in february[4]
    assert f"process limits {spc['lower_limit']:,.1f} to {spc['upper_limit']:,.1f}" in page
    assert "Will consistently fail" in page  # the README's worked example: plan 450 below the lower limit


def test_the_board_page_shows_the_plan_under_both_rule_sets(client, secrets):
    determine(client, secrets["a"])
    sign_in(client, secrets["assurance"])
    page = client.get(f"/reports/boards/{HWB_A}").get_data(as_text=True)
    section = page[page.index('id="schemes-heading"'):page.index('id="conditions-heading"')]
    assert "Under the July 2014 revised scheme" in section
    rows = tables(section)["schemes-table"]
    assert [row[0].split(" (")[0] for row in rows[1:]] == [
        "Better Care Fund 2015/16 payment for performance",
        "Better Care Fund 2015/16 payment for performance, as revised in July 2014"]
    assert "(the money was determined under this one)" in rows[1][0] and "comparison only" in rows[2][0]
    assert rows[1][2] == "£83,333.33"  # the stored determination's released money, recomputed alike
    # the plan has no non-elective admissions figures: the revised scheme makes nothing available, and why
    assert rows[2][1] == "£0.00" and rows[2][-1].startswith("Nothing is available under this scheme: ")
    assert "the plan gives no non_elective_admissions figures" in rows[2][-1]


def test_the_board_page_says_why_a_plan_cannot_run_under_the_other_scheme(client, secrets, monkeypatch):
    from bcf.errors import InvalidInput

    determine(client, secrets["a"])

    def refuse(calculator, payload, ids):
        raise InvalidInput("no", problems=[{"location": "metrics[0].periods.april-2015",
                                            "message": "bcf-2015-16-revised: not a period of this rule set"}])

    monkeypatch.setattr("api.board_compare.compare", refuse)
    sign_in(client, secrets["assurance"])
    page = client.get(f"/reports/boards/{HWB_A}").get_data(as_text=True)
    assert "The stored plan cannot be run under" in page
    assert "<code>metrics[0].periods.april-2015</code>: bcf-2015-16-revised: not a period" in page
