"""Layout factories of the operations page (jobs table, rejected rows, failed files, 403) and its labels in
Chinese and English. No callbacks."""
from __future__ import annotations

import pandas as pd
from dash import dcc, html

from cockpit.components.drill import link_table
from etl import clock

PAGE = "ops"
RUN_TYPE, DOWNLOAD_TYPE = "ops-run", "ops-download-rejected"
PUBLISH_TYPE, DISCARD_TYPE, HELD, HELD_MESSAGE = "ops-publish", "ops-discard", "ops-held", "ops-held-message"
JOBS, MESSAGE, DOWNLOAD, TICK = "ops-jobs", "ops-message", "ops-download", "ops-tick"
COLOURS = {"ok": "#3ddc97", "success": "#3ddc97", "amber": "#ffb84d", "running": "#29d8ff", "red": "#ff5c5c",
           "failed": "#ff5c5c", "never": "#8aa4c8", "partial": "#ffb84d", "held": "#ffb84d", "discarded": "#8aa4c8",
           "block": "#ff5c5c", "warn": "#ffb84d"}

LABELS = {
    "title": ("运维管理", "Operations"), "nav_cockpit": ("驾驶舱", "Cockpit"), "lang_switch": ("English", "中文"),
    "jobs": ("数据源与调度", "Sources and schedules"), "job": ("作业", "Job"), "source": ("数据源", "Source"),
    "schedule": ("调度", "Schedule"), "last_run": ("最近运行", "Last run"), "status": ("状态", "Status"),
    "loaded": ("加载行数", "Loaded"), "rejected": ("拒收行数", "Rejected"), "next_run": ("下次运行", "Next run"),
    "freshness": ("新鲜度", "Freshness"), "last_success": ("最近成功", "Last success"), "run_now": ("立即运行", "Run now"),
    "error": ("错误", "Error"), "rejected_rows": ("拒收数据行及原因", "Rejected rows and reasons"),
    "run": ("批次", "Run"), "location": ("文件/地址", "File or URL"), "row": ("行号", "Row"), "reason": ("原因", "Reason"),
    "raw": ("原始内容", "Raw content"), "download": ("下载CSV", "Download CSV"),
    "failed_files": ("失败文件(failed/)", "Refused files (failed/)"), "file": ("文件", "File"),
    "modified": ("时间", "Modified"), "size": ("大小(字节)", "Size (bytes)"), "none": ("无", "none"),
    "started": ("已开始运行：{}", "Started: {}"),
    "requested": ("已请求调度进程运行：{}", "Asked the scheduler to run: {}"), "unknown_job": ("没有这个作业：{}", "No such job: {}"),
    "forbidden": ("此页面需要管理员(admin)角色", "This page needs the admin role"),
    "e403": ("无权访问", "Forbidden"), "back_home": ("返回驾驶舱", "Back to the cockpit"),
    "ok": ("正常", "ok"), "amber": ("滞后", "late"), "red": ("过期", "stale"), "never": ("从未成功", "never"),
    "success": ("成功", "success"), "failed": ("失败", "failed"), "running": ("运行中", "running"),
    "partial": ("部分拒收", "partial"), "held": ("待核实", "held"), "discarded": ("已弃用", "discarded"),
    "held_runs": ("待核实批次(校验未通过)", "Held runs (checks failed)"),
    "check_warnings": ("校验提示(已发布)", "Check warnings (published)"), "check": ("校验", "Check"),
    "indicator": ("指标", "Indicator"), "level": ("级别", "Level"), "block": ("阻断", "blocking"),
    "warn": ("警告", "warning"), "rows": ("数据行", "Rows"), "publish": ("发布", "Publish"),
    "discard": ("弃用", "Discard"), "published_msg": ("已发布批次 {}", "Published run {}"),
    "discarded_msg": ("已弃用批次 {}", "Discarded run {}"), "not_held": ("批次 {} 不是待核实状态", "Run {} is not held"),
    "alerts": ("告警记录", "Alerts sent"), "alert_at": ("时间", "When"), "alert_rule": ("规则", "Rule"),
    "alert_key": ("对象", "About"), "alert_kind": ("类型", "Kind"), "alert_channel": ("渠道", "Channel"),
    "alert_ok": ("结果", "Outcome"), "fired": ("告警", "fired"), "resolved": ("已恢复", "resolved"), "test": ("测试", "test"),
    "sent": ("已送达", "sent"), "not_sent": ("未送达", "not sent"),
    "annotations": ("大事记与说明", "Annotations"), "ann_period": ("日期/期间", "Date or period"),
    "ann_scope": ("范围", "Scope"), "ann_kind": ("类型", "Kind"), "ann_text": ("说明", "Text"),
    "ann_text_en": ("英文说明", "English text"), "ann_id": ("编号(修改时填)", "Id (to edit one)"),
    "ann_save": ("保存", "Save"), "ann_saved": ("已保存说明 #{}", "Saved annotation #{}"),
    "policy": ("政策", "policy"), "incident": ("数据事件", "data incident"), "revision": ("修订", "revision"),
    "note": ("说明", "note"),
    "showing": ("显示最近 {} 行", "newest {} rows shown"), "schedule_error": ("调度文件无法读取：{}", "Schedule file unreadable: {}"),
}


