"""Jobs as data: name, source, options and trigger, read from the schedule file."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from etl import clock, config
from etl.config import ConfigError, read_toml
from etl.sources import SOURCES, make_source

_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}
GRID_START = datetime(2020, 1, 1)  # interval triggers share one grid (in COCKPIT_TZ): every process, the same ticks
PATH_OPTIONS = ("folder",)


@dataclass
class Job:
    name: str
    source: str
    options: dict = field(default_factory=dict)
    trigger: dict = field(default_factory=dict)
    retries: int = 2
    retry_backoff: float = 5.0

    def make_trigger(self):
        if "every" in self.trigger:
            return IntervalTrigger(seconds=self.interval_seconds(), start_date=GRID_START, timezone=clock.zone())
        return CronTrigger.from_crontab(self.trigger["cron"], timezone=clock.zone())

    def interval_seconds(self) -> float:
        """How often the job is meant to run: the basis of the freshness stamp and of the misfire grace."""
        if "every" in self.trigger:
            m = _EVERY.match(str(self.trigger["every"]))
            return float(m.group(1)) * _UNIT[m.group(2)]
        trig = CronTrigger.from_crontab(self.trigger["cron"], timezone=clock.zone())
        first = trig.get_next_fire_time(None, clock.aware_now())
        second = trig.get_next_fire_time(first, first + timedelta(seconds=1))
        return (second - first).total_seconds()

    def make_source(self):
        return make_source(self.source, self.options)


def _check(path: Path, index: int, job: Job) -> Job:
    where = f"{path}: jobs[{index}] (name {job.name!r})"
    if job.source not in SOURCES:
        raise ConfigError(f"{where}: source: unknown source {job.source!r}; known: {', '.join(SOURCES)}")
    if "every" in job.trigger:
        if not _EVERY.match(str(job.trigger["every"])):
            raise ConfigError(f"{where}: trigger.every: must look like 60s, 5m, 24h (got {job.trigger['every']!r})")
    elif "cron" in job.trigger:
        try:
            CronTrigger.from_crontab(job.trigger["cron"])
        except ValueError as exc:
            raise ConfigError(f"{where}: trigger.cron: {exc}") from None
    else:
        raise ConfigError(f"{where}: trigger: needs 'every' or 'cron'")
    return job


def read_jobs(path: Path | str) -> list[Job]:
    """The jobs of a schedule file, checked (ConfigError names the file, the entry and the field); relative paths
    in options resolve against the file's folder."""
    path = Path(path)
    spec = read_toml(path)
    jobs = []
    for index, raw in enumerate(config.check(path, spec, config.JobSpec, "jobs")):
        options = dict(raw.options)
        for key in PATH_OPTIONS:
            if key in options:
                options[key] = str((path.parent / options[key]).resolve())
        job = _check(path, index, Job(name=raw.name, source=raw.source, options=options, trigger=dict(raw.trigger),
                                      retries=raw.retries, retry_backoff=raw.retry_backoff))
        config.check_options(path, index, raw, SOURCES[job.source])
        jobs.append(job)
    names = [j.name for j in jobs]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ConfigError(f"{path}: jobs: name: job names must be unique ({', '.join(duplicated)} repeated)")
    return jobs
