"""The one module that reads the environment: every knob typed, defaulted and documented (see README)."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from etl import clock

ROOT = Path(__file__).resolve().parent.parent
MIN_SECRET = 32  # characters of COCKPIT_SECRET_KEY in production (openssl rand -hex 16 gives 32)


class SettingsError(ValueError):
    """Settings that cannot be used; the message names each variable and what is wrong, never a value given
    (pydantic's own message echoes the input, which would print the kiosk token or the secret to the log)."""


class Settings(BaseSettings):
    # Not populate_by_name: with it the environment is read by field name too, so LANGUAGE=en_US:en (a desktop
    # default) or ENV=staging would set COCKPIT_LANG or COCKPIT_ENV. get_settings() maps field-name overrides.
    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    data_dir: Path = Field(ROOT / "var", alias="COCKPIT_DATA_DIR",
                           description="Folder for the embedded SQLite store and other run-time files.")
    database_url: str = Field("", alias="DATABASE_URL",
                              description="SQLAlchemy URL of the store; empty means SQLite at DATA_DIR/cockpit.sqlite.")
    schedule_file: Path = Field(ROOT / "data" / "schedule.toml", alias="COCKPIT_SCHEDULE",
                                description="TOML file naming each ETL job: source, options, trigger.")
    catalogue_file: Path = Field(ROOT / "data" / "catalogue.toml", alias="COCKPIT_CATALOGUE",
                                 description="TOML file with indicators, departments, chains and resource types.")
    cache_type: Literal["SimpleCache", "RedisCache", "NullCache"] = Field(
        "SimpleCache", alias="CACHE_TYPE", description="flask-caching backend; RedisCache when CACHE_REDIS_URL is set.")
    cache_redis_url: str = Field("", alias="CACHE_REDIS_URL", description="Redis URL for the shared cache.")
    language: Literal["zh", "en"] = Field("zh", alias="COCKPIT_LANG", description="Default screen language.")
    plotly_bundle: Literal["custom", "full"] = Field(
        "custom", alias="COCKPIT_PLOTLY_BUNDLE",
        description="plotly.js for charts: the cockpit's own (assets/vendor) or the full one plotly ships.")
    host: str = Field("127.0.0.1", alias="HOST", description="Address the dev server binds.")
    port: int = Field(8050, alias="PORT", description="Port the dev server binds.")
    run_scheduler: bool = Field(True, alias="COCKPIT_RUN_SCHEDULER",
                                description="`python app.py` starts the in-process scheduler (embedded default).")
    poll_seconds: float = Field(5.0, alias="COCKPIT_POLL_SECONDS",
                                description="How often screens poll the data version.")
    seed_demo: bool = Field(True, alias="COCKPIT_SEED_DEMO",
                            description="On first start with an empty store, load the demo sources.")

    env: Literal["development", "production"] = Field(
        "development", alias="COCKPIT_ENV", description="`production` refuses to start without a secret key.")
    secret_key: str = Field("", alias="COCKPIT_SECRET_KEY",
                            description="Signs sessions and CSRF tokens; required in production.")
    open_access: bool | None = Field(
        None, alias="COCKPIT_OPEN_ACCESS",
        description="Every page and action open without login (a closed hall network); default on in "
                    "development, off in production.")
    kiosk_token: str = Field("", alias="COCKPIT_KIOSK_TOKEN",
                             description="Opening the wall with ?kiosk=TOKEN grants it the kiosk role, no login.")
    login_rate_limit: str = Field("5 per minute", alias="COCKPIT_LOGIN_RATE_LIMIT",
                                  description="Login attempts allowed per client address (flask-limiter syntax).")
    cockpit_tz: str = Field(clock.DEFAULT, alias="COCKPIT_TZ",  # not `tz`: the field name would read TZ too
                            description="IANA time zone of screens, exports and periods (today, year to date); "
                                        "the store keeps instants as UTC, source times as civil times in it.")

    @field_validator("cockpit_tz")
    @classmethod
    def _a_time_zone(cls, value: str) -> str:
        try:
            clock.check(value)
        except ValueError:
            raise ValueError("must be an IANA time zone name such as Asia/Shanghai or UTC") from None
        return value
    exports_per_user: int = Field(2, ge=1, alias="COCKPIT_EXPORTS_PER_USER",
                                  description="CSV exports one user may stream at once (across workers with Redis).")
    exports_total: int = Field(4, ge=1, alias="COCKPIT_EXPORTS_TOTAL",
                               description="CSV exports one web process streams at once; keep it below gunicorn's "
                                           "threads so polls and pages always find a free thread.")
    alerts_file: Path = Field(ROOT / "data" / "alerts.toml", alias="COCKPIT_ALERTS",
                              description="Alert rules and channels (TOML); alerts are off while the file is absent.")
    alerts_every: float = Field(300.0, gt=0, alias="COCKPIT_ALERTS_EVERY",
                                description="Seconds between the scheduler's `cockpit alerts check` runs.")
    public_url: str = Field("http://127.0.0.1:8050", alias="COCKPIT_PUBLIC_URL",
                            description="The cockpit's address as its readers reach it: alert links start with it.")
    dingtalk_base: str = Field("https://oapi.dingtalk.com", alias="COCKPIT_DINGTALK_BASE",
                               description="DingTalk's API host for group robots (a government deployment runs its own).")
    wecom_base: str = Field("https://qyapi.weixin.qq.com", alias="COCKPIT_WECOM_BASE",
                            description="WeCom's API host for group robots.")
    idle_seconds: float = Field(90.0, ge=0, alias="COCKPIT_IDLE_SECONDS",
                                description="On a touch wall (?touch=1 or ?kiosk=TOKEN): seconds without input before "
                                            "a drill page returns to the wall and the wall to its overview; 0: never.")
    wall_reload_at: str = Field("", alias="COCKPIT_WALL_RELOAD_AT", pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9])?$",
                                description="HH:MM in COCKPIT_TZ: each wall reloads itself once a day at that time "
                                            "(a fresh page for a kiosk that runs for weeks); empty: never.")
    chromium: str = Field("chromium", alias="COCKPIT_CHROMIUM",
                          description="The headless Chromium that prints reports (`cockpit report`).")
    reports_dir: Path = Field(ROOT / "var" / "reports", alias="COCKPIT_REPORTS_DIR",
                              description="Where the scheduler's monthly reports go.")
    trusted_proxies: int = Field(0, ge=0, alias="COCKPIT_TRUSTED_PROXIES",
                                 description="Reverse proxies in front of the cockpit whose X-Forwarded-For/-Proto/"
                                             "-Host are believed (werkzeug ProxyFix); 0 trusts none.")

    @model_validator(mode="after")
    def _production_needs_a_secret(self):
        if self.env == "production" and not self.secret_key:
            raise ValueError("COCKPIT_ENV=production needs COCKPIT_SECRET_KEY (a long random string)")
        if self.env == "production" and len(self.secret_key) < MIN_SECRET:
            raise ValueError(f"COCKPIT_SECRET_KEY must have at least {MIN_SECRET} characters in production "
                             "(openssl rand -hex 32)")
        return self

    @property
    def wall_reload_minute(self) -> int | None:
        """COCKPIT_WALL_RELOAD_AT as minutes past midnight, None when off."""
        if not self.wall_reload_at:
            return None
        hours, minutes = self.wall_reload_at.split(":")
        return int(hours) * 60 + int(minutes)

    @property
    def access_open(self) -> bool:
        return self.open_access if self.open_access is not None else self.env == "development"

    @property
    def store_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'cockpit.sqlite'}"

    @property
    def effective_cache_type(self) -> str:
        return "RedisCache" if self.cache_redis_url and self.cache_type == "SimpleCache" else self.cache_type


def get_settings(**overrides) -> Settings:
    """Settings from the environment, with overrides given by field name (data_dir=...) or variable name."""
    aliases = {name: field.alias or name for name, field in Settings.model_fields.items()}
    try:
        settings = Settings(**{aliases.get(key, key): value for key, value in overrides.items()})
    except ValidationError as exc:
        problems = [f"{aliases.get(str(err['loc'][0]), err['loc'][0]) if err['loc'] else 'settings'}: "
                    f"{err['msg'].removeprefix('Value error, ')}" for err in exc.errors(include_input=False)]
        raise SettingsError("; ".join(problems)) from None
    clock.use(settings.cockpit_tz)  # the process's one zone, for etl/ as well (etl.clock)
    return settings
