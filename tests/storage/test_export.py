"""`bcf export` / `bcf import`: every stored table to JSON Lines and back, equal on SQLite → PostgreSQL →
SQLite, and a dump that does not fit is refused with each problem's line number and nothing written."""

from __future__ import annotations

import copy
import io
import json

import pytest
from sqlalchemy import func, select
from storage_support import ACTUALS_BAD, HWB_A, PLAN, fresh_postgres_database

from api import create_app
from storage import db, tokens
from storage.audit import Actor
from storage.export import TABLES, ImportRefused, count_rows, export_lines, import_lines
from storage.models import Token

PLANS = f"/api/v1/hwbs/{HWB_A}"
READ = (f"{PLANS}/plan", f"{PLANS}/determinations/current", f"{PLANS}/recovery-plans",
        f"{PLANS}/actuals/october-2015/versions")


def make_app(url, tmp_path):
    return create_app({"TESTING": True, "DATABASE_URL": url,
                       "ALLOCATIONS_FILE": str(tmp_path / "no-allocations.csv")})


def sqlite_app(tmp_path, name):
    url = f"sqlite:///{tmp_path / name}"
    db.upgrade(url=url)
    return make_app(url, tmp_path)


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def fill(app) -> dict[str, dict[str, str]]:
    """Every kind of stored row, written through the HTTP API as the service's users write them."""
    secrets = {}
    with app.extensions["bcf_sessions"].begin() as session:
        for key, role, code, party in (("admin", "admin", None, None), ("a", "hwb", HWB_A, None),
                                       ("nhse", "assurance", None, "nhs_england"),
                                       ("peer", "assurance", None, "peer_reviewer")):
            _, secrets[key] = tokens.create(session, Actor(None, "cli:setup"), name=f"{key} token", role=role,
                                            hwb_code=code, party=party)
    auth = {key: bearer(secret) for key, secret in secrets.items()}
    client = app.test_client()

    def ok(response, status=(200, 201)):
        assert response.status_code in status, response.get_json()
        return response.get_json()

    made = ok(client.post("/api/v1/tokens", json={"name": "Middlesbrough — finance", "role": "hwb",
                                                  "hwb_code": "E06000002", "expires": "30d"},
                          headers=auth["admin"]))
    ok(client.delete(f"/api/v1/tokens/{made['id']}", headers=auth["admin"]))
    ok(client.put(f"{PLANS}/plan", json=PLAN, headers=auth["a"]))
    ok(client.put(f"{PLANS}/plan", json={**copy.deepcopy(PLAN), "p4p_pool": 1234567.89},
                  headers={**auth["a"], "If-Match": '"1"'}))
    for period, body in ACTUALS_BAD.items():
        ok(client.put(f"{PLANS}/actuals/{period}", json=body, headers=auth["a"]))
    determination = ok(client.post(f"{PLANS}/determinations", headers=auth["a"]))
    assert determination["result"]["recovery_plan_required"] is True
    plans = ok(client.get(f"{PLANS}/recovery-plans", headers=auth["a"]))
    payment = plans[0]["payment"]
    base = f"{PLANS}/recovery-plan/{payment}"
    ok(client.post(base, json={"plan": {"actions": ["more reablement beds"], "cost": 12.5}, "note": "v1"},
                   headers=auth["a"]))
    for key, party in (("a", "hwb"), ("nhse", "nhs_england"), ("peer", "peer_reviewer")):
        ok(client.post(f"{base}/agreements", json={"party": party, "note": "agreed ✓"}, headers=auth[key]))
    return auth


def dump(engine) -> list[str]:
    return list(export_lines(engine))


