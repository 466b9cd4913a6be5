"""The demo's one revised figure (issue 12 #7): the county's 2025 high-tech firms, first loaded as the preliminary
count and revised once the year's last recognition batch is published. The history's first load writes the
preliminary count (426); the live feed writes the final one (etl.sources.demo's COUNTY_SERIES, 431) from its first
run on, and so do later history loads: the store keeps the preliminary count as a vintage, once."""
from __future__ import annotations

import pandas as pd

from etl.sources.base import Batch, with_location
from etl.store import COUNTY

PRELIMINARY = ("high_tech_firms", "2025", 426)
NOTE = "年末认定批次公示后修订 / revised after the year's last recognition batch"


def preliminary(obs: pd.DataFrame, state: dict) -> pd.DataFrame:
    """The history's observations, with the revised figure at its preliminary value on the job's first load, and
    later as the feed writes it (final value, revision note: a reload changes nothing)."""
    code, year, value = PRELIMINARY
    row = (obs["indicator"] == code) & (obs["period"] == year) & (obs["scope"] == COUNTY)
    if state.get("history_loaded"):
        obs.loc[row, "note"] = NOTE
    else:
        obs.loc[row, "value"] = value
    state["history_loaded"] = True
    return obs


def revision_batch(series: dict, years: list[int], source: str) -> Batch:
    """The revised figure at its final value (from the demo's county `series` over `years`), as an observations
    batch flagged demo."""
    code, year, _ = PRELIMINARY
    df = pd.DataFrame([(code, year, COUNTY, series[code][years.index(int(year))], source, NOTE)],
                      columns=["indicator", "period", "scope", "value", "source", "note"])
    return Batch("observations", "demo:revision", with_location(df, "demo:revision"), is_demo=True)
