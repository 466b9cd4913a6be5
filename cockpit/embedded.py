"""The embedded default: migrate, load the demo on first start, run the scheduler in-process beside the dev server."""
from __future__ import annotations

import logging

from sqlalchemy import func, select

from etl import migrate
from etl.catalogue import read_catalogue
from etl.jobs import read_jobs
from etl.schedule import build_scheduler, run_job
from etl.store import EtlRun

log = logging.getLogger(__name__)


def prepare_store(engine, settings) -> None:
    """Migrate; with an empty store, load the demo sources once so a newcomer sees a full cockpit."""
    migrate.prepare(engine, read_catalogue(settings.catalogue_file))
    with engine.connect() as conn:
        loaded = conn.execute(select(func.count()).select_from(EtlRun).where(EtlRun.status == "success")).scalar()
    if loaded == 0 and settings.seed_demo:
        for job in read_jobs(settings.schedule_file):
            if job.source.startswith("demo"):
                log.info("empty store: loading %s", job.name)
                run_job(engine, job)


def run(app) -> None:
    from cockpit import context

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx = app.server.extensions["cockpit"]
    settings = ctx.settings
    prepare_store(ctx.engine, settings)
    scheduler = None
    if settings.run_scheduler:
        from cockpit.commands import alert_tasks
        scheduler = build_scheduler(ctx.engine, read_jobs(settings.schedule_file),
                                    extra=alert_tasks(ctx.engine, settings))
        scheduler.start()
    try:
        app.run(host=settings.host, port=settings.port, debug=False)
    finally:
        if scheduler:
            scheduler.shutdown(wait=False)
