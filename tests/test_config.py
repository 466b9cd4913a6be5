"""Schedule and catalogue files are checked at start: a mistake names the file, the entry and the field."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from etl.catalogue import read_catalogue
from etl.config import ConfigError
from etl.jobs import read_jobs

ROOT = Path(__file__).resolve().parents[1]
GOOD_JOB = '[[jobs]]\nname = "drop"\nsource = "file_drop"\noptions = { folder = "drop" }\ntrigger = { every = "5m" }\n'


def _schedule(tmp_path, text: str) -> Path:
    path = tmp_path / "schedule.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("entry, expected", [
    ('source = "file_drop"\ntrigger = { every = "5m" }\n', "jobs[1] (source 'file_drop'): name: field required"),
    ('name = "api"\nsource = "http"\ntrigger = { every = "5m" }\n', "jobs[1] (name 'api'): source: unknown source 'http'"),
    ('name = "api"\nsource = "file_drop"\ntrigger = { every = "five" }\n', "jobs[1] (name 'api'): trigger.every: must look like"),
    ('name = "api"\nsource = "file_drop"\ntrigger = { cron = "61 * * * *" }\n', "jobs[1] (name 'api'): trigger.cron:"),
    ('name = "api"\nsource = "file_drop"\ntrigger = {}\n', "jobs[1] (name 'api'): trigger: needs 'every' or 'cron'"),
    ('name = "api"\nsource = "file_drop"\noptions = { fodler = "x" }\ntrigger = { every = "5m" }\n',
     "jobs[1] (name 'api'): options.fodler: unknown option of source 'file_drop'"),
    ('name = "api"\nsource = "file_drop"\nretries = "lots"\ntrigger = { every = "5m" }\n', "jobs[1] (name 'api'): retries:"),
    ('name = "drop"\nsource = "file_drop"\ntrigger = { every = "5m" }\n', "jobs: name: job names must be unique (drop repeated)"),
])
def test_schedule_mistakes_name_file_entry_and_field(tmp_path, entry, expected):
    path = _schedule(tmp_path, GOOD_JOB + "\n[[jobs]]\n" + entry)
    with pytest.raises(ConfigError) as err:
        read_jobs(path)
    assert str(err.value).startswith(f"{path}: ") and expected in str(err.value), str(err.value)


def test_schedule_that_is_not_toml(tmp_path):
    with pytest.raises(ConfigError, match=r"schedule.toml: not valid TOML: .*line 1"):
        read_jobs(_schedule(tmp_path, "[[jobs]\nname = 1"))


def test_catalogue_mistakes_name_file_entry_and_field(tmp_path):
    text = (ROOT / "data" / "catalogue.toml").read_text(encoding="utf-8")
    path = tmp_path / "catalogue.toml"
    path.write_text(text.replace('unit = "亿元"\ncadence = "annual"\ncategory = "input"', 'cadence = "yearly"\ncategory = "input"', 1),
                    encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        read_catalogue(path)
    message = str(err.value)
    assert f"{path}: indicators[1] (code 'rd_spending'): unit: field required" in message
    assert "indicators[1] (code 'rd_spending'): cadence: Input should be 'annual'" in message


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(tmp_path, *args):
    env = dict(os.environ, COCKPIT_SCHEDULE=str(tmp_path / "schedule.toml"), COCKPIT_DATA_DIR=str(tmp_path),
               DATABASE_URL="")
    return subprocess.run([sys.executable, "-m", "cockpit.cli", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_a_failing_job_is_one_line_and_verbose_shows_the_traceback(tmp_path):
    port = _free_port()  # nothing listens: every attempt is refused at once
    _schedule(tmp_path, f'[[jobs]]\nname = "api"\nsource = "http_json"\nretries = 2\nretry_backoff = 0\n'
                        f'options = {{ url = "http://127.0.0.1:{port}/x", retries = 0, fields = {{ indicator = "i", period = "p", '
                        f'scope = "s", value = "v" }} }}\ntrigger = {{ every = "5m" }}\n')
    out = _cli(tmp_path, "etl", "run", "api")
    assert out.returncode == 1
    lines = [line for line in (out.stdout + out.stderr).splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("api: run ") and "failed" in lines[0], lines
    assert "Traceback" not in out.stderr
    verbose = _cli(tmp_path, "--verbose", "etl", "run", "api")
    assert verbose.returncode == 1 and "Traceback" in verbose.stderr


def test_a_schedule_mistake_stops_the_cli_with_one_line(tmp_path):
    _schedule(tmp_path, '[[jobs]]\nsource = "file_drop"\ntrigger = { every = "5m" }\n')
    out = _cli(tmp_path, "etl", "run")
    assert out.returncode == 1 and "Traceback" not in out.stderr and "KeyError" not in out.stderr
    assert "jobs[0] (source 'file_drop'): name: field required" in out.stderr
