"""A period's report (issue 14 #2): `cockpit report --period 2026-11 [--lang en] -o FILE.pdf [--png] [--csv]`.

The report is an HTML print layout (A4, the Noto CJK fonts, page numbers from CSS @page margin boxes) of the
period's KPIs against their targets, the trends (the wall's own figures, on paper colours), the department
ranking, reporting completeness and the revisions made in the period, printed to PDF by headless Chromium (the
Debian `chromium` the tests use; COCKPIT_CHROMIUM names another). `--png` also writes the wall at 1920x1080
(a server started for it on a free loopback port), `--csv` a zip of the period's snapshots with a manifest."""
from __future__ import annotations

import calendar
import hashlib
import json
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from plotly.io.json import to_json_plotly

from cockpit.components import kpi as kpi_ui
from cockpit.components.panel import source_name
from cockpit.figures import wall as figures
from cockpit.i18n import name, t, tile_name
from cockpit.queries import reporting, targets
from cockpit.queries import annotations as notes
from cockpit.queries import report as rq
from cockpit.queries import wall as queries
from cockpit.web.export import export
from etl import clock

ROOT = Path(__file__).resolve().parents[2]
PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
PLOTLY = ROOT / "assets" / "vendor" / "plotly-cockpit.min.js"
TRENDS = (("rd_intensity",), ("patents_granted", "invention_patents"), ("high_tech_firms",))
WORDS = {  # (zh, en)
    "report": ("月度报告", "monthly report"), "kpis": ("关键指标与目标", "Key figures against their targets"),
    "indicator": ("指标", "Indicator"), "period": ("统计期", "Period"), "value": ("数值", "Value"),
    "change": ("变化", "Change"), "targets": ("目标与完成", "Targets"), "source": ("来源", "Source"),
    "trends": ("趋势", "Trends"), "departments": ("部门办件排行(年内)", "Departments by cases handled (year to date)"),
    "department": ("部门", "Department"), "handled": ("办件量", "Handled"), "on_time": ("按时办结率", "On time"),
    "reporting": ("报送情况", "Reporting"), "subject": ("报送事项", "Subject"), "reported": ("已报送", "Reported"),
    "late": ("逾期部门", "Late"), "revisions": ("本期修订", "Revisions in the period"), "scope": ("范围", "Scope"),
    "previous": ("前值", "Previous"), "when": ("修订时间", "Revised"), "none": ("无", "None"),
    "annotations": ("大事记与说明", "Annotations"), "kind": ("类型", "Kind"), "text": ("说明", "Text"), "generated": ("生成于 {at} · 数据截至 {day}", "Generated {at} · data to {day}"),
}


class ReportError(ValueError):
    """A bad period or a printer that failed: the CLI says it and exits non-zero."""


def period_span(period: str) -> tuple[date, date]:
    m = PERIOD.match(period or "")
    if not m:
        raise ReportError(f"bad period {period!r}: expected a month such as 2026-11")
    year, month = int(m.group(1)), int(m.group(2))
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _words(lang: str) -> dict:
    return {k: (en if lang == "en" else zh) for k, (zh, en) in WORDS.items()}


def _paper(fig: dict) -> dict:
    fig["layout"].update(template="plotly_white", paper_bgcolor="white", plot_bgcolor="white",
                         font={"color": "#111", "family": "Noto Sans CJK SC, sans-serif", "size": 12},
                         height=None, width=None, uirevision=None, autosize=True,
                         margin={"l": 50, "r": 20, "t": 30, "b": 30})
    for trace in fig["data"]:
        if "textfont" in trace or trace.get("text") is not None:
            trace["textfont"] = {**trace.get("textfont", {}), "color": "#111"}
    return fig


