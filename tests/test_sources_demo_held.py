"""The demo's held load (issue 12 #7) and the published runs' check warnings on /ops (issue 12 #5)."""
from __future__ import annotations

import json

from plotly.utils import PlotlyJSONEncoder
from sqlalchemy import select

from cockpit.queries import ops as oq
from etl import load, publish
from etl.sources import DemoHeldSource
from etl.sources.demo_held import ROWS
from etl.store import Observation


def test_the_demo_holds_one_resubmitted_table_once_and_shows_nothing_of_it(seeded_store):
    first = load.run(seeded_store, "demo-held", DemoHeldSource())
    assert first.status == "held" and [f["check"] for f in first.checks] == ["share_max_100"]
    again = load.run(seeded_store, "demo-held", DemoHeldSource())
    assert again.status == "success" and again.rows_read == 0  # sent once: the job's state remembers it
    assert [r["id"] for r in publish.held_runs(seeded_store)] == [first.run_id]
    code, period, scope, value = ROWS[0]
    with seeded_store.connect() as conn:
        shown = conn.execute(select(Observation.value).where(Observation.indicator_code == code,
                                                             Observation.period == period,
                                                             Observation.scope == scope)).scalar()
    assert shown is not None and shown != value and shown <= 100


def test_a_published_runs_warnings_are_listed_for_ops(seeded_store, drop):
    assert oq.check_warnings(seeded_store) == []
    # a jump far beyond the history's spread warns (warn:jump:4 on rd_intensity) and publishes
    csv = drop / "jump.csv"
    csv.write_text("indicator,period,scope,value\nrd_intensity,2025,county,19.5\n", encoding="utf-8")
    from etl.sources import FileDropSource
    result = load.run(seeded_store, "file-drop", FileDropSource(folder=str(drop), settle_seconds=0))
    assert result.status == "success", result
    warned = oq.check_warnings(seeded_store)
    assert [w["id"] for w in warned] == [result.run_id]
    assert {f["level"] for f in warned[0]["checks"]} == {"warn"} and warned[0]["checks"][0]["indicator"] == "rd_intensity"
    # ...and the figure's ⓘ says so, for the row it warned on only
    from cockpit.components.info import info_mark
    from cockpit.queries import wall as wq
    series = wq.county_series(seeded_store, ("rd_intensity",))
    label = json.dumps(info_mark(series[series["period"] == "2025"], "zh"), cls=PlotlyJSONEncoder, ensure_ascii=False)
    assert "校验提示" in label and "jump:4" in label and "19.5" in label
    earlier = json.dumps(info_mark(series[series["period"] == "2024"], "zh"), cls=PlotlyJSONEncoder, ensure_ascii=False)
    assert "校验提示" not in earlier
