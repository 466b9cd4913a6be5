"""Operations (运维, admin only): per job its schedule, last run, status, rows loaded and rejected, next run and
freshness; the rejected rows with reasons, downloadable; a button to run a job now; the files a drop refused."""
from __future__ import annotations

import json
import logging
import threading

import dash
from dash import ALL, Input, Output, State, callback, dcc, html, no_update

from cockpit import context
from cockpit.queries import annotations as notes
from cockpit.queries import ops as oq
from cockpit.queries import reporting as rq
from cockpit.snapshot import Meta, snapshot_bytes
from cockpit.web import auth
from cockpit.components import ops_panels as ui
from cockpit.components import reporting as reporting_ui
from cockpit.i18n import lang_of, t
from etl import annotations, clock, publish, schedule
from etl.jobs import read_jobs
from etl.requests import request_run

PAGE = "ops"
REJECTED_SHOWN = 200
LANG = "ops-lang"
log = logging.getLogger(__name__)
dash.register_page(__name__, path="/ops", order=90, title="运维管理 · 新昌县创新服务云平台驾驶舱")


def jobs():
    return read_jobs(context.get().settings.schedule_file)


def layout(lang=None, **_):
    lang = lang_of(lang)
    if not auth.allowed("admin"):  # the page content comes through a callback, which the /ops path rule does not see
        return ui.forbidden(lang)
    engine = context.get().engine
    try:
        scheduled = jobs()
    except (OSError, ValueError) as exc:
        return ui.frame(ui.label("title", lang), lang, html.P(ui.label("schedule_error", lang).format(exc)),
                        "/ops" if lang == "en" else "/ops?lang=en")
    body = [
        dcc.Store(id=LANG, data=lang), dcc.Interval(id=ui.TICK, interval=5000),
        ui.section("jobs", ui.label("jobs", lang), [html.Div(ui.jobs_table(oq.job_status(engine, scheduled), lang),
                                                             id=ui.JOBS),
                                                    html.Div(id=ui.MESSAGE, className="ops-message", role="status")]),
        ui.section("held", ui.label("held_runs", lang), [html.Div(ui.held_table(publish.held_runs(engine), lang),
                                                                  id=ui.HELD),
                                                         html.Div(id=ui.HELD_MESSAGE, className="ops-message",
                                                                  role="status")]),
        ui.section("warnings", ui.label("check_warnings", lang),
                   html.Div(ui.held_table(oq.check_warnings(engine), lang, actions=False), id="ops-warnings")),
        ui.section("rejected", ui.label("rejected_rows", lang),
                   ui.rejected_table(oq.rejected_rows(engine, limit=REJECTED_SHOWN), lang, REJECTED_SHOWN),
                   ui.download_buttons([j.name for j in scheduled], lang)),
        ui.section("failed", ui.label("failed_files", lang), ui.failed_table(oq.failed_files(scheduled), lang)),
        ui.section("reporting", t("rep_title", lang), reporting_ui.overview(rq.completeness(engine), lang)),
        ui.section("annotations", ui.label("annotations", lang), [ui.annotation_form(lang), html.Div(
            ui.annotations_table(notes.annotations(engine), lang), id=ui.ANN_TABLE)]),
        ui.section("alerts", ui.label("alerts", lang), html.Div(ui.alerts_table(oq.alert_history(engine), lang),
                                                                id="ops-alerts")),
    ]
    return ui.frame(ui.label("title", lang), lang, body, "/ops" if lang == "en" else "/ops?lang=en")


def _clicked() -> str | None:
    """The job whose button was really clicked (buttons re-rendered with n_clicks=0 also fire ALL callbacks)."""
    trig = dash.ctx.triggered[0] if dash.ctx.triggered else None
    if not trig or not trig.get("value") or not isinstance(dash.ctx.triggered_id, dict):
        return None
    return dash.ctx.triggered_id.get("job")


def _run_quietly(engine, job) -> None:
    try:
        schedule.run_job(engine, job)  # the job's lock makes a second click (or the scheduler's tick) a no-op
    except Exception:
        log.exception("manual run of %s failed", job.name)


def start_run(engine, job) -> threading.Thread:
    thread = threading.Thread(target=_run_quietly, args=(engine, job), name=f"etl-now-{job.name}", daemon=True)
    thread.start()
    return thread


@callback(Output(ui.MESSAGE, "children"), Input({"type": ui.RUN_TYPE, "job": ALL}, "n_clicks"), State(LANG, "data"),
          prevent_initial_call=True)
