"""The vendored scripts (.ci/plotly -> assets/vendor): the custom plotly.js bundle, pinned to the version it was built
from, loaded by every page instead of dcc's async plotly.min.js, and every chart still draws with it; and
regenerator-runtime, loaded in @babel/polyfill's place, and every lazy component (graphs, the drill grids) still loads."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from browser.harness import demo_server

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "assets" / "vendor" / "plotly-cockpit.min.js"


def test_the_build_pins_the_version_in_the_committed_bundle_and_plotly_ships_the_same_minor():
    import plotly
    pinned = json.loads((ROOT / ".ci" / "plotly" / "package.json").read_text())["devDependencies"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned["plotly.js"]) and re.fullmatch(r"\d+\.\d+\.\d+", pinned["esbuild"])
    header = BUNDLE.read_text()[:200]
    assert f"plotly.js v{pinned['plotly.js']} " in header
    shipped = re.search(r"plotly\.js v(\d+\.\d+)", (Path(plotly.__file__).parent / "package_data" / "plotly.min.js")
                        .read_text()[:200]).group(1)
    assert pinned["plotly.js"].startswith(shipped + ".")
    assert not list((ROOT / "assets").rglob("*.mjs")) and not (ROOT / "assets" / "vendor" / "package.json").exists()
    regenerator = (ROOT / "assets" / "vendor" / "regenerator-runtime.min.js").read_text()[:200]
    assert f"regenerator-runtime v{pinned['regenerator-runtime']} " in regenerator


def test_no_page_uses_dash_table_whose_loader_the_pages_leave_out():
    """cockpit.shell drops dash_table's script from every page: safe only while nothing draws a DataTable."""
    for path in (ROOT / "cockpit").rglob("*.py"):
        if path.name == "shell.py":  # the rewrite that leaves it out
            continue
        text = path.read_text(encoding="utf-8")
        assert "DataTable" not in text and not re.search(r"\bdash_table\b", text), path


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/", "/departments", "/chains", "/ops", "/departments/kjj"])
def test_pages_draw_their_charts_with_the_custom_bundle_alone(browser, server, path):
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    errors, scripts = [], []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: r.resource_type == "script" and scripts.append(r.url))
    page.goto(server.url + path)
    page.wait_for_load_state("networkidle")
    if path != "/ops":
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length > 0",
                               timeout=20_000)
    assert any("plotly-cockpit.min.js" in s for s in scripts)
    assert not any("plotly.min.js" in s and "plotly-cockpit" not in s for s in scripts)
    assert page.evaluate("() => window.Plotly && window.Plotly.version") is not None
    # Dash's lazy loaders call regeneratorRuntime: it is there, @babel/polyfill is not (core-js 2 is native here)
    assert any("vendor/regenerator-runtime.min.js" in s for s in scripts)
    assert not any("polyfill" in s for s in scripts)
    assert not any("dash_table" in s for s in scripts)  # no page draws a DataTable: its loader is not served
    assert page.evaluate("() => typeof window.regeneratorRuntime.mark") == "function"
    if path.startswith("/departments/"):  # a drill page: its grid (a lazy chunk of dash-ag-grid) draws rows
        page.wait_for_function("() => document.querySelectorAll('.ag-row').length > 0", timeout=20_000)
    assert errors == []
    page.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from demo_server(tmp_path_factory, "bundle")
