"""Plausibility checks declared per indicator in the catalogue (`checks = [...]`), run on a run's validated
observations before they become visible. Pure: frames in, findings out; etl.publish holds or applies the run.

A check is `name[:arg...]`, blocking unless prefixed `warn:`:
- `non_negative`: no value below 0 (counts, amounts);
- `share_max_100`: no value above 100 (a share in %);
- `jump:K`: a value whose change from the scope's previous period departs from the history's mean change by more
  than K standard deviations of it (at least three earlier changes are needed);
- `sum:GROUP:TOL`: for each period, the values of the GROUP's scopes (departments | segments) add up to the
  county's value within TOL (a fraction of it); `sum_le:GROUP:TOL`: they add up to no more than it, TOL allowed.
  The run's rows are compared over what the store already holds for the same periods (`stored`): a run that
  carries only the departments' values is checked against the county total loaded before, and the other way round."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

COUNTY = "county"
GROUPS = ("departments", "segments")
PATTERN = re.compile(r"^(warn:)?(non_negative|share_max_100|jump:\d+(\.\d+)?|(sum|sum_le):(departments|segments):"
                     r"\d+(\.\d+)?)$")
SHOWN_ROWS = 20  # the rows a finding lists (its count says how many failed)


@dataclass(frozen=True)
class Rule:
    name: str  # non_negative | share_max_100 | jump | sum | sum_le
    level: str  # block | warn
    factor: float = 0.0  # jump: K; sum: the tolerance
    group: str = ""  # sum: departments | segments

    @property
    def label(self) -> str:
        if self.name in ("non_negative", "share_max_100"):
            return self.name
        return ":".join(x for x in (self.name, self.group, f"{self.factor:g}") if x)


def parse(entry: str) -> Rule:
    """One catalogue entry as a Rule; ValueError when it is not one."""
    if not PATTERN.match(entry):
        raise ValueError(f"unknown check {entry!r} (known: non_negative, share_max_100, jump:K, "
                         "sum:departments|segments:TOL, sum_le:departments|segments:TOL; prefix warn: to warn)")
    level = "warn" if entry.startswith("warn:") else "block"
    parts = entry.removeprefix("warn:").split(":")
    if parts[0] in ("sum", "sum_le"):
        return Rule(parts[0], level, float(parts[2]), parts[1])
    return Rule(parts[0], level, float(parts[1]) if len(parts) > 1 else 0.0)


def rules_from(declared: dict[str, str]) -> dict[str, list[Rule]]:
    """{indicator: "non_negative,jump:4"} as stored in indicators.checks → {indicator: [Rule, ...]}."""
    return {code: [parse(e) for e in text.split(",") if e] for code, text in declared.items() if text}


def needs_history(rules: dict[str, list[Rule]]) -> list[str]:
    return sorted(code for code, rs in rules.items() if any(r.name == "jump" for r in rs))


def needs_stored(rules: dict[str, list[Rule]]) -> list[str]:
    return sorted(code for code, rs in rules.items() if any(r.name in ("sum", "sum_le") for r in rs))


def run_checks(rows: pd.DataFrame, rules: dict[str, list[Rule]], groups: dict[str, set[str]],
               history: pd.DataFrame | None = None, stored: pd.DataFrame | None = None) -> list[dict]:
    """Findings for the run's observations `rows` (indicator_code, scope, period, value): one dict per failed
    check of an indicator with its level, the count of failing rows and the first of them."""
    findings = []
    if rows.empty:
        return findings
    for code, part in rows[rows["indicator_code"].isin(list(rules))].groupby("indicator_code", sort=True):
        for rule in rules[code]:
            bad = _failing(rule, part, groups, history, code, stored)
            if len(bad):
                findings.append({"check": rule.label, "level": rule.level, "indicator": code, "count": len(bad),
                                 "rows": bad.head(SHOWN_ROWS).to_dict("records")})
    return findings


def blocking(findings: list[dict]) -> bool:
    return any(f["level"] == "block" for f in findings)


def _rows(frame: pd.DataFrame, detail) -> pd.DataFrame:
    out = frame[["scope", "period", "value"]].copy()
    out["value"] = out["value"].astype(float)
    out["detail"] = detail
    return out.reset_index(drop=True)


def _failing(rule: Rule, part: pd.DataFrame, groups, history, code, stored=None) -> pd.DataFrame:
    values = part["value"].astype(float)
    if rule.name == "non_negative":
        return _rows(part[values < 0], "< 0")
    if rule.name == "share_max_100":
        return _rows(part[values > 100], "> 100")
    if rule.name == "jump":
        return _jumps(part, history, code, rule.factor)
    return _sums(_over_stored(part, stored, code), groups.get(rule.group, set()), rule)


def _over_stored(part: pd.DataFrame, stored, code: str) -> pd.DataFrame:
    """The run's rows of `code` with the store's rows of the same periods that the run does not replace."""
    if stored is None or stored.empty:
        return part
    old = stored[(stored["indicator_code"] == code) & stored["period"].isin(set(part["period"]))]
    if old.empty:
        return part
    new_keys = set(zip(part["scope"], part["period"]))
    old = old[[k not in new_keys for k in zip(old["scope"], old["period"])]]
    return pd.concat([part, old[part.columns.intersection(old.columns)]], ignore_index=True)


def _jumps(part: pd.DataFrame, history, code: str, k: float) -> pd.DataFrame:
    new = part[["scope", "period", "value"]].assign(new=True)
    old = pd.DataFrame(columns=["scope", "period", "value"])
    if history is not None and not history.empty:
        old = history.loc[history["indicator_code"] == code, ["scope", "period", "value"]]
    keys = pd.MultiIndex.from_frame(new[["scope", "period"]])
    old = old[~pd.MultiIndex.from_frame(old[["scope", "period"]]).isin(keys)].assign(new=False) if len(old) else \
        old.assign(new=False)
    series = pd.concat([old, new], ignore_index=True).astype({"value": float}).sort_values(["scope", "period"])
    series["change"] = series.groupby("scope")["value"].diff()
    past = series[~series["new"]].groupby("scope")["change"].agg(["mean", "std", "count"])
    series = series.join(past, on="scope")
    spread = series["std"].to_numpy()
    flagged = (series["new"] & (series["count"] >= 3) & (spread > 0)
               & ((series["change"] - series["mean"]).abs() > k * spread)).to_numpy()
    hit = series[flagged]
    detail = [f"change {c:+g} vs mean {m:+.3g} ± {s:.3g}" for c, m, s in zip(hit["change"], hit["mean"], hit["std"])]
    return _rows(hit, detail)


def _sums(part: pd.DataFrame, members: set[str], rule: Rule) -> pd.DataFrame:
    county = part[part["scope"] == COUNTY].groupby("period")["value"].sum().astype(float)
    parts = part[part["scope"].isin(members)].groupby("period")["value"].sum().astype(float)
    both = county.index.intersection(parts.index)
    total, summed = county[both], parts[both]
    allowed = rule.factor * total.abs()
    bad = (summed - total > allowed) if rule.name == "sum_le" else ((summed - total).abs() > allowed)
    bad = bad[bad].index
    hit = part[(part["scope"] == COUNTY) & part["period"].isin(bad)]
    detail = [f"{rule.group} sum {parts[p]:g} vs county {county[p]:g}" for p in hit["period"]]
    return _rows(hit, detail)


def describe(findings: list[dict]) -> str:
    """One line: `non_negative on matters_handled (2 rows, blocking); ...`."""
    return "; ".join(f"{f['check']} on {f['indicator']} ({f['count']} rows, "
                     f"{'blocking' if f['level'] == 'block' else 'warning'})" for f in findings)

