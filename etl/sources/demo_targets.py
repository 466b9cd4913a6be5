"""The demo's plan targets: the 14th Five-Year Plan (2021-2025, end year 2025), the 15th (2026-2030, end year 2030)
and annual targets, calibrated to DOMAIN.md and the demo history (etl.sources.demo) so that R&D intensity is on
track (4.62% in 2025 against the 14th plan's 4.60%) and high-tech enterprises are behind (431 against 450). The
2026 annual R&D intensity target was revised at mid-year (4.65% → 4.70%): both versions are kept."""
from __future__ import annotations

import pandas as pd

from etl.sources.base import Batch, with_location
from etl.store import COUNTY

SOURCE = "演示数据(生成) / demo data (generated): 规划目标 / plan targets"
# (plan, indicator, scope, period, target)
TARGETS = [
    ("14th", "rd_intensity", COUNTY, "2025", 4.60), ("15th", "rd_intensity", COUNTY, "2030", 5.00),
    *[("annual", "rd_intensity", COUNTY, str(y), v) for y, v in
      [(2021, 4.40), (2022, 4.48), (2023, 4.52), (2024, 4.58), (2025, 4.60), (2026, 4.70)]],
    ("14th", "high_tech_firms", COUNTY, "2025", 450), ("15th", "high_tech_firms", COUNTY, "2030", 650),
    ("annual", "high_tech_firms", COUNTY, "2025", 440), ("annual", "high_tech_firms", COUNTY, "2026", 470),
    ("14th", "listed_firms", COUNTY, "2025", 16), ("15th", "listed_firms", COUNTY, "2030", 22),
    ("14th", "invention_patents", COUNTY, "2025", 950), ("annual", "invention_patents", COUNTY, "2025", 900),
    ("14th", "rd_spending", COUNTY, "2025", 30.0), ("annual", "talent_introduced", COUNTY, "2025", 4000),
    ("annual", "matters_handled", COUNTY, "2026", 27000), ("annual", "on_time_rate", COUNTY, "2026", 98.0),
    ("15th", "smart_mfg_coverage", COUNTY, "2030", 100.0),
    # a chain's and a department's own targets, for their drill-downs
    ("14th", "rd_intensity", "equipment", "2025", 5.20), ("annual", "rd_intensity", "equipment", "2025", 5.10),
    ("annual", "on_time_rate", "kjj", "2026", 97.0),
]
FIRST_PUBLISHED = [("annual", "rd_intensity", COUNTY, "2026", 4.65)]  # revised at mid-year to the value above


def _frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["plan", "indicator", "scope", "period", "target"]).assign(source=SOURCE)


def batches() -> list[Batch]:
    """The targets as first published (written only where a target has no version yet), then as they stand: the
    revised one becomes version 2 on the first load, and a later load adds nothing."""
    first = with_location(_frame(FIRST_PUBLISHED), "demo:targets:first").assign(_initial=True)
    return [Batch("targets", "demo:targets:first", first, is_demo=True),
            Batch("targets", "demo:targets", with_location(_frame(TARGETS), "demo:targets"), is_demo=True)]


# The demo's annotations: two events the articles date (seeds/), flagged demo like all the rest.
ANNOTATIONS = [
    ("2020-12-11", COUNTY, "policy", "创新服务“云局”上线运行(示例)", "The innovation-service cloud bureau goes live (demo)"),
    ("2021", COUNTY, "policy", "十四五规划实施首年(示例)", "First year of the 14th Five-Year Plan (demo)"),
]


def annotations() -> Batch:
    df = pd.DataFrame(ANNOTATIONS, columns=["period", "scope", "kind", "note", "note_en"]).assign(source=SOURCE)
    return Batch("annotations", "demo:annotations", with_location(df, "demo:annotations"), is_demo=True)