def run_now(_clicks, lang):
    lang = lang_of(lang)
    name = _clicked()
    if name is None:
        return no_update
    if not auth.allowed("admin"):
        return ui.label("forbidden", lang)
    job = next((j for j in jobs() if j.name == name), None)
    if job is None:
        return ui.label("unknown_job", lang).format(name)
    auth.record("etl_trigger", job.name)
    ctx = context.get()
    if ctx.settings.run_scheduler:  # the embedded default: this process runs the scheduler, so the job runs here
        start_run(ctx.engine, job)
    else:  # production: the scheduler's process takes the request within seconds
        request_run(ctx.engine, job.name, auth.who())
    said = "started" if ctx.settings.run_scheduler else "requested"
    return ui.label(said, lang).format(f"{job.name} · {clock.local_now():%H:%M:%S}")


@callback(Output(ui.JOBS, "children"), Input(ui.TICK, "n_intervals"), Input(ui.MESSAGE, "children"),
          State(LANG, "data"), prevent_initial_call=True)
def refresh_jobs(_n, _message, lang):
    if not auth.allowed("admin"):
        return no_update
    return ui.jobs_table(oq.job_status(context.get().engine, jobs()), lang_of(lang))


@callback(Output(ui.DOWNLOAD, "data"), Input({"type": ui.DOWNLOAD_TYPE, "job": ALL}, "n_clicks"),
          prevent_initial_call=True)
def download_rejected(_clicks):
    name = _clicked()
    if name is None or not auth.allowed("admin"):
        return no_update
    return rejected_snapshot(name)


def rejected_snapshot(job: str) -> dict:
    """Every rejected row of `job` as a CSV snapshot (BOM, provenance footer), audited as an export."""
    frame = oq.rejected_rows(context.get().engine, job=job, limit=None)
    meta = Meta(kind="rejected_rows", filters={"job": job})
    data = snapshot_bytes(oq.REJECTED_COLUMNS, frame, meta)
    auth.record("export", f"rejected_rows:{job}", json.dumps({"job": job, "rows": meta.rows}, ensure_ascii=False))
    return dcc.send_bytes(data, f"rejected_rows_{job}.csv", type="text/csv")


@callback(Output(ui.HELD_MESSAGE, "children"), Output(ui.HELD, "children"),
          Input({"type": ui.PUBLISH_TYPE, "run": ALL}, "n_clicks"),
          Input({"type": ui.DISCARD_TYPE, "run": ALL}, "n_clicks"),
          State(LANG, "data"), prevent_initial_call=True)
def publish_or_discard(_published, _discarded, lang):
    """An admin publishes or discards a held run (etl.publish writes and audits it)."""
    lang = lang_of(lang)
    trig = dash.ctx.triggered[0] if dash.ctx.triggered else None
    if not trig or not trig.get("value") or not isinstance(dash.ctx.triggered_id, dict):
        return no_update, no_update
    if not auth.allowed("admin"):
        return ui.label("forbidden", lang), no_update
    run_id, kind = dash.ctx.triggered_id["run"], dash.ctx.triggered_id["type"]
    engine = context.get().engine
    act = publish.publish if kind == ui.PUBLISH_TYPE else publish.discard
    try:
        act(engine, int(run_id), auth.who(), auth.role() or "admin")
        said = ui.label("published_msg" if kind == ui.PUBLISH_TYPE else "discarded_msg", lang).format(run_id)
    except LookupError:
        said = ui.label("not_held", lang).format(run_id)
    return said, ui.held_table(publish.held_runs(engine), lang)


@callback(Output(ui.ANN_MESSAGE, "children"), Output(ui.ANN_TABLE, "children"), Input(ui.ANN_SAVE, "n_clicks"),
          *[State(ui.ann_input(f), "value") for f in ui.ANN_FIELDS], State(LANG, "data"), prevent_initial_call=True)
def save_annotation(clicks, period, scope, kind, text_zh, text_en, ann_id, lang):
    """An admin adds an annotation or edits one (by id); written by etl.annotations, audited here."""
    lang = lang_of(lang)
    if not clicks:
        return no_update, no_update
    if not auth.allowed("admin"):
        return ui.label("forbidden", lang), no_update
    fields = {"period": period, "scope": scope or "county", "kind": kind, "note": text_zh, "note_en": text_en or ""}
    engine = context.get().engine
    try:
        saved = annotations.save(engine, fields, auth.who(), int(ann_id) if ann_id not in (None, "") else None)
    except ValueError as exc:
        return str(exc), no_update
    auth.record("annotation", f"annotation:{saved}", json.dumps(fields, ensure_ascii=False))
    return ui.label("ann_saved", lang).format(saved), ui.annotations_table(notes.annotations(engine), lang)
