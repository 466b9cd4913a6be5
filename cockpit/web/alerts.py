"""Alerts (issue 14 #1): rules as data (data/alerts.toml, COCKPIT_ALERTS) over the facts /api/status serves, sent to
DingTalk, WeCom, e-mail or a JSON webhook (cockpit/web/alert_channels.py). Each (rule, key) fires once per
episode, a key that fires again within the rule's throttle after its last message stays quiet, and a cleared one
sends "resolved" (only when its "fired" went out). Every message is recorded (etl/alerts.py) and listed on /ops.

    [[channels]]                       [[rules]]
    name = "ops"                       name = "late-reporters"
    kind = "webhook"                   when = "late_reporters"   # off_target | out_of_band | overdue | held
    url = "http://127.0.0.1:9000/hook" channels = ["ops"]        # indicator = "rd_intensity" narrows a rule

A channel's secrets are never in the file: `token_env`, `secret_env`, `password_env`, `url_env` name the setting
(an environment variable) that holds them; a literal `token`, `secret` or `password` is refused."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from cockpit.queries import status
from cockpit.web import alert_channels
from etl import alerts as store, clock, publish
from etl.config import ConfigError

WHEN = ("off_target", "out_of_band", "overdue", "held", "late_reporters")
DRILL = {"held": "/ops", "overdue": "/ops", "late_reporters": "/departments"}
CHAIN_INDICATORS = {"rd_spending", "patents_granted", "invention_patents", "high_tech_firms", "talent_introduced"}
CASE_INDICATORS = {"matters_handled", "on_time_rate", "avg_processing_days"}
SECRETS = ("token", "secret", "password")


class Channel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    kind: Literal["dingtalk", "wecom", "email", "webhook"]
    url: str = ""  # webhook: its URL; email: smtp host:port (mailto:// or mailtos://host:port)
    url_env: str = ""
    token_env: str = ""  # dingtalk access_token / wecom key
    secret_env: str = ""  # dingtalk signing secret
    user: str = ""
    password_env: str = ""
    to: list[str] = Field(default_factory=list)
    sender: str = Field("", alias="from")

    @model_validator(mode="before")
    @classmethod
    def _no_secrets(cls, data):
        if isinstance(data, dict) and (found := [k for k in SECRETS if k in data]):
            raise ValueError(f"{', '.join(found)}: a secret never goes in the rules file; name the setting "
                             f"that holds it ({found[0]}_env = \"COCKPIT_...\")")
        return data


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    when: Literal["off_target", "out_of_band", "overdue", "held", "late_reporters"]
    channels: list[str]
    indicator: str | None = None
    band: tuple[float, float] | None = None  # out_of_band: [low, high]
    throttle_minutes: float = Field(60.0, ge=0)


class Reports(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channels: list[str] = Field(default_factory=list)  # where the scheduler's monthly report goes


class AlertsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channels: list[Channel] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
    reports: Reports = Field(default_factory=Reports)

    @model_validator(mode="after")
    def _known_channels(self):
        names = {c.name for c in self.channels}
        if missing := [c for c in self.reports.channels if c not in names]:
            raise ValueError(f"reports: unknown channel {missing[0]!r}")
        for rule in self.rules:
            if missing := [c for c in rule.channels if c not in names]:
                raise ValueError(f"rule {rule.name!r}: unknown channel {missing[0]!r}")
            if rule.when == "out_of_band" and (rule.band is None or rule.indicator is None):
                raise ValueError(f"rule {rule.name!r}: out_of_band needs indicator and band = [low, high]")
        return self


def read_alerts(path: Path | str) -> AlertsFile | None:
    """The rules file, or None when there is none (alerts off); ConfigError naming the file and the problem."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        return AlertsFile.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not TOML: {exc}") from None
    except ValidationError as exc:
        err = exc.errors(include_input=False)[0]
        where = ".".join(str(p) for p in err["loc"]) or "file"
        raise ConfigError(f"{path}: {where}: {err['msg'].removeprefix('Value error, ')}") from None


@dataclass(frozen=True)
class Firing:
    """One rule firing for one key now: its title and text in the screen language and the page explaining it."""
    rule: str
    key: str
    title: str
    text: str
    link: str


def _name(entry: dict, lang: str) -> str:
    return entry["name_en"] if lang == "en" else entry["name_zh"]


def _indicator_link(code: str) -> str:
    return "/chains" if code in CHAIN_INDICATORS else "/departments" if code in CASE_INDICATORS else "/"


