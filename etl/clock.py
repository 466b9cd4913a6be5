"""The one clock. Nothing reads the process clock's zone (the Docker image runs in UTC, an office PC in
Asia/Shanghai): instants the system stamps (run times, audit rows, locks, requests, users) are stored as naive UTC
(`utc_now()`), and are shown, and periods ("today", year-to-date) are cut, in one configured zone, COCKPIT_TZ
(an IANA name, default Asia/Shanghai). Source event times (a case's submitted/completed/due) are civil times in that
zone. Tests freeze time by monkeypatching `utc_now` (every other reading of "now" goes through it)."""
from __future__ import annotations

import calendar
import os
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ENV = "COCKPIT_TZ"
DEFAULT = "Asia/Shanghai"
_zone: ZoneInfo | None = None


def check(name: str) -> ZoneInfo:
    """The zone called `name`; ValueError naming COCKPIT_TZ when it is no IANA time zone name."""
    try:
        if not name or name != name.strip() or name.startswith(("/", ".")):
            raise ValueError
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"{ENV} must be an IANA time zone name such as {DEFAULT} or UTC") from None


def use(name: str) -> ZoneInfo:
    """Make `name` the zone of this process (the settings do this at start)."""
    global _zone
    _zone = check(name)
    return _zone


def zone() -> ZoneInfo:
    """The configured zone: set by use(), else COCKPIT_TZ from the environment (etl's own reader), else the default."""
    global _zone
    if _zone is None:
        _zone = check(os.environ.get(ENV) or DEFAULT)
    return _zone


def utc_now() -> datetime:
    """Now as naive UTC, whole seconds: how the store keeps every instant the system stamps."""
    return datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)


def local_now() -> datetime:
    """Now as a naive civil time in COCKPIT_TZ."""
    return shown(utc_now())


def today() -> date:
    """Today in COCKPIT_TZ."""
    return local_now().date()


def aware_now() -> datetime:
    """Now as an aware datetime in COCKPIT_TZ (what APScheduler's triggers take)."""
    return utc_now().replace(tzinfo=timezone.utc).astimezone(zone())


def shown(moment):
    """A stored naive-UTC instant as a naive civil time in COCKPIT_TZ (None/NaT pass through)."""
    if moment is None or moment != moment:  # NaT is not equal to itself
        return moment
    if hasattr(moment, "to_pydatetime"):
        moment = moment.to_pydatetime()
    return moment.replace(tzinfo=timezone.utc).astimezone(zone()).replace(tzinfo=None)


def stored(aware: datetime) -> datetime:
    """An aware datetime (a trigger's fire time) as the store's naive UTC."""
    return aware.astimezone(timezone.utc).replace(tzinfo=None)


def from_timestamp(seconds: float) -> datetime:
    """Epoch seconds (a file's mtime) as naive UTC, whole seconds, like a stored instant."""
    return datetime.fromtimestamp(int(seconds), timezone.utc).replace(tzinfo=None)


def epoch(moment: datetime | None) -> float | None:
    """Seconds since the epoch of a stored naive-UTC instant."""
    if moment is None or moment != moment:
        return None
    if hasattr(moment, "to_pydatetime"):
        moment = moment.to_pydatetime()
    return calendar.timegm(moment.timetuple()) + moment.microsecond / 1e6


def local_to_utc(civil: datetime) -> datetime:
    """A naive civil time in COCKPIT_TZ (a case time, a year's start) as naive UTC."""
    return civil.replace(tzinfo=zone()).astimezone(timezone.utc).replace(tzinfo=None)
