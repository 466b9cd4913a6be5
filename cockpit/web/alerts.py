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

from cockpit.i18n import name
from cockpit.queries import status
from cockpit.web import alert_channels
from etl import alerts as store, clock, publish
from etl.config import ConfigError

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


def _indicator_link(code: str) -> str:
    return "/chains" if code in CHAIN_INDICATORS else "/departments" if code in CASE_INDICATORS else "/"


def firings(engine, rules: list[Rule], today: date, lang: str) -> list[Firing]:
    """What every rule finds now, from the same facts as /api/status."""
    indicators = status.indicator_status(engine, today)
    found = status.exceptions(indicators, status.reporting_status(engine, today))
    held = publish.held_runs(engine) if any(r.when == "held" for r in rules) else []
    out = []
    for rule in rules:
        if rule.when == "held":
            out += [_held(rule, run, lang) for run in held]
        elif rule.when == "out_of_band":
            out += [_out_of_band(rule, e, lang) for e in indicators if e["code"] == rule.indicator
                    and e["value"] is not None and not rule.band[0] <= e["value"] <= rule.band[1]]
        else:
            out += [_exception(rule, kind, e, lang) for kind, e in found if kind == rule.when
                    and (rule.indicator is None or e.get("code") == rule.indicator)]
    return out


def _exception(rule: Rule, kind: str, e: dict, lang: str) -> Firing:
    """The message of an off-target or overdue indicator, or of a subject with late reporters."""
    zh = lang != "en"
    if kind == "late_reporters":
        return Firing(rule.name, f"{e['subject']}:{e['period']}",
                      f"{name(e, lang)} {e['period']} {'逾期未报' if zh else 'late'}: {len(e['late'])}",
                      f"{'逾期部门' if zh else 'late'}: {', '.join(e['late'])} · {e['reported']}/{e['expected']}",
                      "/departments/" + e["late"][0] if len(e["late"]) == 1 else "/departments")
    if kind == "off_target":
        goal = e["target"] or {}
        title = f"{name(e, lang)}{'未达目标' if zh else ' off target'}"
        text = (f"{e['period']}: {e['value']:g}{e['unit'] if e['unit'] == '%' else ''} · "
                f"{'目标' if zh else 'target'} {goal.get('value', '—')} ({goal.get('plan', '')} {goal.get('period', '')})")
    else:  # overdue
        title = f"{name(e, lang)}{'数据逾期' if zh else ' overdue'}"
        text = f"{'最新' if zh else 'latest'} {e['period']} · {'应于' if zh else 'due'} {e['due']}"
    return Firing(rule.name, e["code"], title, text, DRILL.get(kind) or _indicator_link(e["code"]))


def _out_of_band(rule: Rule, e: dict, lang: str) -> Firing:
    zh = lang != "en"
    return Firing(rule.name, e["code"], f"{name(e, lang)}{'超出区间' if zh else ' out of band'}",
                  f"{e['period']}: {e['value']:g} · {'区间' if zh else 'band'} [{rule.band[0]:g}, {rule.band[1]:g}]",
                  _indicator_link(e["code"]))


def _held(rule: Rule, run: dict, lang: str) -> Firing:
    zh = lang != "en"
    checks = ", ".join(sorted({f["check"] for f in run.get("checks") or []}))
    return Firing(rule.name, f"run:{run['id']}", f"{'加载待核实' if zh else 'Load held'}: {run['job']} #{run['id']}",
                  f"{'未通过校验' if zh else 'failed checks'}: {checks}", "/ops")


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
    return _deliver(conn, settings, [channels[c] for c in rule.channels], firing.rule, firing.key, kind,
                    firing.title, firing.text, link, now)


def _deliver(conn, settings, channels: list, rule: str, key: str, kind: str, title: str, text: str, link: str,
             now: datetime, attach: Path | None = None) -> list[dict]:
    """One message to each configured channel (an unconfigured one is skipped), each send recorded."""
    out = []
    for channel in channels:
        if not alert_channels.configured(channel):
            continue
        ok, error = alert_channels.send(channel, settings, title, text, link, {"rule": rule, "key": key, "kind": kind},
                                        attach=attach)
        store.record_send(conn, now, rule, key, kind, channel.name, ok, error, title, link)
        out.append({"rule": rule, "key": key, "kind": kind, "channel": channel.name, "ok": ok, "error": error,
                    "title": title, "link": link})
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
    with engine.begin() as conn:
        return _deliver(conn, settings, [channels[c] for c in config.reports.channels], "report", period, "report",
                        title, "", link, now, attach=path)