def firings(engine, rules: list[Rule], today: date, lang: str) -> list[Firing]:
    """What every rule finds now, from the same facts as /api/status."""
    zh = lang != "en"
    facts = {e["code"]: e for e in status.indicator_status(engine, today)}
    reporting = status.reporting_status(engine, today)
    held = publish.held_runs(engine) if any(r.when == "held" for r in rules) else []
    out = []
    for rule in rules:
        wanted = [facts[rule.indicator]] if rule.indicator in facts else [] if rule.indicator else list(facts.values())
        if rule.when in ("off_target", "out_of_band", "overdue"):
            for e in wanted:
                value, title = e["value"], None
                if rule.when == "off_target" and e["off_target"]:
                    goal = e["target"] or {}
                    title = f"{_name(e, lang)}{'未达目标' if zh else ' off target'}"
                    text = (f"{e['period']}: {value:g}{e['unit'] if e['unit'] == '%' else ''} · "
                            f"{'目标' if zh else 'target'} {goal.get('value', '—')} ({goal.get('plan', '')} {goal.get('period', '')})")
                elif rule.when == "out_of_band" and value is not None and not rule.band[0] <= value <= rule.band[1]:
                    title = f"{_name(e, lang)}{'超出区间' if zh else ' out of band'}"
                    text = f"{e['period']}: {value:g} · {'区间' if zh else 'band'} [{rule.band[0]:g}, {rule.band[1]:g}]"
                elif rule.when == "overdue" and e["staleness"] == "overdue":
                    title = f"{_name(e, lang)}{'数据逾期' if zh else ' overdue'}"
                    text = f"{'最新' if zh else 'latest'} {e['period']} · {'应于' if zh else 'due'} {e['due']}"
                if title:
                    link = DRILL.get(rule.when) or _indicator_link(e["code"])
                    out.append(Firing(rule.name, e["code"], title, text, link))
        elif rule.when == "held":
            for run in held:
                checks = ", ".join(sorted({f["check"] for f in run.get("checks") or []}))
                out.append(Firing(rule.name, f"run:{run['id']}", f"{'加载待核实' if zh else 'Load held'}: {run['job']} #{run['id']}",
                                  f"{'未通过校验' if zh else 'failed checks'}: {checks}", "/ops"))
        else:  # late_reporters
            for row in reporting:
                if row["late"] and row.get("connected", True):
                    out.append(Firing(rule.name, f"{row['subject']}:{row['period']}",
                                      f"{_name(row, lang)} {row['period']} {'逾期未报' if zh else 'late'}: {len(row['late'])}",
                                      f"{'逾期部门' if zh else 'late'}: {', '.join(row['late'])} · "
                                      f"{row['reported']}/{row['expected']}",
                                      "/departments/" + row["late"][0] if len(row["late"]) == 1 else "/departments"))
    return out


def check(engine, settings, now: datetime | None = None, today: date | None = None) -> list[dict]:
    """Evaluate every rule now and send what an episode calls for; returns the messages sent (or tried)."""
    config = read_alerts(settings.alerts_file)
    if config is None or not config.rules:
        return []
    now = now or clock.utc_now()
    today = today or clock.shown(now).date()
    rules, channels = {r.name: r for r in config.rules}, {c.name: c for c in config.channels}
    found = {(f.rule, f.key): f for f in firings(engine, config.rules, today, settings.language)}
    sent = []
    with engine.begin() as conn:
        episodes = store.open_episodes(conn)
        for (rule, key), firing in found.items():
            if (rule, key) in episodes:
                continue  # once per episode
            last = store.last_sent(conn, rule, key)
            quiet = last is not None and now - last < timedelta(minutes=rules[rule].throttle_minutes)
            store.open_episode(conn, rule, key, firing.text, now, sent=not quiet)
            if not quiet:
                sent += _send(conn, settings, rules[rule], channels, firing, "fired", now)
        for (rule, key), episode in episodes.items():
            if (rule, key) in found or rule not in rules:
                continue
            store.close_episode(conn, episode["id"], now)
            if episode["sent_at"] is not None:  # a "resolved" only for an alert that was sent
                resolved = Firing(rule, key, ("已恢复: " if settings.language != "en" else "Resolved: ") + key, "",
                                  DRILL.get(rules[rule].when, "/"))
                sent += _send(conn, settings, rules[rule], channels, resolved, "resolved", now)
    return sent


def _send(conn, settings, rule: Rule, channels: dict, firing: Firing, kind: str, now: datetime) -> list[dict]:
    link = settings.public_url.rstrip("/") + firing.link + ("?lang=en" if settings.language == "en" else "")
    out = []
    for name in rule.channels:
        if not alert_channels.configured(channels[name]):
            continue
        ok, error = alert_channels.send(channels[name], settings, firing.title, firing.text, link,
                                        {"rule": firing.rule, "key": firing.key, "kind": kind})
        store.record_send(conn, now, firing.rule, firing.key, kind, name, ok, error, firing.title, link)
        out.append({"rule": firing.rule, "key": firing.key, "kind": kind, "channel": name, "ok": ok, "error": error,
                    "title": firing.title, "link": link})
    return out


def send_test(engine, settings, channel: str, now: datetime | None = None) -> dict:
    """`cockpit alerts test CHANNEL`: one test message, recorded like any other."""
    config = read_alerts(settings.alerts_file)
    channels = {c.name: c for c in (config.channels if config else [])}
    if channel not in channels:
        raise ConfigError(f"{settings.alerts_file}: no channel named {channel!r}")
    now = now or clock.utc_now()
    link = settings.public_url.rstrip("/") + "/ops"
    title = "驾驶舱告警测试 / cockpit alert test"
    ok, error = alert_channels.send(channels[channel], settings, title, "test", link,
                                    {"rule": "test", "key": "test", "kind": "test"})
    with engine.begin() as conn:
        store.record_send(conn, now, "test", "test", "test", channel, ok, error, title, link)
    return {"channel": channel, "ok": ok, "error": error}


def deliver_report(engine, settings, path: Path, period: str, now: datetime | None = None) -> list[dict]:
    """A written report to the [reports] channels: attached to e-mail, as a link (COCKPIT_PUBLIC_URL/reports/…)
    elsewhere; each message recorded like an alert's."""
    config = read_alerts(settings.alerts_file)
    if config is None or not config.reports.channels:
        return []
    channels, now = {c.name: c for c in config.channels}, now or clock.utc_now()
    link = settings.public_url.rstrip("/") + f"/reports/{path.name}"
    title = (f"Monthly report {period}" if settings.language == "en" else f"驾驶舱月度报告 {period}")
    out = []
    with engine.begin() as conn:
        for name in config.reports.channels:
            if not alert_channels.configured(channels[name]):
                continue
            ok, error = alert_channels.send(channels[name], settings, title, "", link,
                                            {"rule": "report", "key": period, "kind": "report"}, attach=path)
            store.record_send(conn, now, "report", period, "report", name, ok, error, title, link)
            out.append({"channel": name, "ok": ok, "error": error, "link": link})
    return out
