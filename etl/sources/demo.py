"""The demo history: ten years calibrated to DOMAIN.md, and its plan targets (the live feed is demo_feed).

Everything here is generated and flagged demo. Generation is deterministic (seeded per day), so re-running a
demo job changes only what the passing of time changes: new cases, and open cases that have since completed.
"""
from __future__ import annotations

import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from etl import clock
from etl.catalogue import DEFAULT_CATALOGUE, read_catalogue
from etl.sources import demo_overdue, demo_revision, demo_targets, demo_townships
from etl.sources.demo_cases import OFFICE_HOURS, SEED, _day_draws, _instant, _working
from etl.sources.base import Batch, with_location
from etl.sources.demo_late import leave_unreported
from etl.store import COUNTY

NAMES = Path(__file__).resolve().parents[2] / "data" / "demo" / "names.toml"
YEARS = list(range(2016, 2026))
PLATFORM_START = date(2020, 7, 1)
SOURCE = "演示数据(生成) / demo data (generated)"

# County series, calibrated to DOMAIN.md: intensity above 4%, 16 listed firms, rank 2, 600 new 5G stations in 2021.
COUNTY_SERIES = {
    "gdp": [382, 405, 431, 458, 471, 522, 553, 589, 621, 655],
    "rd_intensity": [4.12, 4.19, 4.24, 4.33, 4.41, 4.45, 4.49, 4.53, 4.57, 4.62],
    "listed_firms": [10, 11, 12, 12, 13, 14, 14, 15, 15, 16],
    "high_tech_firms": [152, 178, 205, 241, 286, 322, 351, 379, 404, 431],
    "patents_granted": [2410, 2583, 2766, 3012, 3385, 3561, 3702, 3890, 4025, 4188],
    "invention_patents": [382, 421, 468, 527, 611, 672, 735, 803, 874, 951],
    "talent_introduced": [1820, 2015, 2240, 2480, 2710, 3050, 3320, 3610, 3880, 4150],
    "innovation_index_rank": [4, 3, 3, 2, 2, 2, 2, 2, 2, 2],
    "base_stations_5g": [0, 0, 0, 86, 650, 1250, 1720, 2100, 2420, 2700],
    "smart_mfg_coverage": [42, 48, 55, 63, 71, 79, 86, 92, 97, 100],
    "departments_connected": [None, None, None, None, 33, 33, 33, 33, 33, 33],
    "innovation_matters": [None, None, None, None, 108, 108, 108, 108, 108, 108],
    "innovation_resources": [None, None, None, None, 385, 385, 385, 385, 385, 385],
}
CHAIN_SHARE = {"equipment": 0.24, "aerospace": 0.08, "pharmachem": 0.20, "biomed": 0.12, "digital": 0.10,
               "bearings": 0.12}
CHAIN_INTENSITY = {"equipment": 4.6, "aerospace": 6.1, "pharmachem": 5.0, "biomed": 7.2, "digital": 5.5,
                   "bearings": 3.8}  # R&D over output value in 2016, per chain (demo calibration)
LISTED_PER_CHAIN = {"equipment": 4, "pharmachem": 4, "bearings": 3, "aerospace": 2, "biomed": 2, "digital": 1}
LISTING_YEARS = [2003, 2006, 2008, 2010, 2011, 2012, 2014, 2015, 2016, 2016, 2017, 2018, 2020, 2021, 2023, 2025]
FIRMS_PER_SEGMENT = 8


def _names() -> dict:
    with open(NAMES, "rb") as fh:
        return tomllib.load(fh)


def matters(names: dict) -> pd.DataFrame:
    rows = []
    for i, (zh, en, section, dept, days) in enumerate(names["items"]):
        for j, act in enumerate(names["actions"]):
            rows.append({"code": f"M{i * 2 + j + 1:03d}", "name_zh": f"{zh}{act['zh']}",
                         "name_en": f"{en} {act['en']}", "section": section, "department_code": dept,
                         "promised_days": max(1, round(days * act["days"]))})
    return pd.DataFrame(rows)


