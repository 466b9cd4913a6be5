"""Alerts against real servers on loopback (issue 14 #1): a local HTTP receiver checks the DingTalk, WeCom and
JSON-webhook payloads, a local SMTP server (aiosmtpd) receives the e-mail; one message per episode, the throttle
and the resolved notice are proven with a fixed clock. SQLite and PostgreSQL."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
from datetime import datetime, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest

from cockpit.settings import get_settings
from cockpit.web import alerts
from etl import load, publish
from etl.config import ConfigError
from etl.sources.base import Batch, with_location
from partial_stores import ListSource

T0 = datetime(2026, 11, 20, 2, 0)  # naive UTC: 10:00 in Shanghai


class Receiver:
    """Records every POST (path, query, JSON body) and answers as the robots do: {"errcode": 0}."""

    def __init__(self):
        self.hits: list[tuple[str, dict, dict]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                url = urlsplit(self.path)
                outer.hits.append((url.path, {k: v[0] for k, v in parse_qs(url.query).items()}, json.loads(body or b"{}")))
                answer = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def at(self, path: str) -> list[tuple[dict, dict]]:
        return [(q, b) for p, q, b in self.hits if p == path]


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


RULES = """
[[channels]]
name = "ding"
kind = "dingtalk"
token_env = "TEST_DINGTALK_TOKEN"
secret_env = "TEST_DINGTALK_SECRET"

[[channels]]
name = "wecom"
kind = "wecom"
token_env = "TEST_WECOM_KEY"

[[channels]]
name = "ops"
kind = "webhook"
url = "{hook}"

[[channels]]
name = "mail"
kind = "email"
url = "mailto://127.0.0.1:{smtp}"
to = ["leader@xinchang.example.gov"]
from = "cockpit@xinchang.example.gov"

[[rules]]
name = "held-loads"
when = "held"
channels = ["ding", "wecom", "ops", "mail"]

