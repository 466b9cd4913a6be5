"""The `cockpit` command's export and user groups (cockpit.cli adds them), and the store engine every command
opens (migrated to head and the catalogue loaded first)."""
from __future__ import annotations

import getpass
import json
from datetime import timedelta
from pathlib import Path

import click

from cockpit.settings import get_settings
from cockpit.web import alerts, export
from etl import clock, migrate
from etl.accounts import add_user, remove_user, set_role, write_audit
from etl.catalogue import read_catalogue
from etl.config import ConfigError
from etl.store import make_engine


def store_engine(settings):
    engine = make_engine(settings.store_url)
    migrate.prepare(engine, read_catalogue(settings.catalogue_file))
    return engine


@click.group("export")
def export_group() -> None:
    """CSV snapshots (UTF-8 with BOM, provenance footer), as the cockpit's export buttons write them."""


def _write_export(kind: str, output: Path, **params) -> None:
    engine = store_engine(get_settings())
    try:
        _, body, meta = export.export(engine, kind, **params)
        with open(output, "wb") as fh:
            for part in body:
                fh.write(part)
    except (export.BadRequest, export.NotFound) as exc:
        raise click.ClickException(str(exc)) from exc
    detail = {**meta.filters, **({"as_of": params["as_of"]} if params.get("as_of") else {})}
    write_audit(engine, "export", f"cli:{kind}", json.dumps(detail, ensure_ascii=False), getpass.getuser(), "shell")
    click.echo(f"{output}: {meta.rows} rows, as of {meta.as_of or '-'}, runs "
               f"{','.join(map(str, sorted(meta.runs))) or '-'}{' (demo data)' if meta.demo else ''}")


@export_group.command("observations")
@click.option("--indicator", required=True, help="Indicator code or Chinese name.")
@click.option("--scope", help="county/全县, or a department, chain, segment or firm by code or name.")
@click.option("--from", "start", help="First period (2021, 2021-03, 2021Q1, ...).")
@click.option("--to", "end", help="Last period.")
@click.option("--as-of", "as_of", help="Reproduce the snapshot made at this time (ISO, in COCKPIT_TZ) or load run id.")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path))
def export_observations(indicator, scope, start, end, as_of, output) -> None:
    """Observations of one indicator (as they stood at --as-of, byte for byte, when given)."""
    _write_export("observations", output, indicator=indicator, scope=scope, as_of=as_of,
                  **{"from": start, "to": end})


@export_group.command("cases")
@click.option("--department", help="Department code or Chinese name (all departments when left out).")
@click.option("--from", "start", help="First day, month or year submitted (2021-03-15, 2021-03, 2021).")
@click.option("--to", "end", help="Last day, month or year submitted.")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path))
def export_cases(department, start, end, output) -> None:
    """Innovation-matter cases."""
    _write_export("cases", output, department=department, **{"from": start, "to": end})


@click.group()
def user() -> None:
    """Accounts for leaders, analysts and admins."""


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["leader", "analyst", "admin"]), required=True)
@click.password_option(help="At least 10 characters; asked for when not given.")
def user_add(username: str, role: str, password: str) -> None:
    """Create (or reset) an account; the password is stored hashed. A reset ends the user's sessions."""
    try:
        add_user(store_engine(get_settings()), username, password, role)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"user {username} ({role}) saved")


@user.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice(["leader", "analyst", "admin"]))
def user_role(username: str, role: str) -> None:
    """Give an account another role; its sessions end at once (it logs in again with the new role)."""
    try:
        set_role(store_engine(get_settings()), username, role)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"user {username} is now {role}; their sessions have ended")


@user.command("remove")
@click.argument("username")
def user_remove(username: str) -> None:
    """Delete an account; its sessions end at once."""
    try:
        remove_user(store_engine(get_settings()), username)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"user {username} removed; their sessions have ended")


def report_tasks(engine, settings) -> tuple:
    """The scheduler's monthly report: hourly, it writes last month's PDF into COCKPIT_REPORTS_DIR when it is not
    there yet (nothing when this machine has no Chromium to print it)."""
    from cockpit.web import report
    try:
        report.chromium(settings)
    except report.ReportError:
        return ()

    def monthly() -> None:
        first = clock.today().replace(day=1)
        period = (first - timedelta(days=1)).strftime("%Y-%m")
        out = settings.reports_dir / f"report-{period}-{settings.language}.pdf"
        if not out.exists():
            out.parent.mkdir(parents=True, exist_ok=True)
            report.write_pdf(engine, settings, period, settings.language, out)
            alerts.deliver_report(engine, settings, out, period)
    return (("report-monthly", 3600.0, monthly),)


def alert_tasks(engine, settings) -> tuple:
    """The scheduler's alerts check (every COCKPIT_ALERTS_EVERY s) when a rules file is there, else nothing."""
    if alerts.read_alerts(settings.alerts_file) is None:
        return ()
    return (("alerts-check", settings.alerts_every, lambda: alerts.check(engine, settings)),)


@click.group("alerts")
def alerts_group() -> None:
    """Alert rules and channels (COCKPIT_ALERTS): check them now, or send a test message."""


@alerts_group.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the messages sent as JSON.")
def alerts_check(as_json: bool) -> None:
    """Evaluate every rule now and send what each alert's episode calls for (the scheduler runs this too)."""
    settings = get_settings()
    try:
        sent = alerts.check(store_engine(settings), settings)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(sent, ensure_ascii=False))
        return
    for s in sent:
        click.echo(f"{s['kind']} {s['rule']} {s['key']} -> {s['channel']}: {'ok' if s['ok'] else s['error']}")
    click.echo(f"{len(sent)} message(s)")


@alerts_group.command("test")
@click.argument("channel")
def alerts_test(channel: str) -> None:
    """Send a test message to CHANNEL."""
    settings = get_settings()
    try:
        result = alerts.send_test(store_engine(settings), settings, channel)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    if not result["ok"]:
        raise click.ClickException(f"{channel}: {result['error']}")
    click.echo(f"{channel}: test message sent")


@click.command("report")
@click.option("--period", required=True, help="The month: 2026-11.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language (default COCKPIT_LANG).")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="The PDF to write.")
@click.option("--png", is_flag=True, help="Also write the wall at 1920x1080 beside it (FILE.png).")
@click.option("--csv", "as_csv", is_flag=True, help="Also write the period's snapshots as a zip (FILE.zip).")
def report_command(period: str, lang: str | None, output: Path, png: bool, as_csv: bool) -> None:
    """A period's report: KPIs against targets, trends, departments, reporting, revisions (PDF, A4)."""
    from cockpit.web import report
    settings = get_settings()
    engine, lang = store_engine(settings), lang or settings.language
    try:
        written = [report.write_pdf(engine, settings, period, lang, output)]
        if png:
            written.append(report.write_png(settings, lang, output.with_suffix(".png")))
        if as_csv:
            written.append(report.write_csv_zip(engine, period, output.with_suffix(".zip")))
    except report.ReportError as exc:
        raise click.ClickException(str(exc)) from exc
    for path in written:
        click.echo(f"wrote {path}")
