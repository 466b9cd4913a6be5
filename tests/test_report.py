"""The period's report (issue 14 #2) printed by the Debian Chromium and read back as a person would: pdftotext
finds the title, the period, the figures against their targets, the departments and the page numbers; --csv
writes the period's snapshots with a manifest; --png the wall at 1920x1080. SQLite only (the store is not what
is tested)."""
from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zipfile

import pytest

from cockpit.settings import get_settings
from cockpit.snapshot import read_snapshot
from cockpit.web import report

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed")]
SQLITE = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)


def text_of(pdf) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@SQLITE
def test_the_pdf_has_the_title_figures_targets_departments_and_page_numbers(seeded_store, tmp_path):
    settings = get_settings()
    zh = text_of(report.write_pdf(seeded_store, settings, "2026-10", "zh", tmp_path / "r.pdf"))
    for part in ("新昌县创新服务云平台驾驶舱", "月度报告 2026-10", "演示数据", "关键指标与目标", "研发投入强度", "4.62",
                 "十四五目标", "部门办件排行", "县科技局", "报送情况"):
        assert part in zh, part
    assert re.search(r"第\s*1\s*页\s*/\s*共\s*\d+\s*页", zh) and re.search(r"第\s*2\s*页", zh)  # page numbers
    pages = subprocess.run(["pdfinfo", str(tmp_path / "r.pdf")], capture_output=True, text=True).stdout
    assert "A4" in pages or "595" in pages  # A4: 595 x 842 pt
    en = text_of(report.write_pdf(seeded_store, settings, "2026-10", "en", tmp_path / "r_en.pdf"))
    for part in ("Xinchang Innovation Service Cloud Platform Cockpit", "monthly report 2026-10", "R&D intensity",
                 "Science and Technology Bureau"):
        assert part in en, part
    assert re.search(r"Page\s*1\s*of\s*\d", en)


@SQLITE
def test_the_csv_zip_holds_the_period_snapshots_and_their_manifest(seeded_store, tmp_path):
    out = report.write_csv_zip(seeded_store, "2026-10", tmp_path / "r.zip")
    with zipfile.ZipFile(out) as z:
        manifest = json.loads(z.read("manifest.json"))
        assert manifest["period"] == "2026-10" and len(manifest["files"]) == 10
        cases = next(f for f in manifest["files"] if f["kind"] == "cases")
        table, meta = read_snapshot(z.read(cases["file"]))
        assert len(table) > 1000 and table["submitted_at"].str.startswith("2026-10").all()
        assert meta["demo"].startswith("true")


def test_a_bad_period_is_refused():
    with pytest.raises(report.ReportError, match="expected a month"):
        report.period_span("2026-13")


@SQLITE
def test_the_png_is_the_wall_at_1920x1080(seeded_store, store_url, tmp_path):
    settings = get_settings(database_url=store_url, run_scheduler=False)
    png = report.write_png(settings, "zh", tmp_path / "wall.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (1920, 1080)
    assert len(png) > 200_000  # drawn panels, not a blank frame


@SQLITE
def test_the_scheduler_writes_last_month_s_report_once(seeded_store, tmp_path, monkeypatch):
    from datetime import date

    from cockpit.commands import report_tasks
    from etl import clock
    settings = get_settings(reports_dir=tmp_path / "reports")
    (name, seconds, task), = report_tasks(seeded_store, settings)
    monkeypatch.setattr(clock, "today", lambda: date(2026, 11, 20))
    task()
    pdf = tmp_path / "reports" / "report-2026-10-zh.pdf"
    assert name == "report-monthly" and pdf.is_file() and "月度报告 2026-10" in text_of(pdf)
    stamp = pdf.stat().st_mtime_ns
    task()
    assert pdf.stat().st_mtime_ns == stamp  # there already: not printed again


@SQLITE
def test_the_report_lists_the_period_s_annotations(seeded_store, tmp_path):
    from cockpit.web import report as r
    from etl import annotations
    annotations.save(seeded_store, {"period": "2026-10-08", "scope": "county", "kind": "incident",
                                    "note": "十月数据源切换", "note_en": "October source switch"}, "admin")
    context = r.context(seeded_store, "2026-10", "zh")
    assert [a["text"] for a in context["annotations"]] == ["十月数据源切换"]
    assert "十月数据源切换" in text_of(r.write_pdf(seeded_store, get_settings(), "2026-10", "zh", tmp_path / "a.pdf"))
