"""The cockpit's 404 page for any path no screen claims (Dash pages serves the module named not_found_404)."""
from __future__ import annotations

import dash

from cockpit.components.drill import error_page
from cockpit.state import lang_only

dash.register_page(__name__, path="/404", title="404 · 新昌县创新服务云平台驾驶舱")


def layout(**query):
    return error_page(404, "", lang_only(query))