def context(engine, period: str, lang: str) -> dict:
    """Everything the template shows for the period (its last day, or today while the month runs)."""
    first, last = period_span(period)
    day = min(last, clock.today())
    w, iso = _words(lang), day.isoformat()
    kpis = targets.for_tiles(engine, queries.kpis(engine, iso))
    payload = kpi_ui.kpi_payload(kpis, lang)
    rows = []
    for row in kpis.to_dict("records"):
        p = payload[row["code"]]
        goal, goal_cls = kpi_ui.target_text(row, lang)
        value = "—" if p["v"] is None else f"{p['v']:,.{p['d']}f}"
        rows.append({"name": tile_name(row, lang), "period": row.get("period") or "—", "value": value,
                     "delta": p["delta"], "cls": p["cls"], "goal": goal.replace("\n", " · "), "goal_cls": goal_cls,
                     "source": source_name(row["source"], lang) if row.get("source") else "—"})
    charts = []
    for codes in TRENDS:
        df = queries.county_series(engine, codes)
        fig = figures.rd_trend(df, lang, targets.path(engine, codes[0])) if codes[0] == "rd_intensity" else \
            figures.county_trend(df, list(codes), lang, "bar")
        charts.append({**_paper(fig.to_plotly_json()), "title": " · ".join(
            name(m, lang) for m in queries.indicator_meta(engine).loc[list(codes)].to_dict("records"))})
    depts = queries.department_matters(engine, iso)
    departments = [{"name": name(r, lang), "handled": f"{int(r['handled']):,}",
                    "on_time": f"{100 * r['on_time'] / r['handled']:.1f}%" if r["handled"] else "—"}
                   for r in depts.to_dict("records")]
    rep = [{"name": name(r, lang), "period": r["period"], "reported": r["reported"], "expected": r["expected"],
            "late": ("、" if lang == "zh" else ", ").join(name(d, lang) for d in r["late"])}
           for r in reporting.completeness(engine, day)]
    start = clock.local_to_utc(datetime.combine(first, datetime.min.time()))
    end = clock.local_to_utc(datetime.combine(last + timedelta(days=1), datetime.min.time()))
    revs = [{"name": name(r, lang), "scope": r["scope"], "period": r["period"], "previous": f"{r['previous']:g}",
             "value": "—" if r["value"] is None else f"{r['value']:g}",
             "when": f"{clock.shown(r['replaced_at']):%Y-%m-%d %H:%M}"}
            for r in rq.revisions(engine, start, end).to_dict("records")]
    now = clock.shown(clock.utc_now())
    return {"en": lang == "en", "title": t("title", lang), "period": period, "report_word": w["report"], "words": w,
            "generated": w["generated"].format(at=f"{now:%Y-%m-%d %H:%M}", day=iso),
            "page_word": ("Page \" counter(page) \" of \" counter(pages) \"" if lang == "en"
                          else "第 \" counter(page) \" 页 / 共 \" counter(pages) \" 页"),
            "demo": bool(kpis["is_demo"].any()) if "is_demo" in kpis else False, "kpis": rows,
            "charts": charts, "charts_json": to_json_plotly(charts), "departments": departments,
            "reporting": rep, "revisions": revs, "plotly_src": PLOTLY.as_uri(),
            "annotations": [{"period": r["period"], "scope": r["scope"], "kind": r["kind"], "text": notes.text(r, lang)}
                            for r in notes.annotations(engine, None, period, period).to_dict("records")]}


def html(engine, period: str, lang: str) -> str:
    env = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape())
    return env.get_template("report.html").render(**context(engine, period, lang))


def chromium(settings) -> str:
    found = shutil.which(settings.chromium)
    if not found:
        raise ReportError(f"no Chromium at {settings.chromium!r} (apt-get install chromium, or set COCKPIT_CHROMIUM)")
    return found


def _chrome(settings, *args: str, timeout: float = 90) -> None:
    cmd = [chromium(settings), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise ReportError(f"chromium failed ({done.returncode}): {done.stderr.strip()[-400:]}")


def write_pdf(engine, settings, period: str, lang: str, out: Path) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(html(engine, period, lang), encoding="utf-8")
        _chrome(settings, "--no-pdf-header-footer", "--virtual-time-budget=10000", f"--print-to-pdf={out}",
                page.as_uri())
    if not out.is_file() or out.stat().st_size == 0:
        raise ReportError(f"chromium wrote no PDF to {out}")
    return out


def write_png(settings, lang: str, out: Path) -> Path:
    """The wall at 1920x1080, from a server of this process's app on a free loopback port."""
    from werkzeug.serving import make_server

    from cockpit import create_app
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = make_server("127.0.0.1", port, create_app(settings=settings).server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        query = f"?lang={lang}" + (f"&kiosk={settings.kiosk_token}" if settings.kiosk_token else "")
        _chrome(settings, "--window-size=1920,1080", "--virtual-time-budget=15000", f"--screenshot={out}",
                f"http://127.0.0.1:{port}/{query}")
    finally:
        server.shutdown()
    return out


def write_csv_zip(engine, period: str, out: Path) -> Path:
    """The period's snapshots (each KPI indicator to the period's year, the month's cases) and a manifest."""
    first, _ = period_span(period)
    files = [(f"observations_{code}.csv", "observations", {"indicator": code, "to": str(first.year)})
             for code in queries.KPI_CODES]
    files.append((f"cases_{period}.csv", "cases", {"from": period, "to": period}))
    manifest = {"period": period, "generated_at": clock.shown(clock.utc_now()).isoformat(), "files": []}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for filename, kind, params in files:
            _, body, meta = export(engine, kind, **params)
            data = b"".join(body)
            z.writestr(filename, data)
            manifest["files"].append({"file": filename, "kind": kind, "filters": params,
                                      "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})
        z.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return out


REPORT_FILE = re.compile(r"^report-\d{4}-(0[1-9]|1[0-2])-(zh|en)\.pdf$")


def init_app(server) -> None:
    """GET /reports/<name>: a report the scheduler wrote (leader role and up; the links its messages carry)."""
    from flask import send_from_directory

    from cockpit import context
    from cockpit.web.errors import error_page

    @server.get("/reports/<name>")
    def report_file(name: str):
        folder = context.get().settings.reports_dir
        if not REPORT_FILE.match(name) or not (folder / name).is_file():
            return error_page(404, f"no report {name!r}")
        return send_from_directory(folder, name, mimetype="application/pdf", max_age=0)
