"""Issue 12's tile states, seen as a visitor sees them: on the demo wall at 1920x1080 in real Chromium, a tile on
track against its target (完成), one off track (未达), the revised figure (✎ 已修订) and the overdue indicator
(逾期), each carrying its state in words, not colour only. Each tile is photographed (to COCKPIT_SHOTS when set,
else the test's folder) so a person can look at the four states."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from browser.harness import demo_server

pytestmark = pytest.mark.browser
RENDERED = "#wall-panel-depts .js-plotly-plot .bars"
STATES = {  # state: (the tile's selector, the words it must show in Chinese)
    "on_track": (".kpi:has(.kpi-targets.good)", "完成"),
    "off_track": (".kpi:has(.kpi-targets.bad)", "未达"),
    "revised": (".kpi:has(.info-revised)", "已修订"),
    "overdue": (".kpi.stale-overdue", "逾期"),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from demo_server(tmp_path_factory, "states")


@pytest.mark.parametrize("state", list(STATES))
def test_the_demo_wall_shows_each_tile_state_in_words(server, browser, state, tmp_path):
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    try:
        page.goto(server.url + "/")
        page.wait_for_selector(RENDERED, timeout=20_000)
        selector, word = STATES[state]
        tile = page.locator(selector).first
        assert tile.count() == 1, f"no tile on the demo wall is {state}"
        assert word in tile.inner_text()
        box = tile.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 60 and box["x"] + box["width"] <= 1920
        folder = Path(os.environ.get("COCKPIT_SHOTS") or tmp_path)
        folder.mkdir(parents=True, exist_ok=True)
        tile.screenshot(path=str(folder / f"tile-{state}.png"))
    finally:
        page.close()
