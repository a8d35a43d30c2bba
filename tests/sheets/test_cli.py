"""``bcf calculate``: the upload from the command line, same code path, nothing written on failure."""

import io
import json
import subprocess
import sys
from importlib.metadata import entry_points

import openpyxl
import pytest

from sheets import cli


@pytest.fixture()
def files(tmp_path, template_files, monkeypatch):
    monkeypatch.setenv("BCF_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("BCF_ALLOCATIONS_FILE", str(tmp_path / "allocations.csv"))  # none: not the operator's
    paths = {}
    for name, content in template_files.items():
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_bytes(content)
    return paths


def args(files, out, *extra):
    return ["calculate", "--metrics", str(files["metrics"]), "--conditions", str(files["conditions"]),
            "--pools", str(files["pools"]), "--out", str(out), *extra]


def test_console_script_is_installed():
    (script,) = entry_points(group="console_scripts", name="bcf")
    assert script.value == "sheets.cli:main"


def test_xlsx_out(files, tmp_path, capsys):
    out = tmp_path / "results.xlsx"
    assert cli.main(args(files, out)) == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Totals", "Tranches", "Lines", "Metrics", "Conditions", "Warnings"]
    assert [row[0] for row in book["Tranches"].iter_rows(min_row=2, values_only=True)] == \
        ["E06000001"] * 3 + ["E08000021"] * 3
    assert "2 boards determined" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temp file left


@pytest.mark.parametrize("table", ["lines", "totals"])
def test_table_chooses_the_csv_table_as_over_http(files, tmp_path, client, template_files, table):
    out = tmp_path / "results.csv"
    assert cli.main(args(files, out, "--table", table)) == 0
    data = {name: (io.BytesIO(content), f"{name}.csv") for name, content in template_files.items()}
    http = client.post(f"/api/v1/calculations/csv?table={table}", data=data,
                       content_type="multipart/form-data")
    assert out.read_bytes() == http.data
    assert out.read_text().startswith("hwb_code,hwb_name,tranche,kind," if table == "lines"
                                      else "hwb_code,hwb_name,p4p_pool,")


def test_csv_and_json_out_match_the_http_upload(files, tmp_path, client, template_files):
    def http(accept):
        data = {name: (io.BytesIO(content), f"{name}.csv") for name, content in template_files.items()}
        return client.post("/api/v1/calculations/csv", data=data, content_type="multipart/form-data",
                           headers={"Accept": accept}).data

    assert cli.main(args(files, tmp_path / "r.csv")) == 0
    assert (tmp_path / "r.csv").read_bytes() == http("text/csv")
    assert cli.main(args(files, tmp_path / "r.json")) == 0
    assert json.loads((tmp_path / "r.json").read_bytes()) == json.loads(http("application/json"))


def test_problems_on_stderr_and_nothing_written(files, tmp_path, capsys):
    files["metrics"].write_text(files["metrics"].read_text().replace(",440,", ",TBC,", 1))
    out = tmp_path / "results.xlsx"
    out.write_bytes(b"last week's results")
    assert cli.main(args(files, out)) == 1
    err = capsys.readouterr().err
    assert "bcf: The upload has 1 problem; nothing was computed." in err
    assert "  metrics.csv row 2, column plan: plan must be a number; got 'TBC'" in err
    assert out.read_bytes() == b"last week's results"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_usage_errors(files, tmp_path, capsys):
    assert cli.main(args(files, tmp_path / "results.txt")) == 2
    assert "--out must end in .csv, .json, .xlsx" in capsys.readouterr().err
    assert cli.main(args(files, tmp_path / "missing" / "r.csv")) == 2
    assert "folder for --out does not exist" in capsys.readouterr().err
    files["metrics"].unlink()
    assert cli.main(args(files, tmp_path / "r.csv")) == 2
    assert "cannot read --metrics" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["calculate", "--out", "x.csv"])  # --metrics is required (argparse exits 2)


def test_subprocess_exit_status_and_stderr(files, tmp_path):
    files["pools"].write_text("hwb_code,p4p_pool\nE06000001,\"1,23\"\n")
    run = subprocess.run([sys.executable, "-m", "sheets.cli", *args(files, tmp_path / "r.csv")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert ("pools.csv row 2, column p4p_pool: p4p_pool must be a number; got '1,23', which is ambiguous"
            in run.stderr)
    assert not (tmp_path / "r.csv").exists()


def test_progress_bar_only_for_many_boards():
    few, many = list(range(3)), list(range(cli.PROGRESS_FROM))
    assert cli._progress(True)(few) is few
    bar = cli._progress(True)(many)
    assert bar is not many and list(bar) == many  # a tqdm wrapper, off when stderr is not a terminal
    assert cli._progress(False)(many) is many


def test_the_cli_does_not_read_the_operators_table(tmp_path, monkeypatch, request, capsys):
    """Issue 15: a table loaded into reference_data/allocations.csv is not what the tests' CLI sees."""
    from tests.planted_table import plant_operator_table

    planted = plant_operator_table(tmp_path, monkeypatch)
    monkeypatch.delenv("BCF_ALLOCATIONS_FILE")
    files = request.getfixturevalue("files")  # the fixture every CLI test uses, set up after the plant
    without_pools = ["calculate", "--metrics", str(files["metrics"]),
                     "--conditions", str(files["conditions"])]
    assert cli.main([*without_pools, "--out", str(tmp_path / "r.csv")]) == 1  # no pool: not the planted one
    assert "p4p_pool" in capsys.readouterr().err
    half = "61728.39"  # the October tranche of the planted pool £123,456.78
    # the plant is honest: with no setting at all, the CLI's default is the planted table
    monkeypatch.delenv("BCF_ALLOCATIONS_FILE")
    assert cli.main([*without_pools, "--out", str(tmp_path / "default.csv")]) == 0
    assert half in (tmp_path / "default.csv").read_text()
    # --allocations names a table
    monkeypatch.setenv("BCF_ALLOCATIONS_FILE", str(tmp_path / "none.csv"))
    out = tmp_path / "named.csv"
    assert cli.main([*without_pools, "--allocations", str(planted), "--out", str(out)]) == 0
    assert half in out.read_text()


def test_allocations_must_name_a_file(files, tmp_path, capsys):
    assert cli.main([*args(files, tmp_path / "r.csv"), "--allocations", str(tmp_path / "none.csv")]) == 2
    assert "--allocations is not a file" in capsys.readouterr().err
