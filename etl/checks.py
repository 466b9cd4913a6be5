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
    check of an indicator with its level, the count of failing rows and the first of them. Each distinct rule
    runs once over all the indicators that declare it (vectorised: a million-row run is one pass per rule)."""
    findings = []
    if rows.empty:
        return findings
    rows = rows[["indicator_code", "scope", "period", "value"]].astype({"value": float})
    by_rule: dict[Rule, list[str]] = {}
    for code, declared in rules.items():
        for rule in declared:
            by_rule.setdefault(rule, []).append(code)
    present = set(rows["indicator_code"].unique())
    for rule, codes in by_rule.items():
        codes = [c for c in codes if c in present]
        if not codes:
            continue
        part = rows[rows["indicator_code"].isin(codes)] if len(codes) < len(present) else rows
        bad = _failing(rule, part, groups, history, stored)
        for code, hit in bad.groupby("indicator_code", sort=False):
            findings.append((code, rule, hit))
    findings.sort(key=lambda f: (f[0], rules[f[0]].index(f[1])))  # by indicator, then in declared order
    return [{"check": rule.label, "level": rule.level, "indicator": code, "count": len(hit),
             "rows": hit.drop(columns="indicator_code").head(SHOWN_ROWS).reset_index(drop=True).to_dict("records")}
            for code, rule, hit in findings]


def blocking(findings: list[dict]) -> bool:
    return any(f["level"] == "block" for f in findings)


def _rows(frame: pd.DataFrame, detail) -> pd.DataFrame:
    out = frame[["indicator_code", "scope", "period", "value"]].copy()
    out["detail"] = detail
    return out.reset_index(drop=True)


def _failing(rule: Rule, part: pd.DataFrame, groups, history, stored=None) -> pd.DataFrame:
    values = part["value"]
    if rule.name == "non_negative":
        return _rows(part[values < 0], "< 0")
    if rule.name == "share_max_100":
        return _rows(part[values > 100], "> 100")
    if rule.name == "jump":
        return _jumps(part, history, rule.factor)
    return _sums(_over_stored(part, stored), groups.get(rule.group, set()), rule)


KEY = ["indicator_code", "scope", "period"]


def _outside(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """The rows of `old` whose key the run's `new` rows do not replace."""
    if old.empty:
        return old
    replaced = pd.MultiIndex.from_frame(old[KEY]).isin(pd.MultiIndex.from_frame(new[KEY]))
    return old[~replaced]


def _jumps(part: pd.DataFrame, history, k: float) -> pd.DataFrame:
    if history is None or history.empty:
        return _rows(part.iloc[:0], [])
    old = _outside(history.loc[history["indicator_code"].isin(part["indicator_code"].unique()), KEY + ["value"]], part)
    if not len(old):  # no history: nothing to jump from
        return _rows(part.iloc[:0], [])
    # a new row can jump only where its indicator and scope have a history: the rest is not sorted (the scope
    # alone first, a cheap pass over a million rows, then the pair)
    new = part[part["scope"].isin(old["scope"].unique())].assign(new=True)
    new = new[pd.MultiIndex.from_frame(new[["indicator_code", "scope"]]).isin(
        pd.MultiIndex.from_frame(old[["indicator_code", "scope"]]))]
    series = pd.concat([old.assign(new=False), new], ignore_index=True)
    series = series.astype({"value": float, "new": bool}).sort_values(KEY, ignore_index=True)
    keys = ["indicator_code", "scope"]
    series["change"] = series.groupby(keys, sort=False)["value"].diff()
    past = series[~series["new"]].groupby(keys)["change"].agg(["mean", "std", "count"])
    if past.empty:
        return _rows(series.iloc[:0], [])
    series = series.join(past, on=keys)
    spread = series["std"].to_numpy()
    flagged = (series["new"] & (series["count"] >= 3) & (spread > 0)
               & ((series["change"] - series["mean"]).abs() > k * spread)).to_numpy()
    hit = series[flagged]
    detail = [f"change {c:+g} vs mean {m:+.3g} ± {s:.3g}" for c, m, s in zip(hit["change"], hit["mean"], hit["std"])]
    return _rows(hit, detail)


def _over_stored(part: pd.DataFrame, stored) -> pd.DataFrame:
    """The run's rows with the store's rows of the same indicators and periods that the run does not replace."""
    if stored is None or stored.empty:
        return part
    old = stored[stored["indicator_code"].isin(part["indicator_code"].unique()) & stored["period"].isin(part["period"].unique())]
    old = _outside(old[KEY + ["value"]], part)
    return pd.concat([part, old.astype({"value": float})], ignore_index=True) if len(old) else part


def _sums(part: pd.DataFrame, members: set[str], rule: Rule) -> pd.DataFrame:
    keys = ["indicator_code", "period"]
    is_county = (part["scope"] == COUNTY).to_numpy()
    county = part[is_county].groupby(keys)["value"].sum()
    parts = part[part["scope"].isin(members).to_numpy()].groupby(keys)["value"].sum()
    both = county.index.intersection(parts.index)
    total, summed = county[both], parts[both]
    allowed = rule.factor * total.abs()
    bad = (summed - total > allowed) if rule.name == "sum_le" else ((summed - total).abs() > allowed)
    bad = bad[bad.to_numpy()].index
    if not len(bad):
        return _rows(part.iloc[:0], [])
    hit = part[is_county]
    hit = hit[pd.MultiIndex.from_frame(hit[keys]).isin(bad)]
    detail = [f"{rule.group} sum {parts[(c, p)]:g} vs county {county[(c, p)]:g}"
              for c, p in zip(hit["indicator_code"], hit["period"])]
    return _rows(hit, detail)


def describe(findings: list[dict]) -> str:
    """One line: `non_negative on matters_handled (2 rows, blocking); ...`."""
    return "; ".join(f"{f['check']} on {f['indicator']} ({f['count']} rows, "
                     f"{'blocking' if f['level'] == 'block' else 'warning'})" for f in findings)