[[rules]]
name = "rd-band"
when = "out_of_band"
indicator = "rd_intensity"
band = [3.0, 6.0]
throttle_minutes = 30
channels = ["ops"]
"""


@pytest.fixture
def settings(tmp_path, receiver, smtp, monkeypatch):
    monkeypatch.setenv("TEST_DINGTALK_TOKEN", "tok-123")
    monkeypatch.setenv("TEST_DINGTALK_SECRET", "SEC-abc")
    monkeypatch.setenv("TEST_WECOM_KEY", "key-456")
    path = tmp_path / "alerts.toml"
    path.write_text(RULES.format(hook=receiver.url + "/hook", smtp=smtp.port), encoding="utf-8")
    return get_settings(alerts_file=path, dingtalk_base=receiver.url, wecom_base=receiver.url,
                        public_url="https://cockpit.xinchang.example.gov")


def run_rows(engine, rows):
    df = pd.DataFrame(rows, columns=["indicator", "period", "scope", "value"])
    return load.run(engine, "county-file", ListSource(Batch("observations", "t.csv", with_location(df, "t.csv", first_row=2))))


def test_a_held_load_alerts_every_channel_once_with_the_vendors_payloads_then_resolves(engine, settings, receiver, smtp):
    held = run_rows(engine, [("on_time_rate", "2025", "county", "992")])  # share_max_100 blocks: held
    assert held.status == "held"
    sent = alerts.check(engine, settings, now=T0)
    assert sorted((s["channel"], s["kind"], s["ok"]) for s in sent) == [
        ("ding", "fired", True), ("mail", "fired", True), ("ops", "fired", True), ("wecom", "fired", True)], sent
    link = "https://cockpit.xinchang.example.gov/ops"
    (query, body), = receiver.at("/robot/send")  # DingTalk: markdown, the token and a valid 加签 signature
    assert query["access_token"] == "tok-123" and body["msgtype"] == "markdown"
    digest = hmac.new(b"SEC-abc", f"{query['timestamp']}\nSEC-abc".encode(), hashlib.sha256).digest()
    assert query["sign"] == base64.b64encode(digest).decode()
    assert "加载待核实" in body["markdown"]["title"] and f"({link})" in body["markdown"]["text"]
    assert "share_max_100" in body["markdown"]["text"]
    (query, body), = receiver.at("/cgi-bin/webhook/send")  # WeCom: markdown content, the key
    assert query["key"] == "key-456" and body["msgtype"] == "markdown" and link in body["markdown"]["content"]
    (_, body), = receiver.at("/hook")  # the JSON webhook (Apprise's json://): title, message and our fields
    assert body["title"].startswith("加载待核实") and link in body["message"]
    assert (body["rule"], body["key"], body["kind"], body["link"]) == ("held-loads", f"run:{held.run_id}", "fired", link)
    (to, mail), = smtp.messages  # the e-mail, through a real SMTP conversation
    assert to == ["leader@xinchang.example.gov"] and "加载待核实" in str(make_header(decode_header(mail["Subject"])))
    # once per episode: the same held run does not alert again
    receiver.hits.clear()
    assert alerts.check(engine, settings, now=T0 + timedelta(minutes=5)) == []
    assert receiver.hits == []
    # cleared (discarded): a resolved notice on each channel, then nothing
    publish.discard(engine, held.run_id, "admin")
    resolved = alerts.check(engine, settings, now=T0 + timedelta(minutes=10))
    assert {(s["channel"], s["kind"]) for s in resolved} == {("ding", "resolved"), ("wecom", "resolved"),
                                                              ("ops", "resolved"), ("mail", "resolved")}
    assert [b["kind"] for _, b in receiver.at("/hook")] == ["resolved"]
    assert alerts.check(engine, settings, now=T0 + timedelta(minutes=15)) == []
    from cockpit.queries import ops
    history = ops.alert_history(engine)
    assert len(history) == 8 and {h["kind"] for h in history} == {"fired", "resolved"} and all(h["ok"] for h in history)


def test_a_flapping_figure_is_throttled_and_sends_resolved_only_for_what_it_sent(engine, settings, receiver):
    kinds = lambda: [b["kind"] for _, b in receiver.at("/hook")]
    run_rows(engine, [("rd_intensity", "2025", "county", "9.1")])
    assert [s["kind"] for s in alerts.check(engine, settings, now=T0)] == ["fired"]
    run_rows(engine, [("rd_intensity", "2025", "county", "4.6")])
    assert [s["kind"] for s in alerts.check(engine, settings, now=T0 + timedelta(minutes=5))] == ["resolved"]
    run_rows(engine, [("rd_intensity", "2025", "county", "9.2")])  # again within the 30-minute throttle: quiet
    assert alerts.check(engine, settings, now=T0 + timedelta(minutes=10)) == []
    run_rows(engine, [("rd_intensity", "2025", "county", "4.7")])  # its quiet episode clears without a notice
    assert alerts.check(engine, settings, now=T0 + timedelta(minutes=15)) == []
    run_rows(engine, [("rd_intensity", "2025", "county", "9.3")])  # past the throttle: fires again
    assert [s["kind"] for s in alerts.check(engine, settings, now=T0 + timedelta(minutes=45))] == ["fired"]
    assert kinds() == ["fired", "resolved", "fired"]
    assert "9.3" in receiver.at("/hook")[-1][1]["message"] and "[3, 6]" in receiver.at("/hook")[-1][1]["message"]


def test_a_dead_channel_is_recorded_and_the_others_still_get_their_message(engine, settings, receiver, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]  # closed again: nothing listens there
    text = settings.alerts_file.read_text(encoding="utf-8").replace(f'url = "{receiver.url}/hook"',
                                                                    f'url = "http://127.0.0.1:{dead}/hook"')
    settings.alerts_file.write_text(text, encoding="utf-8")
    assert run_rows(engine, [("on_time_rate", "2025", "county", "992")]).status == "held"
    sent = {s["channel"]: s for s in alerts.check(engine, settings, now=T0)}
    assert sent["ops"]["ok"] is False and sent["ops"]["error"] and sent["ding"]["ok"] and sent["wecom"]["ok"]


@pytest.mark.parametrize("text,said", [
    ('[[channels]]\nname = "d"\nkind = "dingtalk"\ntoken = "abc"\n', "a secret never goes in the rules file"),
    ('[[channels]]\nname = "d"\nkind = "webhook"\nurl = "http://x"\n[[rules]]\nname = "r"\nwhen = "held"\n'
     'channels = ["nope"]\n', "unknown channel 'nope'"),
    ('[[rules]]\nname = "r"\nwhen = "sometimes"\nchannels = []\n', "rules.0.when"),
])
def test_a_bad_rules_file_is_refused_naming_the_file_and_the_problem(tmp_path, text, said):
    path = tmp_path / "alerts.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        alerts.read_alerts(path)
    assert str(err.value).startswith(str(path)) and said in str(err.value)
    assert alerts.read_alerts(tmp_path / "absent.toml") is None  # no file: alerts are off


def test_ops_lists_the_alerts_sent_and_the_cli_checks_and_tests(engine, settings, receiver, store_url, monkeypatch):
    import json as json_
    from click.testing import CliRunner
    from plotly.io.json import to_json_plotly

    from cockpit import create_app
    from cockpit.cli import main
    assert run_rows(engine, [("on_time_rate", "2025", "county", "992")]).status == "held"
    for name, value in (("DATABASE_URL", store_url), ("COCKPIT_ALERTS", str(settings.alerts_file)),
                        ("COCKPIT_DINGTALK_BASE", receiver.url), ("COCKPIT_WECOM_BASE", receiver.url)):
        monkeypatch.setenv(name, value)
    out = CliRunner().invoke(main, ["alerts", "check", "--json"])
    assert out.exit_code == 0, out.output
    assert {s["channel"] for s in json_.loads(out.output)} == {"ding", "wecom", "ops", "mail"}
    out = CliRunner().invoke(main, ["alerts", "test", "ops"])
    assert out.exit_code == 0 and "test message sent" in out.output and receiver.at("/hook")[-1][1]["kind"] == "test"
    out = CliRunner().invoke(main, ["alerts", "test", "nope"])
    assert out.exit_code != 0 and "no channel named 'nope'" in out.output
    app = create_app(database_url=store_url)
    with app.server.test_request_context():
        from cockpit.pages import ops
        text = json_.dumps(json_.loads(to_json_plotly(ops.layout(lang="en"))), ensure_ascii=False)
    assert "Alerts sent" in text and "held-loads" in text and "/ops" in text and text.count("sent") >= 5


def test_the_scheduler_runs_the_alerts_check_once_per_tick_however_many_schedulers(engine, settings, monkeypatch):
    from cockpit.commands import alert_tasks
    from etl import clock
    from etl.schedule import build_scheduler, run_task
    (name, seconds, task), = alert_tasks(engine, settings)
    assert (name, seconds) == ("alerts-check", 300.0)
    assert "alerts-check" in {j.id for j in build_scheduler(engine, [], extra=alert_tasks(engine, settings)).get_jobs()}
    calls = []
    monkeypatch.setattr(clock, "utc_now", lambda: T0)
    assert run_task(engine, name, seconds, lambda: calls.append(1)) is True
    assert run_task(engine, name, seconds, lambda: calls.append(1)) is False  # the same tick: another ran it
    monkeypatch.setattr(clock, "utc_now", lambda: T0 + timedelta(seconds=300))
    assert run_task(engine, name, seconds, lambda: calls.append(1)) is True and calls == [1, 1]
    assert alert_tasks(engine, get_settings(alerts_file=settings.alerts_file.parent / "none.toml")) == ()


def test_a_written_report_goes_to_its_channels_attached_to_mail_and_linked_elsewhere(engine, settings, receiver, smtp,
                                                                                     store_url, tmp_path):
    from cockpit import create_app
    text = settings.alerts_file.read_text(encoding="utf-8") + '\n[reports]\nchannels = ["mail", "ops"]\n'
    settings.alerts_file.write_text(text, encoding="utf-8")
    folder = tmp_path / "reports"
    folder.mkdir()
    pdf = folder / "report-2026-10-zh.pdf"
    pdf.write_bytes(b"%PDF-1.4 a report\n%%EOF\n")
    sent = alerts.deliver_report(engine, settings, pdf, "2026-10", now=T0)
    assert [(s["channel"], s["ok"]) for s in sent] == [("mail", True), ("ops", True)]
    link = "https://cockpit.xinchang.example.gov/reports/report-2026-10-zh.pdf"
    (_, body), = receiver.at("/hook")
    assert body["kind"] == "report" and body["link"] == link and "驾驶舱月度报告 2026-10" in body["title"]
    (_, mail), = smtp.messages
    attached = [p for p in mail.walk() if p.get_filename()]
    assert [p.get_filename() for p in attached] == ["report-2026-10-zh.pdf"]
    assert attached[0].get_payload(decode=True) == pdf.read_bytes()
    client = create_app(database_url=store_url, reports_dir=folder).server.test_client()
    answer = client.get("/reports/report-2026-10-zh.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf" and answer.data == pdf.read_bytes()
    for bad in ("/reports/report-2026-11-zh.pdf", "/reports/secret.txt", "/reports/..%2Fsecret.pdf"):
        assert client.get(bad).status_code == 404, bad
