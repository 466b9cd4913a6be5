"""The provenance mark: what its lines say for timestamped frames, gaps in them, and an empty panel."""
from __future__ import annotations

import pandas as pd

from cockpit.components.info import info_mark, provenance
from etl import clock


def test_provenance_spans_the_periods_and_names_the_newest_load_ignoring_gaps(monkeypatch):
    monkeypatch.setattr(clock, "_zone", clock.check("Asia/Shanghai"))
    frame = pd.DataFrame({
        "submitted_at": pd.to_datetime(["2024-03-05 09:00", None, "2021-07-01 10:30"]),
        "loaded_at": pd.to_datetime(["2026-11-30 08:00", "2026-12-01 07:45", None]),
        "run_id": [3, 7, None], "source": ["demo", None, "demo"], "is_demo": [True, False, False]})
    lines = dict(provenance(frame, "en", definition="Cases", unit="件"))
    assert lines["Period"] == "2021-07-01 – 2024-03-05"
    assert lines["Loaded at"] == "2026-12-01 15:45"  # stored as UTC, shown in COCKPIT_TZ
    assert lines["Load run"] == "#3, #7" and lines["Source"] == "demo" and lines["Demo data"] == "yes"


def test_an_empty_panel_says_nothing_is_known_rather_than_guessing():
    lines = dict(provenance(pd.DataFrame({"loaded_at": pd.Series([], dtype="datetime64[ns]")}), "en"))
    assert lines["Period"] == lines["Loaded at"] == lines["Load run"] == lines["Source"] == "—"
    assert lines["Demo data"] == "no"


def test_each_mark_has_its_own_values_under_shared_labels():
    one = info_mark(pd.DataFrame({"period": ["2021"], "run_id": [1], "is_demo": [True]}), "zh")
    two = info_mark(pd.DataFrame({"period": ["2025"], "run_id": [2], "is_demo": [False]}), "zh")
    assert "期间: 2021" in one.to_plotly_json()["props"]["aria-label"]
    assert "期间: 2025" in two.to_plotly_json()["props"]["aria-label"]
    assert one.to_plotly_json()["props"]["data-demo"] == "1" and two.to_plotly_json()["props"]["data-demo"] == "0"
    assert [c.children for c in one.children[1].children[1::2]][2] == "2021"