def firms(catalogue: dict, names: dict) -> pd.DataFrame:
    rng = np.random.default_rng(SEED)
    rows, suffixes = [], names["firm_suffixes"]
    count = sum(len(c["segments"]) for c in catalogue["chains"]) * FIRMS_PER_SEGMENT
    towns, taken = demo_townships.firm_towns(count), set()  # a firm is named after the township it is in
    for chain in catalogue["chains"]:
        listed_left = LISTED_PER_CHAIN[chain["code"]]
        for seg in chain["segments"]:
            for k in range(FIRMS_PER_SEGMENT):
                n = len(rows)
                town_row = towns[n]
                town, town_en = town_row["short_zh"], town_row["short_en"]
                free = [x for x in (suffixes[(n + i) % len(suffixes)] for i in range(len(suffixes)))
                        if (town, seg["code"], x[0]) not in taken]  # names are unique: the first free suffix
                suf_zh, suf_en = free[0] if free else (f"{suffixes[0][0]}{n}", f"{suffixes[0][1]} {n}")
                taken.add((town, seg["code"], suf_zh))
                listed = listed_left > 0 and k == 0 or (listed_left > 2 and k == 1)
                listed_left -= int(listed)
                rows.append({"code": f"F{n + 1:03d}", "name_zh": f"{town}{seg['name_zh']}{suf_zh}(示例)",
                             "name_en": f"{town_en} {seg['name_en']} {suf_en} (demo)", "chain_code": chain["code"],
                             "segment_code": seg["code"], "listed": listed, "high_tech": bool(rng.random() < 0.7),
                             "township_code": town_row["code"]})
    df = pd.DataFrame(rows)
    listed_idx = df.index[df["listed"]]
    df["listed_year"] = pd.Series(dtype="Int64")
    df.loc[listed_idx, "listed_year"] = LISTING_YEARS[:len(listed_idx)]
    return df


def resources(catalogue: dict, names: dict) -> pd.DataFrame:
    rng = np.random.default_rng(SEED + 1)
    depts = [d["code"] for d in catalogue["departments"]]
    chains = [c["code"] for c in catalogue["chains"]]
    rows = []
    for type_code, count in names["resource_counts"].items():
        word_zh, word_en = names["resource_words"][type_code]
        for k in range(count):
            provider = names["providers"][int(rng.integers(len(names["providers"])))]
            rows.append({"code": f"R{len(rows) + 1:03d}", "name_zh": f"{word_zh}{k + 1:03d}(示例)",
                         "name_en": f"{word_en} {k + 1:03d} (demo)", "type_code": type_code, "provider": provider,
                         "department_code": depts[int(rng.integers(len(depts)))] if rng.random() < 0.8 else None,
                         "chain_code": chains[int(rng.integers(len(chains)))] if rng.random() < 0.7 else None,
                         "source": SOURCE})
    return pd.DataFrame(rows)


def matter_table_with_quality(catalogue: dict, names: dict) -> pd.DataFrame:
    table = matters(names)
    rng = np.random.default_rng(SEED + 3)
    quality = {d["code"]: rng.uniform(0.3, 0.58) for d in catalogue["departments"]}
    return table.assign(quality=table["department_code"].map(quality))


