"""The `cockpit` command: run-file summaries and exit codes, status, demo, and the installed console script."""
from __future__ import annotations

import json
import subprocess

import pytest
from click.testing import CliRunner

from cockpit.cli import main


@pytest.fixture
def cli_env(store_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", store_url)
    return store_url


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_run_file_prints_summary_and_rerun_reports_unchanged(cli_env, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("指标,期间,范围,数值\n研发投入强度,2021年,全县,4.12%\n上市公司,2021,新昌县,16\n"
                    "上市公司,2021,火星,16\n", encoding="utf-8")
    first = invoke("etl", "run-file", str(path), "--json")
    assert first.exit_code == 0, first.output
    summary = json.loads(first.output.strip().splitlines()[-1])
    assert (summary["read"], summary["loaded"], summary["unchanged"], summary["rejected"]) == (3, 2, 0, 1)
    again = json.loads(invoke("etl", "run-file", str(path), "--json").output.strip().splitlines()[-1])
    assert (again["loaded"], again["unchanged"], again["rejected"]) == (0, 2, 1)
    assert again["run_id"] > summary["run_id"]
    assert path.exists(), "run-file loads in place; only the file-drop job moves files"


def test_refused_file_exits_nonzero_with_a_clear_message(cli_env, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["etl", "run-file", str(path)])
    assert result.exit_code == 1
    assert "run 1 failed" in result.output and "bad.csv" in result.output and "指标" in result.output
    missing = CliRunner().invoke(main, ["etl", "run-file", str(tmp_path / "nope.csv")])
    assert missing.exit_code != 0 and "no such file" in missing.output


def test_status_lists_last_run_per_job(cli_env, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("indicator,period,scope,value\nrd_intensity,2021,county,4.4\n", encoding="utf-8")
    invoke("etl", "run-file", str(path), "--job", "manual-upload")
    out = invoke("etl", "status").output
    assert "manual-upload" in out and "success" in out and "loaded 1" in out


def test_unknown_job_is_a_clear_error(cli_env):
    result = CliRunner().invoke(main, ["etl", "run", "no-such-job"])
    assert result.exit_code != 0 and "no job named 'no-such-job'" in result.output


def test_console_script_is_installed():
    out = subprocess.run(["cockpit", "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for command in ("db", "etl", "demo", "scheduler"):
        assert command in out.stdout


def test_every_summary_counts_rejected_rows_with_their_reasons(cli_env, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("indicator,period,scope,value\nrd_intensity,2021,county,4.4\nrd_intensity,2022,火星,4.5\n"
                    "rd_intensity,2023,月球,4.6\nnope,2021,county,1\n", encoding="utf-8")
    out = invoke("etl", "run-file", str(path)).output
    assert "loaded 1" in out and "rejected 3 (unknown scope ×2, unknown indicator ×1)" in out
    data = json.loads(invoke("etl", "run-file", str(path), "--json").output.strip().splitlines()[-1])
    assert data["reasons"] == {"unknown scope": 2, "unknown indicator": 1}


def test_the_summary_names_the_sheets_it_skipped(cli_env, tmp_path):
    from office_files import bureau_workbook

    path = bureau_workbook(tmp_path / "年报.xlsx")
    out = invoke("etl", "run-file", str(path)).output
    assert "skipped 年报.xlsx#说明:" in out and "skipped 年报.xlsx#Sheet3:" in out, out
