"""Stateless layout factories for the screens: data in, Dash components out; no callbacks in here."""
from cockpit.components.header import demo_mark, freshness_badge, header, kiosk_refused
from cockpit.components.kpi import kpi_card, kpi_payload
from cockpit.components.panel import caption, graph_panel, panel
from cockpit.components.ticker import ticker_items

__all__ = ["caption", "demo_mark", "freshness_badge", "graph_panel", "header", "kiosk_refused", "kpi_card",
           "kpi_payload", "panel", "ticker_items"]
