"""Jobs as data: name, source, options and trigger, read from the schedule file."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from etl.sources import SOURCES, make_source

_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}
GRID_START = datetime(2020, 1, 1)  # interval triggers share one grid, so every process computes the same ticks
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
            return IntervalTrigger(seconds=self.interval_seconds(), start_date=GRID_START)
        return CronTrigger.from_crontab(self.trigger["cron"])

    def interval_seconds(self) -> float:
        """How often the job is meant to run: the basis of the freshness stamp and of the misfire grace."""
        if "every" in self.trigger:
            m = _EVERY.match(str(self.trigger["every"]))
            return float(m.group(1)) * _UNIT[m.group(2)]
        trig = CronTrigger.from_crontab(self.trigger["cron"])
        first = trig.get_next_fire_time(None, datetime.now().astimezone())
        second = trig.get_next_fire_time(first, first + timedelta(seconds=1))
        return (second - first).total_seconds()

    def make_source(self):
        return make_source(self.source, self.options)


def _check(job: Job) -> Job:
    if job.source not in SOURCES:
        raise ValueError(f"job {job.name!r}: unknown source {job.source!r}; known: {', '.join(SOURCES)}")
    if "every" in job.trigger:
        if not _EVERY.match(str(job.trigger["every"])):
            raise ValueError(f"job {job.name!r}: 'every' must look like 60s, 5m, 24h")
    elif "cron" in job.trigger:
        CronTrigger.from_crontab(job.trigger["cron"])
    else:
        raise ValueError(f"job {job.name!r}: trigger needs 'every' or 'cron'")
    return job


def read_jobs(path: Path | str) -> list[Job]:
    """The jobs of a schedule file; relative paths in options resolve against the file's folder."""
    path = Path(path)
    with open(path, "rb") as fh:
        spec = tomllib.load(fh)
    jobs = []
    for raw in spec.get("jobs", []):
        options = dict(raw.get("options", {}))
        for key in PATH_OPTIONS:
            if key in options:
                options[key] = str((path.parent / options[key]).resolve())
        jobs.append(_check(Job(name=raw["name"], source=raw["source"], options=options,
                               trigger=dict(raw.get("trigger", {})), retries=int(raw.get("retries", 2)),
                               retry_backoff=float(raw.get("retry_backoff", 5.0)))))
    names = [j.name for j in jobs]
    if len(set(names)) != len(names):
        raise ValueError("job names in the schedule file must be unique")
    return jobs
