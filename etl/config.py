"""The two configuration files checked at start (pydantic): the schedule and the catalogue. A mistake is one
ConfigError whose message names the file, the entry and the field, e.g.
`data/schedule.toml: jobs[2] (source 'http_json'): name: field required`."""
from __future__ import annotations

import inspect
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

CADENCES = ("annual", "quarterly", "monthly", "daily", "live")
# (lag_days, grace_days) of an indicator whose catalogue entry names none: a figure is due `lag` days after the end
# of its period (annual statistics about nine months after the year, as R&D intensity), overdue `grace` days later;
# a live figure is due `lag` days after the day of its last load.
LAG_DEFAULTS = {"annual": (270, 30), "quarterly": (45, 15), "monthly": (15, 7), "daily": (1, 1), "live": (1, 2)}


class ConfigError(ValueError):
    """A configuration file that cannot be used; the message says where and why."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JobSpec(_Strict):
    name: str = Field(min_length=1)
    source: str
    options: dict = {}
    trigger: dict
    retries: int = Field(2, ge=0, le=10)
    retry_backoff: float = Field(5.0, ge=0)


class _Named(_Strict):
    code: str = Field(min_length=1)
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)


class IndicatorSpec(_Named):
    unit: str
    cadence: Literal[CADENCES] = "annual"
    category: str
    higher_is_better: bool = True
    target: float | None = None
    lag_days: int | None = Field(None, ge=0, le=730)  # None: LAG_DEFAULTS[cadence]
    grace_days: int | None = Field(None, ge=0, le=365)
    definition_zh: str = ""
    definition_en: str = ""
    checks: list[str] = []  # plausibility checks before a run shows (etl.checks): "non_negative", "warn:jump:4"
    aliases: list[str] = []  # the names offices use for it (高新技术企业数), matched like its code and names

    @field_validator("checks")
    @classmethod
    def _known_checks(cls, value: list[str]) -> list[str]:
        from etl.checks import parse  # etl.checks is pure (pandas); imported here to keep config light
        for entry in value:
            parse(entry)
        return value


class ChainSpec(_Named):
    segments: list[_Named] = Field(min_length=1)


class ReportingSpec(_Strict):
    """A reporting duty: `subject` (an indicator code, or "matters": the departments' matter cases) is reported by
    `departments` ("all" or a list of department codes) every period of `cadence`, by `due_day` of the month
    after the period ends."""
    subject: str = Field(min_length=1)
    departments: Literal["all"] | list[str] = "all"
    cadence: Literal["monthly", "quarterly", "annual"] = "monthly"
    due_day: int = Field(10, ge=1, le=28)


class CatalogueSpec(BaseModel):
    model_config = ConfigDict(extra="allow")  # other tables (for later features) are not this check's business
    indicators: list[IndicatorSpec] = Field(min_length=1)
    departments: list[_Named]
    chains: list[ChainSpec]
    resource_types: list[_Named]
    reporting: list[ReportingSpec] = []

    @model_validator(mode="after")
    def _duties_name_known_codes(self):
        """A duty's subject and departments must be in the catalogue (the error names the entry and the field)."""
        subjects, depts = {"matters"} | {i.code for i in self.indicators}, {d.code for d in self.departments}
        errors = []
        for i, duty in enumerate(self.reporting):
            if duty.subject not in subjects:
                errors.append(_unknown(("reporting", i, "subject"), "subject", duty.subject))
            for code in [] if duty.departments == "all" else duty.departments:
                if code not in depts:
                    errors.append(_unknown(("reporting", i, "departments"), "department", code))
        if errors:
            raise ValidationError.from_exception_data("CatalogueSpec", errors)
        return self


def _unknown(loc: tuple, what: str, code: str) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError(f"unknown_{what}", f"unknown {what} '{{code}}' (not in the "
                            "catalogue)", {"code": code}), loc=loc, input=code)


def read_toml(path: Path | str) -> dict:
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


def _entry(spec: dict, loc: tuple) -> str:
    """`jobs[2] (name 'api')`: where in the file, and the entry's own name when it has one."""
    if len(loc) < 2 or not isinstance(loc[1], int):
        return str(loc[0]) if loc else "(file)"
    entry = spec.get(loc[0], [])[loc[1]] if isinstance(spec.get(loc[0]), list) else {}
    label = next((f" ({k} {entry[k]!r})" for k in ("name", "code", "source", "subject") if isinstance(entry, dict) and k in entry), "")
    return f"{loc[0]}[{loc[1]}]{label}"


def _message(path: Path, spec: dict, exc: ValidationError, prefix: tuple = ()) -> str:
    problems = []
    for err in exc.errors():
        loc = prefix + tuple(err["loc"])
        cut = 2 if len(loc) >= 2 and isinstance(loc[1], int) else 1
        field = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in loc[cut:]).replace(".[", "[")
        msg = err["msg"].replace("Field required", "field required").replace(
            "Extra inputs are not permitted", "unknown field")
        problems.append(f"{path}: {_entry(spec, loc)}: {field or 'entry'}: {msg}")
    return "; ".join(problems)


def check(path: Path | str, spec: dict, model, key: str | None = None) -> list | BaseModel:
    """Validate `spec` (or each entry of its list `key`) against `model`; ConfigError naming file, entry, field."""
    path = Path(path)
    if key is None:
        try:
            return model.model_validate(spec)
        except ValidationError as exc:
            raise ConfigError(_message(path, spec, exc)) from None
    items = spec.get(key, [])
    if not isinstance(items, list):
        raise ConfigError(f"{path}: {key}: must be a list of [[{key}]] tables")
    out = []
    for i, item in enumerate(items):
        try:
            out.append(model.model_validate(item))
        except ValidationError as exc:
            raise ConfigError(_message(path, spec, exc, (key, i))) from None
    return out


def check_options(path: Path | str, index: int, job: JobSpec, factory) -> None:
    """Options a source's constructor does not take are a typo, not something to ignore."""
    params = inspect.signature(factory).parameters
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return
    known = [n for n in params if n != "self"]
    for name in job.options:
        if name not in known:
            raise ConfigError(f"{path}: jobs[{index}] (name {job.name!r}): options.{name}: unknown option of source "
                              f"{job.source!r} (known: {', '.join(known)})")
