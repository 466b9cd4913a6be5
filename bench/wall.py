"""Benchmark of the wall under gunicorn: cold-load bytes on the wire, first render in headless Chromium, server
CPU per data-version poll, and JS heap growth over many refresh cycles. The last line is one JSON object.

    python bench/wall.py [--cycles 1000] [--polls 2000] [--workers 2]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from browser.harness import CHROMIUM, CHROMIUM_ARGS, cockpit, store_env, wait_up  # noqa: E402

PANELS_DRAWN = """() => {
    const graphs = [...document.querySelectorAll('.panel-set.active .js-plotly-plot')];
    return graphs.length === 6 && graphs.every(g => g.querySelector('.main-svg'))
        && document.querySelectorAll('.kpi-value').length === 9 && document.body.dataset.rendered !== undefined;
}"""


def worker_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by the gunicorn master's workers."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / tick


def get(url: str, headers=None) -> bytes:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30) as r:
        return r.read()


def cold_load(browser, url: str) -> tuple[int, float]:
    """Bytes on the wire (compressed, as Chromium received them) and seconds to all panels drawn, empty cache."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    wire = []
    cdp.on("Network.loadingFinished", lambda e: wire.append(e["encodedDataLength"]))
    page.goto(url)
    page.wait_for_function(PANELS_DRAWN, timeout=30_000, polling=20)
    seconds = page.evaluate("() => performance.now() / 1000")
    page.wait_for_load_state("networkidle")
    context.close()
    return sum(wire), seconds


def heap_growth(browser, url: str, cycles: int) -> dict:
    """Used JS heap after 10 and after `cycles` refreshes, each a full version refresh (accelerated: the bench
    calls the wall's refresh instead of waiting for a new load), with a forced GC before each reading."""
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    cdp = page.context.new_cdp_session(page)
    page.goto(url)
    page.wait_for_function(PANELS_DRAWN, timeout=30_000)
    # The wall's own refresh (what a new data version triggers: GET /api/wall, figures patched in place), forced.
    refresh = """async (count) => {
        for (let i = 0; i < count; i++) {
            while (!(await window.dash_clientside.cockpit.refresh())) { await new Promise(r => setTimeout(r, 5)); }
        }
    }"""

    def heap() -> tuple[int, int]:
        cdp.send("HeapProfiler.collectGarbage")
        time.sleep(0.3)
        cdp.send("HeapProfiler.collectGarbage")
        return cdp.send("Runtime.getHeapUsage")["usedSize"], cdp.send("Memory.getDOMCounters")["nodes"]

    page.evaluate(refresh, 10)
    h10, n10 = heap()
    started = time.time()
    page.evaluate(refresh, cycles - 10)
    per_cycle = (time.time() - started) / max(1, cycles - 10)
    h_end, n_end = heap()
    page.close()
    return {"heap_10": h10, "heap_end": h_end, "nodes_10": n10, "nodes_end": n_end, "cycle_s": per_cycle}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=1000)
    parser.add_argument("--polls", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 8062)))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        env = store_env(Path(tmp))
        cockpit(env, "demo")
        base = f"http://127.0.0.1:{args.port}"
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-b",
                                   f"127.0.0.1:{args.port}", "--log-level", "warning", "app:server"],
                                  env=env, cwd=ROOT)
        try:
            wait_up(base + "/api/version")
            # Each worker gzips a static bundle once on its first request for it; pay that before measuring.
            html = get(base + "/").decode()
            scripts = [s.split('"')[0] for s in html.split('src="')[1:]]
            for _ in range(3 * args.workers):
                for path in scripts:
                    get(base + path, {"Accept-Encoding": "gzip"})
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                cold_load(browser, base + "/")  # warms async chunks (plotly.js) in every worker's gzip store
                cold_load(browser, base + "/")
                loads = sorted(cold_load(browser, base + "/") for _ in range(3))
                cold_bytes = loads[-1][0]
                first_render = sorted(s for _, s in loads)[1]  # the median: two cores make single runs noisy
                before = worker_cpu(server.pid)
                for _ in range(args.polls):
                    get(base + "/api/version")
                poll_ms = 1000 * (worker_cpu(server.pid) - before) / args.polls
                heap = heap_growth(browser, base + "/", args.cycles)
                browser.close()
        finally:
            server.terminate()
            server.wait(15)
    growth = 100 * (heap["heap_end"] - heap["heap_10"]) / heap["heap_10"]
    print(f"cold load {cold_bytes / 1e6:.2f} MB on the wire, first render {first_render:.2f} s, "
          f"poll {poll_ms:.2f} ms server CPU, heap {heap['heap_10'] / 1e6:.1f} -> {heap['heap_end'] / 1e6:.1f} MB "
          f"after {args.cycles} cycles ({heap['cycle_s'] * 1000:.0f} ms each), DOM nodes {heap['nodes_10']} -> "
          f"{heap['nodes_end']}", file=sys.stderr)
    print(json.dumps({"bench": "wall", "cold_bytes": cold_bytes, "first_render_s": round(first_render, 3),
                      "poll_server_ms": round(poll_ms, 3), "heap_growth_pct": round(growth, 2)}))


if __name__ == "__main__":
    main()
