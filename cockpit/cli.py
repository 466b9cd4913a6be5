"""The `cockpit` command: database, ETL, demo data and the scheduler process."""
from __future__ import annotations

import getpass
import json
import logging
import sys
from contextlib import contextmanager
from pathlib import Path

import click
from tqdm import tqdm

from cockpit.commands import (alert_tasks, alerts_group, export_group, report_command, report_tasks, store_engine,
                               user)
from cockpit.queries.ops import last_runs
from cockpit.settings import get_settings
from etl import clock, load, publish
from etl.config import ConfigError
from etl.jobs import Job, read_jobs
from etl.schedule import build_scheduler, run_job
from etl.sources import FileDropSource

log = logging.getLogger("cockpit")


def _progress(items, desc: str):
    """A progress bar on a terminal, plain log lines elsewhere."""
    if sys.stderr.isatty():
        yield from tqdm(items, desc=desc, unit="job")
        return
    for item in items:
        log.info("%s: %s", desc, getattr(item, "name", item))
        yield item


@contextmanager
def _stages(desc: str):
    """A run's stages as a live status line on a terminal, as log lines elsewhere."""
    if not sys.stderr.isatty():
        yield lambda stage: log.info("%s: %s", desc, stage)
        return
    with tqdm(desc=desc, bar_format="{desc}: {postfix} [{elapsed}]") as bar:
        def progress(stage: str) -> None:
            bar.set_postfix_str(stage)
            bar.update()
        yield progress


class _Group(click.Group):
    """Reports like a tool: a configuration mistake or a failure is one line on stderr and exit 1; the traceback
    only with --verbose."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from exc
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            if (ctx.obj or {}).get("verbose"):
                raise
            raise click.ClickException(f"{type(exc).__name__}: {exc} (--verbose for the traceback)") from exc


def summary(result) -> str:
    """One run in one line: status and every count, rejected rows with their commonest reasons."""
    why = ", ".join(f"{reason} ×{n}" for reason, n in result.reasons.items())
    return (f"run {result.run_id} {result.status}; read {result.rows_read}, loaded {result.rows_loaded}, unchanged "
            f"{result.rows_unchanged}, rejected {result.rows_rejected}" + (f" ({why})" if why else "")
            + (f"; {result.error}" if result.error else "")
            + "".join(f"; skipped {where.rsplit('/', 1)[-1]}: {why}" for where, why in result.skipped))


@click.group(cls=_Group)
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail, and tracebacks of failures.")
@click.pass_context
def main(ctx, verbose: bool) -> None:
    """Xinchang innovation cockpit (新昌县创新服务云平台驾驶舱)."""
    ctx.obj = {"verbose": verbose}
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.DEBUG if verbose else logging.WARNING)


main.add_command(export_group)
main.add_command(user)
main.add_command(alerts_group)
main.add_command(report_command)


@main.group()
def db() -> None:
    """The store's schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the store (Alembic) and load the catalogue."""
    settings = get_settings()
    engine = store_engine(settings)
    click.echo(f"store at {engine.url.render_as_string(hide_password=True)} is current")


@main.group()
def etl() -> None:
    """Extract, validate and load."""


@etl.command("run-file")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--job", default="run-file", show_default=True, help="Job name recorded for the run.")
def etl_run_file(path: Path, as_json: bool, job: str) -> None:
    """Load one CSV/XLSX file; exit 1 when the file as a whole is refused (nothing loaded)."""
    if not path.is_file():
        raise click.ClickException(f"no such file: {path}")
    engine = store_engine(get_settings())
    with _stages(f"run-file {path.name}") as progress:
        result = load.run(engine, job, FileDropSource(files=[str(path)], move=False), progress=progress)
    if as_json:
        click.echo(json.dumps({"run_id": result.run_id, "status": result.status, "read": result.rows_read,
                               "loaded": result.rows_loaded, "unchanged": result.rows_unchanged,
                               "rejected": result.rows_rejected, "reasons": result.reasons, "error": result.error,
                               "checks": result.checks}, ensure_ascii=False, default=str))
    else:
        click.echo(summary(result))
    if result.status != "success":
        sys.exit(1)


@etl.command("publish")
@click.argument("run_id", type=int)
def etl_publish(run_id: int) -> None:
    """Publish a run held by a blocking check (待核实): its rows show and the data version moves; audited."""
    try:
        changed = publish.publish(store_engine(get_settings()), run_id, getpass.getuser())
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"run {run_id} published; {changed} rows changed")


@etl.command("discard")
@click.argument("run_id", type=int)
def etl_discard(run_id: int) -> None:
    """Discard a held run: its rows are deleted, nothing of it ever shows; audited."""
    try:
        rows = publish.discard(store_engine(get_settings()), run_id, getpass.getuser())
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"run {run_id} discarded; {rows} held rows deleted")


def _jobs(settings, name: str | None) -> list[Job]:
    jobs = read_jobs(settings.schedule_file)
    if name:
        jobs = [j for j in jobs if j.name == name]
        if not jobs:
            raise click.ClickException(f"no job named {name!r} in {settings.schedule_file}")
    return jobs


@etl.command("run")
@click.argument("job", required=False)
def etl_run(job: str | None) -> None:
    """Run one job (or every job) now, once."""
    settings = get_settings()
    engine = store_engine(settings)
    failed = 0
    for j in _progress(_jobs(settings, job), "etl"):
        result = run_job(engine, j)
        if result is None:
            click.echo(f"{j.name}: another process holds the job's lock; skipped")
            continue
        failed += result.status != "success"
        click.echo(f"{j.name}: {summary(result)}")
    sys.exit(1 if failed else 0)


@etl.command("status")
def etl_status() -> None:
    """The last run of every job."""
    settings = get_settings()
    engine = store_engine(settings)
    rows = last_runs(engine)
    if not rows:
        click.echo("no runs yet")
    for r in rows:
        click.echo(f"{r.job:<20} run {r.id:<6} {r.status:<8} {clock.shown(r.started_at):%Y-%m-%d %H:%M:%S}  loaded {r.rows_loaded}"
                   f" unchanged {r.rows_unchanged} rejected {r.rows_rejected}" + (f"  {r.error}" if r.error else ""))


@main.command()
def demo() -> None:
    """Load the demo sources once and return."""
    settings = get_settings()
    engine = store_engine(settings)
    for j in _progress([j for j in read_jobs(settings.schedule_file) if j.source.startswith("demo")], "demo"):
        result = run_job(engine, j)
        if result is not None:
            click.echo(f"{j.name}: {summary(result)}")


@main.command()
def scheduler() -> None:
    """Run the scheduler as its own process (production: exactly one, beside the web workers)."""
    logging.getLogger().setLevel(logging.DEBUG if logging.getLogger().level == logging.DEBUG else logging.INFO)
    settings = get_settings()
    engine = store_engine(settings)
    extra = alert_tasks(engine, settings) + report_tasks(engine, settings)
    sched = build_scheduler(engine, read_jobs(settings.schedule_file), blocking=True, extra=extra)
    click.echo(f"scheduler started with {len(sched.get_jobs()) - 1 - len(extra)} jobs"  # and its run-requests poll
               + "".join(f", {name} every {seconds:g} s" for name, seconds, _ in extra))
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        pass


if __name__ == "__main__":
    main()