def without_stamp(lines: list[str]) -> list[dict]:
    header = json.loads(lines[0])
    header.pop("exported_at")
    return [header] + [json.loads(line) for line in lines[1:]]


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A SQLite database filled through the API, and its dump."""
    tmp_path = tmp_path_factory.mktemp("export")
    app = sqlite_app(tmp_path, "source.sqlite3")
    auth = fill(app)
    engine = app.extensions["bcf_db"]
    client = app.test_client()
    answers = {path: client.get(path, headers=auth["nhse"]).get_json() for path in READ}
    yield app, dump(engine), answers
    engine.dispose()


def test_the_dump_holds_every_table_in_order(source):
    _, lines, _ = source
    header, *rows, trailer = [json.loads(line) for line in lines]
    assert header["format"] == "bcf-export" and header["revision"] == "0002"
    assert header["tables"] == [t.name for t in TABLES]
    assert header["tables"].index("tokens") < header["tables"].index("determinations")
    seen = [row["table"] for row in rows]
    assert seen == sorted(seen, key=header["tables"].index)  # parents before children
    counts = {name: seen.count(name) for name in header["tables"]}
    assert trailer == {"end": counts}
    assert counts["tokens"] == 5 and counts["plan_versions"] == 2 and counts["actuals_versions"] == 2
    assert counts["determinations"] == 1 and counts["recovery_plans"] >= 1 and counts["audit"] >= 10
    token = next(r["row"] for r in rows if r["table"] == "tokens")
    assert set(token) == {c.name for c in Token.__table__.columns} and len(token["token_hash"]) == 64
    assert token["created_at"].endswith("Z")
    # the plan's money is the number stored, digit for digit
    assert [r["row"]["body"]["p4p_pool"] for r in rows if r["table"] == "plan_versions"] == [1000000.0,
                                                                                            1234567.89]


@pytest.mark.postgres
def test_round_trip_sqlite_postgres_sqlite_is_equal(source, tmp_path):
    _, first, answers = source
    for url in fresh_postgres_database():
        db.upgrade(url=url)
        postgres = make_app(url, tmp_path)
        engine = postgres.extensions["bcf_db"]
        try:
            counts = import_lines(engine, iter(first))
            assert counts == json.loads(first[-1])["end"]
            second = dump(engine)
            assert without_stamp(second) == without_stamp(first)

            # the service reads the imported rows as it read the originals (secrets are not exported:
            # the imported tokens' hashes work, but the test holds no secret, so new tokens read and write)
            client = postgres.test_client()
            with postgres.extensions["bcf_sessions"].begin() as session:
                newest = session.scalar(select(func.max(Token.id)))
                _, reader = tokens.create(session, Actor(None, "t"), name="reader", role="assurance",
                                          party="nhs_england")
                _, writer = tokens.create(session, Actor(None, "t"), name="writer", role="hwb",
                                          hwb_code=HWB_A)
            for path in READ:
                ours = client.get(path, headers=bearer(reader))
                assert ours.status_code == 200 and ours.get_json() == answers[path], path

            # sequences continue after the imported ids: new rows get new ids, no duplicate key
            assert client.get("/api/v1/tokens", headers=bearer(writer)).status_code == 403
            replaced = client.put(f"{PLANS}/plan", json=PLAN, headers={**bearer(writer), "If-Match": '"2"'})
            assert replaced.status_code == 200 and replaced.headers["ETag"] == '"3"'
            with postgres.extensions["bcf_sessions"].begin() as session:
                assert session.scalar(select(func.max(Token.id))) == newest + 2

            back = sqlite_app(tmp_path, "back.sqlite3")
            try:
                import_lines(back.extensions["bcf_db"], iter(second))
                assert without_stamp(dump(back.extensions["bcf_db"])) == without_stamp(first)
            finally:
                back.extensions["bcf_db"].dispose()
        finally:
            engine.dispose()


@pytest.fixture()
def empty(tmp_path):
    app = sqlite_app(tmp_path, "target.sqlite3")
    yield app.extensions["bcf_db"]
    app.extensions["bcf_db"].dispose()


def refused(engine, lines, **options) -> ImportRefused:
    before = count_rows(engine)
    with pytest.raises(ImportRefused) as caught:
        import_lines(engine, iter(lines), **options)
    assert count_rows(engine) == before  # nothing written (nor deleted, with replace)
    return caught.value


def test_import_refuses_a_database_with_rows_unless_replace(source, empty):
    _, lines, _ = source
    import_lines(empty, iter(lines))
    error = refused(empty, lines)
    assert "not empty" in error.message and "--replace" in error.message
    before = count_rows(empty)
    assert import_lines(empty, iter(lines), replace=True) == before
    assert without_stamp(dump(empty)) == without_stamp(lines)
    # a bad dump with --replace deletes nothing: the deletion is in the refused transaction
    cut_short = refused(empty, lines[:-1], replace=True)
    assert "cut short" in cut_short.problems[0]["message"] and count_rows(empty) == before


def test_import_refuses_another_schema_revision(source, empty):
    _, lines, _ = source
    header = json.loads(lines[0])
    error = refused(empty, [json.dumps({**header, "revision": "0001"}), *lines[1:]])
    assert '"0001"' in error.message and '"0002"' in error.message


def test_every_problem_is_named_by_line_and_nothing_is_written(source, empty):
    _, lines, _ = source
    rows = [json.loads(line) for line in lines]
    token = next(i for i, r in enumerate(rows) if r.get("table") == "tokens")
    plan = next(i for i, r in enumerate(rows) if r.get("table") == "plan_versions")
    bad = list(lines)
    second = rows[token + 1]["row"]
    bad[token + 1] = json.dumps({"table": "tokens", "row": {**second, "created_at": "yesterday"}})
    bad[plan] = json.dumps({"table": "plan_versions",
                            "row": {**rows[plan]["row"], "version": "1", "created_by_token_id": 999,
                                    "colour": "red"}})
    bad.insert(plan + 1, "{not json")
    bad.insert(plan + 1, json.dumps({"table": "pets", "row": {}}))
    error = refused(empty, bad)
    where = {(p["location"], p["message"].split(":")[0]) for p in error.problems}
    assert (f"line {token + 2}", "tokens") in where  # the timestamp
    assert any("created_at 'yesterday'" in p["message"] for p in error.problems)
    plan_line = f"line {plan + 1}"
    messages = [p["message"] for p in error.problems if p["location"] == plan_line]
    assert any("no column(s) colour" in m for m in messages) and any("version must be a whole" in m
                                                                     for m in messages)
    assert {p["location"] for p in error.problems} >= {f"line {plan + 2}", f"line {plan + 3}"}
    assert "nothing was imported" in error.message
    assert count_rows(empty) == {t.name: 0 for t in TABLES}


def test_duplicate_keys_dangling_references_and_a_cut_short_file(source, empty):
    _, lines, _ = source
    rows = [json.loads(line) for line in lines]
    token = next(i for i, r in enumerate(rows) if r.get("table") == "tokens")
    plan = next(i for i, r in enumerate(rows) if r.get("table") == "plan_versions")
    copy_of_token = json.dumps(rows[token])
    orphan = json.dumps({"table": "plan_versions", "row": {**rows[plan]["row"], "id": 900, "version": 9,
                                                           "created_by_token_id": 999}})
    error = refused(empty, [*lines[:token + 1], copy_of_token, *lines[token + 1:plan + 1], orphan])
    messages: dict[str, list[str]] = {}
    for problem in error.problems:
        messages.setdefault(problem["location"], []).append(problem["message"])
    duplicate = " ".join(messages[f"line {token + 2}"])
    assert "a second row with id=" in duplicate and "a second row with token_hash=" in duplicate
    assert "created_by_token_id 999 refers to no tokens row" in messages[f"line {plan + 3}"][0]
    assert "cut short" in error.problems[-1]["message"]

    trailer = json.loads(lines[-1])
    trailer["end"]["audit"] += 1
    miscounted = refused(empty, [*lines[:-1], json.dumps(trailer)])
    assert miscounted.problems[0]["location"] == f"line {len(lines)}"
    assert "trailer counts" in miscounted.problems[0]["message"]


def test_not_a_dump(empty):
    error = refused(empty, ['{"hello": 1}', '{"table": "tokens", "row": {}}'])
    assert error.problems == [{"location": "line 1", "message": error.problems[0]["message"]}]
    assert "not a BCF export" in error.problems[0]["message"]
    assert "empty" in refused(empty, []).message


def test_cli_export_to_a_file_then_import(source, tmp_path):
    source_app, lines, _ = source
    out = tmp_path / "bcf.jsonl"
    result = source_app.test_cli_runner().invoke(args=["bcf", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = out.read_text(encoding="utf-8").splitlines(keepends=True)
    assert without_stamp(written) == without_stamp(lines)
    assert "5 tokens" in result.stderr and result.stderr.startswith("Exported ")

    target = sqlite_app(tmp_path, "cli.sqlite3")
    runner = target.test_cli_runner()
    imported = runner.invoke(args=["bcf", "import", str(out)])
    assert imported.exit_code == 0, imported.output
    assert without_stamp(dump(target.extensions["bcf_db"])) == without_stamp(lines)
    again = runner.invoke(args=["bcf", "import", str(out)])
    assert again.exit_code == 1 and "Not imported: the database is not empty" in again.stderr

    stdout = source_app.test_cli_runner().invoke(args=["bcf", "export"])
    assert stdout.exit_code == 0
    assert without_stamp(io.StringIO(stdout.stdout).readlines()) == without_stamp(lines)
    target.extensions["bcf_db"].dispose()
