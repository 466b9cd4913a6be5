"""Drill-down benchmark: the department and chain page callbacks (the router's layout call) on a large store — one
million observations, 200,000 matter cases — on SQLite and PostgreSQL; p50/p95 cold (cache empty) and warm, and
cold time over the raw time of the SQL those callbacks ran (the same statements, replayed on the driver).

Built for a noisy shared machine: every view is measured in several rounds, interleaved (cold, warm, raw, view after
view), and each view's figure is its median over the rounds; p50/p95 are then taken over the views, per page and
overall. The issue's target is on those p95s: cold p95 <= 2 x raw SQL p95 + 15 ms (`cold_within_target`,
`cold_over_raw` = cold p95 / raw p95). A stricter reading is reported beside it: every single view's median cold time
within 2x its own raw SQL time + 15 ms (`views_within_target`, `every_view_within_target`).
Per-page figures go to stderr; the last line is one JSON object (issue 4's keys; extra keys are extra)."""
from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/drilldown.py`, this file's folder comes first on sys.path and bench/etl.py would shadow etl.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import argparse
import importlib
import io
import json
import os
import statistics
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import create_engine, event, select, text

from etl import load, migrate
from etl.catalogue import read_catalogue
from etl.sources import DemoSource
from etl.store import Chain, Department, Firm, Indicator, Matter, Segment, make_engine

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
VIEWS = 24  # distinct views (page, code, period) measured, each in every round


def bulk(engine, table: str, df: pd.DataFrame) -> None:
    """Rows straight into `table`: COPY on PostgreSQL, executemany on SQLite (setup, not what is measured)."""
    cols = list(df.columns)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "postgresql":
            buf = io.StringIO()
            df.to_csv(buf, index=False, header=False, na_rep="\\N", date_format="%Y-%m-%d %H:%M:%S")
            with cur.copy(f"COPY {table} ({','.join(cols)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as cp:
                cp.write(buf.getvalue())
        else:
            rows = [tuple(None if pd.isna(v) else (v.to_pydatetime() if isinstance(v, pd.Timestamp) else v)
                          for v in r) for r in df.itertuples(index=False, name=None)]
            cur.executemany(f"INSERT INTO {table} ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})", rows)
        raw.commit()
    finally:
        raw.close()


def grow(engine, observations: int, cases: int) -> None:
    """The demo history plus generated rows up to `observations` observations and `cases` matter cases."""
    result = load.run(engine, "demo-history", DemoSource(now=datetime(2026, 11, 20, 10, 30)))
    assert result.status == "success", result.error
    with engine.connect() as conn:
        have_obs = conn.execute(text("SELECT count(*) FROM observations")).scalar()
        have_cases = conn.execute(text("SELECT count(*) FROM matter_cases")).scalar()
        inds = conn.execute(select(Indicator.code, Indicator.unit)).all()
        scopes = [c for m in (Department, Chain, Segment, Firm) for c in conn.execute(select(m.code)).scalars()]
        matters = conn.execute(select(Matter.code, Matter.department_code)).all()
    rng = np.random.default_rng(7)
    n = max(0, observations - have_obs)
    combos = len(inds) * len(scopes)
    idx = np.arange(n)
    days = pd.date_range("1900-01-01", periods=-(-n // combos), freq="D").strftime("%Y-%m-%d").to_numpy()
    ind = np.array([i for i, _ in inds])
    bulk(engine, "observations", pd.DataFrame({  # daily history: scanned past by the yearly drill-down queries
        "indicator_code": ind[idx % len(ind)], "period": days[idx // combos],
        "scope": np.array(scopes)[(idx // len(ind)) % len(scopes)], "value": rng.random(n).round(3),
        "unit": pd.Series(ind[idx % len(ind)]).map(dict(inds)).to_numpy(), "source": "bench", "note": "",
        "is_demo": False, "run_id": result.run_id}))
    m = max(0, cases - have_cases)
    pick = rng.integers(len(matters), size=m)
    submitted = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 5 * 365 * 86400, m), unit="s")
    accepted = submitted + pd.to_timedelta(rng.exponential(3 * 3600, m).astype(int), unit="s")
    completed = accepted + pd.to_timedelta(rng.exponential(6 * 86400, m).astype(int), unit="s")
    bulk(engine, "matter_cases", pd.DataFrame({
        "case_no": [f"BENCH{i:08d}" for i in range(m)], "matter_code": [matters[i][0] for i in pick],
        "department_code": [matters[i][1] for i in pick], "submitted_at": submitted, "accepted_at": accepted,
        "completed_at": completed, "due_at": accepted + pd.Timedelta(days=7), "status": "completed",
        "source": "bench", "is_demo": False, "run_id": result.run_id}))
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def views(engine, pages=("department", "chain")) -> list[tuple[str, dict]]:
    """(page, kwargs) of the views measured: each department and chain page, with and without a period range."""
    with engine.connect() as conn:
        codes = {"department": list(conn.execute(select(Department.code).order_by(Department.code)).scalars()),
                 "chain": list(conn.execute(select(Chain.code).order_by(Chain.code)).scalars())}
    spans = [{}, {"from": "2024", "to": "2025"}, {"from": "2022"}]
    out = []
    for i in range(VIEWS):
        page = pages[i % len(pages)]
        out.append((page, {"code": codes[page][(i // len(pages)) % len(codes[page])], **spans[i % len(spans)]}))
    return out


def measure(url: str, rounds: int, verbose: bool = False) -> dict:
    """Every view `rounds` times, interleaved: cold (caches emptied), warm, raw SQL, and the layout's JSON."""
    from dash._utils import to_json

    from cockpit import create_app, context

    app = create_app(database_url=url, cache_type="SimpleCache")
    statements = []
    load_before = os.getloadavg()[0]  # other work on the machine: reported beside the figures, not corrected for

    with app.server.test_request_context():
        ctx = context.get()
        engine = ctx.engine

        @event.listens_for(engine, "before_cursor_execute")
        def _record(conn, cursor, statement, parameters, context_, executemany):
            statements.append((statement, parameters))

        todo = views(engine)
        pages = {p: importlib.import_module(f"cockpit.pages.{p}") for p, _ in todo}
        for page, kwargs in todo[:len(pages)]:  # first-import costs (modules, compiled SQL) are not a view's
            pages[page].layout(**kwargs)
        runs = [{"cold": [], "warm": [], "raw": [], "json": []} for _ in todo]
        for _ in range(rounds):
            for (page, kwargs), run in zip(todo, runs):
                ctx.cache.clear()
                app.server.extensions.pop("drill_views", None)  # the in-process recent views too: truly cold
                statements.clear()
                t0 = time.perf_counter()
                pages[page].layout(**kwargs)
                run["cold"].append(time.perf_counter() - t0)
                ran = list(statements)
                warm = []
                for _ in range(5):
                    t0 = time.perf_counter()
                    layout = pages[page].layout(**kwargs)
                    warm.append(time.perf_counter() - t0)
                run["warm"].append(statistics.median(warm))
                run["raw"].append(raw_time(engine, ran))
                t0 = time.perf_counter()
                to_json(layout)  # what Dash then does with the layout (reported, not part of the targets)
                run["json"].append(time.perf_counter() - t0)
        event.remove(engine, "before_cursor_execute", _record)
    per_view = [{k: statistics.median(v) for k, v in run.items()} for run in runs]
    if verbose:
        for (page, kwargs), v in zip(todo, per_view):
            print(f"    {page:<11} {json.dumps(kwargs):<45} cold {v['cold'] * 1000:7.2f}  raw {v['raw'] * 1000:7.2f}  "
                  f"limit {(2 * v['raw'] + 0.015) * 1000:7.2f}", file=sys.stderr)
    out = figures(per_view)
    out["pages"] = {p: figures([v for (page, _), v in zip(todo, per_view) if page == p]) for p in pages}
    out["views"], out["rounds"] = len(todo), rounds
    out["load_avg"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    return out


def figures(per_view: list[dict]) -> dict:
    """p50/p95 over views of their median times (ms), the p95 of cold/raw and whether every view met the target."""
    ms = lambda key, q: round(float(np.percentile([v[key] for v in per_view], q)) * 1000, 2)
    met = [v["cold"] <= 2 * v["raw"] + 0.015 for v in per_view]
    cold, raw = ms("cold", 95), ms("raw", 95)
    return {"warm_p50_ms": ms("warm", 50), "warm_p95_ms": ms("warm", 95), "cold_p50_ms": ms("cold", 50),
            "cold_p95_ms": cold, "raw_sql_p50_ms": ms("raw", 50), "raw_sql_p95_ms": raw,
            "cold_over_raw": round(cold / raw, 2) if raw else None, "cold_within_target": cold <= 2 * raw + 15,
            "views_within_target": f"{sum(met)}/{len(met)}", "every_view_within_target": all(met),
            "json_p95_ms": ms("json", 95)}


def report(name: str, out: dict) -> None:
    """Per-page figures, on stderr."""
    print(f"{name}: {out['views']} views x {out['rounds']} rounds (medians per view; p50/p95 over views, ms); "
          f"load average {out['load_avg'][0]} -> {out['load_avg'][1]} on {os.cpu_count()} CPUs", file=sys.stderr)
    for page, f in out["pages"].items():
        print(f"  {page:<11} cold {f['cold_p50_ms']:8.2f} / {f['cold_p95_ms']:8.2f}   raw SQL {f['raw_sql_p50_ms']:8.2f} / "
              f"{f['raw_sql_p95_ms']:8.2f}   cold/raw p95 {f['cold_over_raw']:5.2f}   warm {f['warm_p50_ms']:5.2f} / "
              f"{f['warm_p95_ms']:5.2f}   json p95 {f['json_p95_ms']:6.2f}   p95 target {'met' if f['cold_within_target'] else 'NOT met'}   views within target {f['views_within_target']}",
              file=sys.stderr)


def raw_time(engine, statements) -> float:
    """The time of the same statements, run again straight on the driver and fetched (nothing else)."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        t0 = time.perf_counter()
        for statement, params in statements:
            cur.execute(statement, params)
            cur.fetchall()
        return time.perf_counter() - t0
    finally:
        raw.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5, help="measurements of every view (their median counts)")
    parser.add_argument("--sqlite", help="an existing large SQLite store to measure (not built, not changed)")
    parser.add_argument("--postgres", help="an existing large PostgreSQL store's URL to measure")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="every view's median cold and raw time, on stderr")
    args = parser.parse_args()
    out = {"bench": "drilldown"}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{args.sqlite}" if args.sqlite else build_sqlite(Path(tmp), args)
        sqlite = measure(url, args.rounds, args.verbose)
        report("sqlite", sqlite)
        out.update(sqlite)
    if not args.no_postgres:
        if args.postgres:
            out["postgres"] = measure(args.postgres, args.rounds, args.verbose)
        else:
            with scratch_postgres(args) as url:
                out["postgres"] = measure(url, args.rounds, args.verbose)
        report("postgres", out["postgres"])
    print(json.dumps(out, ensure_ascii=False))


def build_sqlite(tmp: Path, args) -> str:
    url = f"sqlite:///{tmp / 'bench.sqlite'}"
    engine = make_engine(url)
    migrate.prepare(engine, read_catalogue())
    t0 = time.perf_counter()
    grow(engine, args.observations, args.cases)
    print(f"sqlite store built in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    engine.dispose()
    return url


@contextmanager
def scratch_postgres(args):
    """A throwaway PostgreSQL database with the large store, dropped afterwards."""
    name = f"bench_drill_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
        engine = make_engine(url)
        migrate.prepare(engine, read_catalogue())
        t0 = time.perf_counter()
        grow(engine, args.observations, args.cases)
        print(f"postgres store built in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
        engine.dispose()
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
