"""Where the demo's firms and innovation resources are: a township code per row (data/townships.csv).

Plausible, not real: the county seat's streets (南明, 七星, 羽林) and the towns beside the high-tech park hold
most firms and nearly all resources; the mountain towns and townships a few. Deterministic (seeded)."""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

CSV = Path(__file__).resolve().parents[2] / "data" / "townships.csv"
SEED = 20201211 + 17
# relative weight per township by its Chinese name; one not named here weighs 1
_FIRM_WEIGHT = {"南明街道": 14, "七星街道": 18, "羽林街道": 12, "澄潭街道": 9, "沃洲镇": 6, "儒岙镇": 3,
                "小将镇": 2, "镜岭镇": 2, "回山镇": 2, "沙溪镇": 2}
_RESOURCE_WEIGHT = {"南明街道": 30, "七星街道": 30, "羽林街道": 14, "澄潭街道": 5, "沃洲镇": 4, "儒岙镇": 2}


def townships() -> list[dict]:
    with open(CSV, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def firm_towns(count: int) -> list[dict]:
    """The townships of the demo's `count` firms, drawn by the firm weights (seeded), each row with its short
    names (七星, Qixing): demo.firms names a firm after the township it is in."""
    rows = townships()
    w = np.array([_FIRM_WEIGHT.get(r["name_zh"], 1) for r in rows], dtype=float)
    picks = np.random.default_rng(SEED).choice(len(rows), size=count, p=w / w.sum())
    out = []
    for i in picks:
        r = rows[i]
        out.append({**r, "short_zh": r["name_zh"][:-len(r["kind"])],
                    "short_en": r["name_en"].rsplit(" ", 1)[0]})
    return out


def place(kind: str, df: pd.DataFrame) -> pd.DataFrame:
    """The batch with a township_code column when it holds firms or resources; other kinds unchanged (firms are
    placed when they are made: firm_towns)."""
    if kind not in ("firms", "resources") or df.empty or "township_code" in df:
        return df
    rows = townships()
    weights = _FIRM_WEIGHT if kind == "firms" else _RESOURCE_WEIGHT
    w = np.array([weights.get(r["name_zh"], 1) for r in rows], dtype=float)
    rng = np.random.default_rng(SEED + (kind == "resources"))
    picks = rng.choice(len(rows), size=len(df), p=w / w.sum())
    return df.assign(township_code=[rows[i]["code"] for i in picks])
