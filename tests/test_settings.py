"""Settings: every environment variable is documented in the README, defaults make the embedded store."""
from __future__ import annotations

from pathlib import Path

from cockpit.settings import Settings, get_settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_setting_is_documented_in_the_readme():
    text = README.read_text(encoding="utf-8")
    missing = [f.alias for f in Settings.model_fields.values() if f"`{f.alias}`" not in text]
    assert not missing, f"settings missing from README: {missing}"


def test_every_setting_has_a_description():
    assert all(f.description for f in Settings.model_fields.values())


def test_default_store_is_sqlite_under_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("COCKPIT_DATA_DIR", str(tmp_path))
    assert Settings().store_url == f"sqlite:///{tmp_path / 'cockpit.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", "postgresql://x@h/db")
    assert Settings().store_url == "postgresql://x@h/db"


def test_redis_url_selects_the_redis_cache(monkeypatch):
    monkeypatch.setenv("CACHE_REDIS_URL", "redis://127.0.0.1:6379/0")
    assert Settings().effective_cache_type == "RedisCache"


def test_production_refuses_a_short_secret_and_never_prints_a_secret_value():
    import os
    import subprocess
    import sys
    from pathlib import Path

    for extra, expected in (({}, "at least 32 characters"), ({"COCKPIT_POLL_SECONDS": "abc"}, "COCKPIT_POLL_SECONDS")):
        env = dict(os.environ, COCKPIT_ENV="production", COCKPIT_SECRET_KEY="short-secret-123",
                   COCKPIT_KIOSK_TOKEN="kiosk-token-that-must-not-leak", **extra)
        out = subprocess.run([sys.executable, "-c", "from cockpit import create_app; create_app()"], env=env,
                             cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=60)
        assert out.returncode != 0 and expected in out.stderr, out.stderr[-500:]
        assert "kiosk-token-that-must-not-leak" not in out.stderr + out.stdout
        assert "short-secret-123" not in out.stderr + out.stdout


def test_only_the_documented_variables_are_read_not_the_field_names(monkeypatch, tmp_path):
    """LANGUAGE=en_US:en is a desktop default and ENV/TZ are common: none of them is a cockpit setting."""
    monkeypatch.setenv("LANGUAGE", "en_US:en")
    monkeypatch.setenv("ENV", "staging")
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("KIOSK_TOKEN", "leaked")
    settings = get_settings(data_dir=tmp_path)
    assert (settings.language, settings.env, settings.secret_key, settings.kiosk_token) == ("zh", "development", "", "")
    assert settings.data_dir == tmp_path  # overrides by field name still work
    monkeypatch.setenv("COCKPIT_LANG", "en")
    assert get_settings().language == "en"
