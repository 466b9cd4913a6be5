"""The demo's one held load (issue 12 #7): a department's resubmitted 2025 service table whose on-time rate lost
its decimal point (992 for 99.2). The catalogue's `share_max_100` check blocks it, so the run waits on /ops as
待核实 with its failed check and row until an admin publishes or discards it; the wall keeps the verified figure.
Sent once per store: the job's state remembers it, so later ticks of its trigger load nothing."""
from __future__ import annotations

from typing import Iterator

import pandas as pd

from etl.sources.base import Batch, with_location
from etl.store import COUNTY

SOURCE = "演示数据(生成) / demo data (generated)"
LOCATION = "demo:resubmitted/service-2025.xlsx"
ROWS = [("on_time_rate", "2025", COUNTY, 992.0), ("avg_processing_days", "2025", COUNTY, 3.6)]
NOTE = "部门重报 / resubmitted by the department"


class DemoHeldSource:
    """One resubmitted table with a typo a blocking check catches, once; nothing after that."""
    name = "demo_held"
    is_demo = True
    key = LOCATION

    def extract(self, state: dict) -> Iterator[Batch]:
        if state.get("sent"):
            return
        state["sent"] = True
        df = pd.DataFrame([(*row, SOURCE, NOTE) for row in ROWS],
                          columns=["indicator", "period", "scope", "value", "source", "note"])
        yield Batch("observations", LOCATION, with_location(df, LOCATION), is_demo=True)