def label(key: str, lang: str) -> str:
    zh, en = LABELS[key]
    return en if lang == "en" else zh


def _when(value) -> str:
    """A stored instant (naive UTC) as COCKPIT_TZ's civil time."""
    return "—" if value is None or pd.isna(value) else f"{clock.shown(pd.Timestamp(value)):%Y-%m-%d %H:%M:%S}"


def badge(level: str | None, lang: str):
    if not level:
        return "—"
    text = label(level, lang) if level in LABELS else level
    return html.Span(text, className=f"ops-badge ops-{level}",
                     style={"color": COLOURS.get(level, "inherit"), "fontWeight": 600})


def frame(title: str, lang: str, body, other_lang_href: str):
    return html.Div([
        html.Header([html.Div([html.H1(title)], className="drill-title"),
                     html.Nav([dcc.Link(label("nav_cockpit", lang), href="/" if lang == "zh" else "/?lang=en",
                                        className="drill-nav-link"),
                               dcc.Link(label("lang_switch", lang), href=other_lang_href, className="drill-lang")],
                              className="drill-nav")], className="drill-header"),
        html.Main(body, className="drill-body"),
    ], className=f"drill ops lang-{lang}", id="ops-page")


def section(key: str, title: str, body, tools=None):
    return html.Section([html.Div([html.H2(title, className="dpanel-title"), html.Div(tools or [], className="dpanel-tools")],
                                  className="dpanel-head"), html.Div(body, className="dpanel-body")],
                        className="dpanel wide", id=f"ops-panel-{key}")


def jobs_table(df: pd.DataFrame, lang: str):
    heads = [label(k, lang) for k in ("job", "source", "schedule", "last_run", "status", "loaded", "rejected",
                                      "last_success", "next_run", "freshness", "error")] + [""]
    rows = [[r.job, r.source, r.schedule, _when(r.started_at), badge(r.status, lang), f"{r.rows_loaded:,}",
             f"{r.rows_rejected:,}", _when(r.last_success), _when(r.next_run), badge(r.freshness, lang),
             html.Span(r.error[:300], title=r.error, className="ops-error") if r.error else "",
             html.Button(label("run_now", lang), id={"type": RUN_TYPE, "job": r.job}, n_clicks=0, className="export-btn")]
            for r in df.itertuples()]
    return link_table(heads, rows, numeric={5, 6}, cls="ops-jobs")


def rejected_table(df: pd.DataFrame, lang: str, limit: int):
    if df.empty:
        return html.P(label("none", lang), className="ops-empty")
    heads = [label(k, lang) for k in ("run", "job", "location", "row", "reason", "raw")]
    rows = [[r.run_id, r.job, r.location, "" if pd.isna(r.row_number) else int(r.row_number), r.reason,
             html.Code(str(r.raw)[:300])] for r in df.itertuples()]
    return html.Div([html.P(label("showing", lang).format(limit), className="ops-note"),
                     link_table(heads, rows, numeric={0, 3}, cls="ops-rejected")])


def download_buttons(jobs: list[str], lang: str):
    return [html.Button(f"{label('download', lang)} · {name}", id={"type": DOWNLOAD_TYPE, "job": name}, n_clicks=0,
                        className="export-btn") for name in jobs] + [dcc.Download(id=DOWNLOAD)]


def failed_table(df: pd.DataFrame, lang: str):
    if df.empty:
        return html.P(label("none", lang), className="ops-empty")
    heads = [label(k, lang) for k in ("job", "file", "modified", "size", "error")]
    rows = [[r.job, html.Span(r.file, title=r.folder), _when(r.modified), f"{r.size:,}", html.Pre(r.error)]
            for r in df.itertuples()]
    return link_table(heads, rows, numeric={3}, cls="ops-failed")