def generate_cases(start: date, now: datetime, matter_table: pd.DataFrame) -> pd.DataFrame:
    """The cases submitted from `start` to `now`, as they stand at `now`: completions still in the future are
    open cases, and acceptances still in the future are waiting ones."""
    weights = np.random.default_rng(SEED + 2).dirichlet(np.full(len(matter_table), 0.8))
    days = [start + timedelta(days=i) for i in range((now.date() - start).days + 1)]
    draws = [_day_draws(d, weights) for d in days]
    counts = np.array([len(d[0]) for d in draws])
    pick, hours, accept_h, factor, rejected = (np.concatenate([d[k] for d in draws]) for k in range(5))
    day0 = np.repeat(np.array(days, dtype="datetime64[ns]"), counts)
    seconds = lambda x: (np.round(x * 3600)).astype("int64").astype("timedelta64[s]")
    submitted = day0 + seconds(hours)
    # acceptances and completions happen in office hours: a delay is counted in working hours, a day in one office day
    start_w = _working(day0, submitted)
    accepted = _instant(start_w + accept_h)
    promised = matter_table["promised_days"].to_numpy()[pick] * 1.4
    taken = promised * np.minimum(1.8, factor * matter_table["quality"].to_numpy()[pick])
    completed = _instant(start_w + accept_h + taken * OFFICE_HOURS)
    due = accepted + seconds(promised * 24)
    seq = np.concatenate([np.arange(1, c + 1) for c in counts]) if len(counts) else np.array([], int)
    stamp = np.repeat([f"XC{d:%Y%m%d}" for d in days], counts)
    now64 = np.datetime64(pd.Timestamp(now).as_unit("ns"))
    open_ = ~rejected & (completed > now64)
    waiting = accepted > now64
    status = np.where(rejected, "rejected", np.where(waiting, "submitted", np.where(open_, "accepted", "completed")))
    df = pd.DataFrame({
        "case_no": np.char.add(stamp.astype(str), np.char.zfill(seq.astype(str), 4)),
        "matter": matter_table["code"].to_numpy()[pick],
        "submitted_at": submitted, "accepted_at": np.where(waiting, np.datetime64("NaT"), accepted),
        "completed_at": np.where(rejected | open_, np.datetime64("NaT"), completed), "due_at": due,
        "status": status})
    return df[df["submitted_at"] <= now64].reset_index(drop=True)


def _split(total: float, weights: np.ndarray, integer: bool, rng) -> np.ndarray:
    if integer:
        return rng.multinomial(int(round(total)), weights)
    return total * weights


