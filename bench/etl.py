"""ETL benchmark: (a) staged upsert of 1M observations into SQLite vs pandas to_sql, (b) 1M-row CSV ingest end to
end (parse, validate, upsert), (c) re-run of the same file (all unchanged). Each is measured in --rounds fresh stores
and the best round counts (the machine is shared and noisy); every round is printed. Last line: one JSON object."""
from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/etl.py`, this file's folder comes first on sys.path and its name would shadow the etl package.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import argparse
import json
import statistics
import tempfile
import time

import numpy as np
import pandas as pd
from sqlalchemy import select

from etl import load, migrate
from etl.catalogue import read_catalogue
from etl.sources import DemoSource, FileDropSource
from etl.sources.text import decode, head_lines, sniff
from etl.store import Chain, Department, EtlRun, Firm, Indicator, Observation, Segment, make_engine


def fresh_store(folder: Path, name: str):
    engine = make_engine(f"sqlite:///{folder / name}")
    migrate.prepare(engine, read_catalogue())
    return engine


def keys(engine, n: int) -> pd.DataFrame:
    """n distinct (indicator, period, scope) keys over real catalogue codes, daily periods."""
    with engine.connect() as conn:
        indicators = conn.execute(select(Indicator.code, Indicator.unit)).all()
        scopes = ["county"] + [c for m in (Department, Chain, Segment, Firm)
                               for c in conn.execute(select(m.code)).scalars()]
    combos = len(indicators) * len(scopes)
    days = -(-n // combos)
    periods = pd.date_range("1990-01-01", periods=days, freq="D").strftime("%Y-%m-%d")
    ind = np.array([i for i, _ in indicators])
    unit = dict(indicators)
    idx = np.arange(n)
    rng = np.random.default_rng(1)
    df = pd.DataFrame({
        "indicator_code": ind[idx % len(ind)],
        "scope": np.array(scopes)[(idx // len(ind)) % len(scopes)],
        "period": np.asarray(periods)[idx // combos],
        "value": rng.random(n).round(4) * 100,
    })
    df["unit"] = df["indicator_code"].map(unit)
    return df.sample(frac=1, random_state=2).reset_index(drop=True)  # arrival order is not key order


def bench_upsert(folder: Path, n: int) -> tuple[float, float]:
    engine = fresh_store(folder, "upsert.sqlite")
    load.run(engine, "firms", DemoSource())  # real firm codes as scopes
    df = keys(engine, n).assign(source="bench", note="", is_demo=False)
    with engine.begin() as conn:
        run_id = conn.execute(EtlRun.__table__.insert().values(job="bench", source="bench", started_at=pd.Timestamp.now())).inserted_primary_key[0]
    t = time.perf_counter()
    with engine.begin() as conn:
        changed = load.upsert_staged(conn, Observation, df, load.OBS_COLUMNS, load.OBS_KEY, run_id)
    upsert_s = time.perf_counter() - t
    assert changed == n, changed
    plain = make_engine(f"sqlite:///{folder / 'pandas.sqlite'}")
    t = time.perf_counter()
    df.assign(run_id=run_id).to_sql("observations", plain, if_exists="append", index=False, chunksize=100_000)
    pandas_s = time.perf_counter() - t
    return n / upsert_s, pandas_s / upsert_s


def write_csv(folder: Path, engine, n: int) -> Path:
    df = keys(engine, n).rename(columns={"indicator_code": "indicator"})[["indicator", "period", "scope", "value", "unit"]]
    path = folder / "million.csv"
    df.to_csv(path, index=False)
    return path


def bench_ingest(folder: Path, n: int) -> tuple[float, float]:
    engine = fresh_store(folder, "ingest.sqlite")
    load.run(engine, "firms", DemoSource())
    path = write_csv(folder, engine, n)
    source = FileDropSource(files=[str(path)], move=False)
    t = time.perf_counter()
    first = load.run(engine, "bench", source)
    ingest_s = time.perf_counter() - t
    assert first.status == "success" and first.rows_loaded == n, first
    t = time.perf_counter()
    again = load.run(engine, "bench", source)
    rerun_s = time.perf_counter() - t
    assert again.rows_unchanged == n and again.rows_loaded == 0, again
    return n / ingest_s, n / rerun_s


def header_detect_share(folder: Path, n: int, ingest_rps: float) -> float:
    """Finding the header row and sniffing the delimiter of the n-row CSV (its first lines only, best of 100), as a
    fraction of that file's ingest end to end."""
    engine = fresh_store(folder, "detect.sqlite")
    load.run(engine, "firms", DemoSource())
    text, _ = decode(write_csv(folder, engine, n).read_bytes())
    times = []
    for _ in range(100):
        t = time.perf_counter()
        assert sniff(head_lines(text))
        times.append(time.perf_counter() - t)
    return min(times) / (n / ingest_rps)


def each_round(rounds: int, measure) -> list[tuple]:
    """`measure(folder)` in `rounds` fresh folders, every result (the caller keeps the best: the machine is noisy)."""
    results = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            results.append(measure(Path(tmp)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3, help="fresh stores per measurement; the best one counts")
    args = parser.parse_args()
    upserts = each_round(args.rounds, lambda folder: bench_upsert(folder, args.rows))
    upsert_rps = max(r for r, _ in upserts)
    vs_pandas = statistics.median(v for _, v in upserts)  # each round's own ratio: both sides saw the same machine
    print(f"(a) staged upsert: {upsert_rps:,.0f} rows/s (rounds: {', '.join(f'{r:,.0f}' for r, _ in upserts)}); "
          f"pandas to_sql took {vs_pandas:.2f}x as long (median of the rounds' ratios; "
          f"targets: >= 200,000 rows/s, ratio >= 1.5)")
    ingests = each_round(args.rounds, lambda folder: bench_ingest(folder, args.rows))
    ingest_rps, rerun_rps = max(i for i, _ in ingests), max(r for _, r in ingests)
    print(f"(b) CSV ingest end to end: {ingest_rps:,.0f} rows/s (rounds: {', '.join(f'{i:,.0f}' for i, _ in ingests)}; "
          f"target >= 100,000)")
    print(f"(c) re-run, all unchanged: {rerun_rps:,.0f} rows/s (rounds: {', '.join(f'{r:,.0f}' for _, r in ingests)}; "
          f"target: faster than b: {'met' if rerun_rps > ingest_rps else 'NOT met'})")
    detect_share = each_round(1, lambda folder: (header_detect_share(folder, args.rows, ingest_rps),))[0][0]
    print(f"(d) header detection and delimiter sniff: {detect_share:.4%} of the CSV ingest (target <= 5%)")
    print(json.dumps({"bench": "etl", "upsert_rows_per_s": round(upsert_rps), "upsert_vs_pandas": round(vs_pandas, 2),
                      "ingest_rows_per_s": round(ingest_rps), "rerun_rows_per_s": round(rerun_rps),
                      "header_detect_share": round(detect_share, 6), "rounds": args.rounds}))


if __name__ == "__main__":
    main()