def forbidden(lang: str):
    return html.Div(html.Div([
        html.H1(f"403 · {label('e403', lang)}"), html.P(label("forbidden", lang), className="error-lead"),
        html.Div([dcc.Link(label("back_home", lang), href="/")], className="error-links"),
    ], className="error-box", id="error-403"), className=f"drill drill-error lang-{lang}")


def held_table(runs: list[dict], lang: str, actions: bool = True):
    """The held runs (待核实), each with its failed checks and their rows, and Publish / Discard buttons; with
    `actions` off, published runs whose checks warned (the warnings' table)."""
    if not runs:
        return html.P(label("none", lang), className="ops-empty")
    heads = [label(k, lang) for k in ("run", "job", "last_run", "check", "indicator", "level", "rows")] + [""]
    rows = []
    for r in runs:
        findings = r["checks"] or []
        buttons = [html.Button(label(k, lang), id={"type": t, "run": r["id"]}, n_clicks=0, className="export-btn")
                   for k, t in (("publish", PUBLISH_TYPE), ("discard", DISCARD_TYPE))] if actions else ""
        for i, f in enumerate(findings or [{}]):
            shown = "; ".join(f"{x['scope']} {x['period']} = {x['value']:g} ({x['detail']})"
                              for x in f.get("rows", []))
            rows.append([r["id"], r["job"], _when(r["ended_at"]), f.get("check", "—"), f.get("indicator", "—"),
                         badge(f.get("level"), lang), html.Span(f"{f.get('count', 0)}: {shown}"[:400], title=shown,
                                                                className="ops-error"), buttons if i == 0 else ""])
    return link_table(heads, rows, numeric={0}, cls="ops-held")


def alerts_table(sent: list[dict], lang: str):
    """The newest alert messages: when, rule, what about, fired/resolved/test, channel, delivered or why not."""
    if not sent:
        return html.P(label("none", lang), className="ops-empty")
    heads = [label(k, lang) for k in ("alert_at", "alert_rule", "alert_key", "alert_kind", "alert_channel", "alert_ok")]
    rows = [[_when(s["at"]), s["rule"], html.A(s["title"] or s["key"], href=s["link"]) if s["link"] else s["key"],
             label(s["kind"], lang) if s["kind"] in LABELS else s["kind"], s["channel"],
             html.Span(label("sent", lang), style={"color": COLOURS["ok"]}) if s["ok"] else
             html.Span(f"{label('not_sent', lang)}: {s['error']}", style={"color": COLOURS["red"]})] for s in sent]
    return link_table(heads, rows, cls="ops-alerts")


ANN_FIELDS = ("period", "scope", "kind", "text_zh", "text_en", "id")
ANN_SAVE, ANN_MESSAGE, ANN_TABLE = "ops-ann-save", "ops-ann-message", "ops-ann-table"


def ann_input(field: str) -> str:
    return f"ops-ann-{field}"


def annotation_form(lang: str):
    """Add an annotation, or edit one by its id (the page audits each save)."""
    kinds = [{"label": label(k, lang), "value": k} for k in ("policy", "incident", "revision", "note")]
    box = lambda key, field, **kw: html.Label([label(key, lang), dcc.Input(id=ann_input(field), debounce=False, **kw)],
                                              className="ops-ann-field")
    return html.Div([
        box("ann_period", "period", placeholder="2026-03-15 / 2026-03 / 2026", type="text"),
        box("ann_scope", "scope", placeholder="county / kjj / equipment", type="text"),
        html.Label([label("ann_kind", lang), dcc.Dropdown(id=ann_input("kind"), options=kinds, value="policy",
                                                          clearable=False)], className="ops-ann-field"),
        box("ann_text", "text_zh", type="text"), box("ann_text_en", "text_en", type="text"),
        box("ann_id", "id", type="number"),
        html.Button(label("ann_save", lang), id=ANN_SAVE, n_clicks=0, className="ops-run"),
        html.Div(id=ANN_MESSAGE, className="ops-message", role="status"),
    ], className="ops-ann-form")


def annotations_table(df: pd.DataFrame, lang: str):
    if df.empty:
        return html.P(label("none", lang), className="ops-empty")
    heads = [label(k, lang) for k in ("ann_id", "ann_period", "ann_scope", "ann_kind", "ann_text", "ann_text_en")]
    rows = [[r["id"], r["period"], r["scope"], label(r["kind"], lang) if r["kind"] in LABELS else r["kind"],
             r["text_zh"], r["text_en"]] for r in df.to_dict("records")]
    return link_table(heads, rows, cls="ops-annotations")
