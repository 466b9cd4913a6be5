"""Component ids of the wall and the shell, named once here so layouts, callbacks, JS and tests agree."""
from __future__ import annotations

URL = "url"
WALL = "wall"
CANVAS = "wall-canvas"
CLOCK = "wall-clock"
FRESHNESS = "wall-freshness"
DEMO_MARK = "wall-demo"
RECONNECT = "wall-reconnect"
REFUSED = "wall-refused"     # "needs a new kiosk link": shown by clientside.js when the server refuses the wall
CONFIG = "wall-config"      # dcc.Store: poll interval, rotation, language, panels, version at first render
TICKER = "wall-ticker"
BOOT = "wall-boot"          # a one-shot trigger for the clientside starters


GRAPH_TYPE = "wall-graph"
CAPTION_TYPE = "wall-caption"


def graph(panel: str) -> dict:
    # Pattern-matching ids: clientside.js patches whichever panels the page shows (rotation adds a set).
    return {"type": GRAPH_TYPE, "panel": panel}


def caption(panel: str) -> dict:
    return {"type": CAPTION_TYPE, "panel": panel}


def panel(panel: str) -> str:
    return f"wall-panel-{panel}"


def panel_set(name: str) -> str:
    return f"wall-set-{name}"


def kpi_value(code: str) -> str:
    return f"wall-kpi-{code}"


def kpi_delta(code: str) -> str:
    return f"wall-kpi-delta-{code}"


# Drill-down pages (departments, chains): one page's ids are namespaced by its page key.
DRILL_EXPORT_TYPE = "drill-export"
DRILL_DOWNLOAD_TYPE = "drill-download"


def drill_state(page: str) -> str:
    return f"drill-{page}-state"  # dcc.Store: the page's URL state, as the layout parsed it


def drill_period(page: str, end: str) -> str:
    return f"drill-{page}-period-{end}"  # end: "from" | "to"


def drill_graph(page: str, panel: str) -> str:
    return f"drill-{page}-graph-{panel}"


def drill_grid(page: str) -> str:
    return f"drill-{page}-grid"


def drill_export(page: str, panel: str) -> dict:
    return {"type": DRILL_EXPORT_TYPE, "page": page, "panel": panel}


def drill_download(page: str, panel: str) -> dict:
    return {"type": DRILL_DOWNLOAD_TYPE, "page": page, "panel": panel}