def observations(catalogue: dict, firm_table: pd.DataFrame, case_table: pd.DataFrame,
                 matter_table: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(SEED + 4)
    rows = []
    series = dict(COUNTY_SERIES)
    series["rd_spending"] = [round(g * r / 100, 2) for g, r in zip(series["gdp"], series["rd_intensity"])]
    # Counted from the firms themselves: a difference of the cumulative series has no first year to start from.
    series["new_listings"] = [int((firm_table["listed_year"] == y).sum()) for y in YEARS]
    series["new_5g_stations"] = [0] + list(np.diff(series["base_stations_5g"]))
    for code, values in series.items():
        rows += [(code, str(y), COUNTY, v) for y, v in zip(YEARS, values) if v is not None]
    chain_indicators = {"rd_spending": False, "high_tech_firms": True, "patents_granted": True,
                        "invention_patents": True, "talent_introduced": True}
    granted: dict[tuple[int, str], float] = {}  # (year, firm) -> patents granted, which bound its invention patents
    for chain in catalogue["chains"]:
        c, segs = chain["code"], chain["segments"]
        seg_w = rng.dirichlet(np.full(len(segs), 4.0))
        # A firm's weight in its segment holds for every indicator and year: the big spender is also the big patenter,
        # and the heaviest come first, where firms() puts the segment's listed firms
        firm_w = {seg["code"]: np.sort(rng.dirichlet(np.ones(FIRMS_PER_SEGMENT)))[::-1] for seg in segs}
        for ind, integer in chain_indicators.items():
            for y, total in zip(YEARS, series[ind]):
                chain_total = total * CHAIN_SHARE[c] * rng.uniform(0.94, 1.06)
                chain_total = round(chain_total) if integer else round(chain_total, 2)
                rows.append((ind, str(y), c, chain_total))
                for seg, v in zip(segs, _split(chain_total, seg_w, integer, rng)):
                    rows.append((ind, str(y), seg["code"], round(float(v), 3)))
                    if ind in ("rd_spending", "patents_granted", "invention_patents"):
                        fs = firm_table[firm_table["segment_code"] == seg["code"]]["code"].tolist()
                        for f, fv in zip(fs, _split(v * 0.8, firm_w[seg["code"]], integer, rng)):
                            if ind == "patents_granted":
                                granted[y, f] = fv
                            elif ind == "invention_patents":  # invention patents are a part of those granted
                                fv = min(fv, granted[y, f])
                            rows.append((ind, str(y), f, round(float(fv), 3)))
        for i, y in enumerate(YEARS):
            listed = firm_table[(firm_table["chain_code"] == c) & (firm_table["listed_year"] <= y)]
            rows.append(("listed_firms", str(y), c, len(listed)))
            # R&D spending over the chain's output value: chains differ, all rise slowly with the county
            base = CHAIN_INTENSITY[c] + 0.06 * i
            rows.append(("rd_intensity", str(y), c, round(base + rng.normal(0, 0.05), 2)))
            for seg in segs:
                rows.append(("rd_intensity", str(y), seg["code"], round(base + rng.normal(0, 0.4), 2)))
    rows += service_observations(case_table, matter_table)
    df = pd.DataFrame(rows, columns=["indicator", "period", "scope", "value"])
    chain_intensity = (df["indicator"] == "rd_intensity") & (df["scope"] != COUNTY)
    note = np.where(chain_intensity, "研发经费占产业链产值比重 / R&D over the chain's output value", "")
    return df.assign(source=SOURCE, note=note)


def service_observations(case_table: pd.DataFrame, matter_table: pd.DataFrame) -> list[tuple]:
    """Matters handled, on-time rate and processing time per year, for the county and each department."""
    done = case_table[case_table["status"] == "completed"].copy()
    done["department"] = done["matter"].map(matter_table.set_index("code")["department_code"])
    done["year"] = done["completed_at"].dt.year.astype(str)
    done["on_time"] = done["completed_at"] <= done["due_at"]
    done["days"] = (done["completed_at"] - done["accepted_at"]).dt.total_seconds() / 86400
    rows = []
    for scope_col in (None, "department"):
        keys = ["year"] if scope_col is None else ["year", scope_col]
        g = done.groupby(keys).agg(n=("case_no", "size"), on_time=("on_time", "mean"), days=("days", "mean"))
        for key, r in g.iterrows():
            year, scope = (key, COUNTY) if scope_col is None else key
            rows += [("matters_handled", year, scope, int(r.n)), ("on_time_rate", year, scope, round(100 * r.on_time, 2)),
                     ("avg_processing_days", year, scope, round(r.days, 2))]
    return rows


class DemoSource:
    """Ten years of calibrated demo history: firms, the 108 matters, the 385 resources, observations and cases."""
    name = "demo"
    is_demo = True

    def __init__(self, now: datetime | None = None, catalogue: str | None = None):
        self.now = now
        self.catalogue = read_catalogue(catalogue or DEFAULT_CATALOGUE)
        self.key = "generated"

    def extract(self, state: dict) -> Iterator[Batch]:
        now = self.now or clock.local_now()  # case times are civil times in COCKPIT_TZ
        matter_table = matter_table_with_quality(self.catalogue, names := _names())
        firm_table = firms(self.catalogue, names)
        case_table = leave_unreported(generate_cases(PLATFORM_START, now, matter_table), matter_table, self.catalogue, now)
        obs = observations(self.catalogue, firm_table, case_table, matter_table)
        obs = demo_revision.preliminary(demo_overdue.stop_early(obs, self.catalogue, now), state)
        for kind, df in (("firms", firm_table), ("matters", matter_table.drop(columns="quality")),
                         ("resources", resources(self.catalogue, names)), ("observations", obs),
                         ("cases", case_table.assign(source=SOURCE))):
            yield Batch(kind, f"demo:{kind}", with_location(demo_townships.place(kind, df), f"demo:{kind}"), is_demo=True)
        yield from (*demo_targets.batches(), demo_targets.annotations())  # plan targets (one revised), two events
