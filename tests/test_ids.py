"""cockpit/ids.py: the component ids are unique, and the pattern ids are dicts with their keys."""
import json

from cockpit import ids


def _constants():
    return {k: v for k, v in vars(ids).items() if k.isupper() and isinstance(v, str)}


def test_the_plain_ids_are_unique():
    values = [v for k, v in _constants().items() if not k.endswith("_TYPE")]
    assert len(values) == len(set(values))
    assert ids.URL == "url" and ids.CANVAS == "wall-canvas"


def test_pattern_types_are_distinct_from_the_plain_ids():
    types = {v for k, v in _constants().items() if k.endswith("_TYPE")}
    plain = {v for k, v in _constants().items() if not k.endswith("_TYPE")}
    assert len(types) == 4 and not types & plain


def test_wall_pattern_ids():
    assert ids.graph("rd_trend") == {"type": ids.GRAPH_TYPE, "panel": "rd_trend"}
    assert ids.caption("rd_trend") == {"type": ids.CAPTION_TYPE, "panel": "rd_trend"}
    assert ids.graph("a") != ids.caption("a") and ids.graph("a") != ids.graph("b")
    json.dumps(ids.graph("a"))  # a Dash id must be JSON


def test_drill_pattern_ids_carry_page_and_panel():
    exp, dl = ids.drill_export("chain", "firms"), ids.drill_download("chain", "firms")
    assert exp == {"type": ids.DRILL_EXPORT_TYPE, "page": "chain", "panel": "firms"}
    assert dl == {"type": ids.DRILL_DOWNLOAD_TYPE, "page": "chain", "panel": "firms"}
    assert set(exp) == set(dl) == {"type", "page", "panel"}
    assert exp != dl


def test_string_ids_are_namespaced_and_distinct():
    made = [ids.panel("rd"), ids.panel_set("rd"), ids.kpi_value("rd"), ids.kpi_delta("rd"),
            ids.drill_state("chain"), ids.drill_period("chain", "from"), ids.drill_period("chain", "to"),
            ids.drill_graph("chain", "rd"), ids.drill_grid("chain"),
            ids.drill_state("segment"), ids.drill_grid("segment"), ids.drill_graph("segment", "rd")]
    assert len(made) == len(set(made))
    assert not set(made) & set(_constants().values())
    assert ids.panel("rd") == "wall-panel-rd" and ids.kpi_delta("x") == "wall-kpi-delta-x"
    assert ids.drill_state("d") == "drill-d-state" and ids.drill_period("d", "to") == "drill-d-period-to"
    assert ids.drill_graph("d", "p") == "drill-d-graph-p" and ids.drill_grid("d") == "drill-d-grid"
    assert all(m.startswith(("wall-", "drill-")) for m in made)
