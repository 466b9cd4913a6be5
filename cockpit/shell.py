"""The app-wide frame: the page container (the wall drawn into the first layout), the URL, and the early start of
the bundles every page needs (the wall's JSON routes are cockpit.web.api)."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import dash
from dash import dcc, html, page_container
from dash.fingerprint import build_fingerprint
from flask import has_request_context, request

from cockpit import ids

VERSIONS = ("dash_version", "python_version", "dash_version_url", "ddk_version", "plotly_version")
PRERENDERED = {"/"}  # pages drawn into the first layout; the others arrive by Dash's page callback as usual
# Fetched only once a dcc.Graph mounts, one round trip after the layout: start both with the other bundles.
# plotly.js runs as soon as it arrives (dcc.Graph uses window.Plotly when it is there), while the browser is
# still waiting on the network anyway; eager_loading would also pull MathJax and the table.
EARLY = ('<script async src="{prefix}_dash-component-suites/plotly/package_data/plotly.min.js"></script>\n        '
         '<link rel="preload" as="script" href="{prefix}_dash-component-suites/dash/dcc/async-graph.js">')


def layout():
    return html.Div([dcc.Location(id=ids.URL, refresh="callback-nav"), _page_container()], id="app-root")


def _page_container():
    """Dash's page container, with the page already in it when the layout request comes from a PRERENDERED page
    (its Referer is the page's URL): the browser then skips the page callback's round trip. The location props
    are the page's own, so dcc.Location has nothing to report on mount and the page callback never fires."""
    referrer = _referrer() if has_request_context() else None
    if not referrer or referrer.path not in PRERENDERED or referrer.fragment:
        return page_container
    page = next(p for p in dash.page_registry.values() if p["path"] == referrer.path)
    location, content, store, dummy = page_container.children
    search = f"?{referrer.query}" if referrer.query else ""
    return html.Div([
        dcc.Location(id=location.id, refresh=location.refresh, pathname=referrer.path, search=search, hash="",
                     href=request.referrer),
        html.Div(page["layout"](**_query(referrer.query)), id=content.id, disable_n_clicks=True),
        dcc.Store(id=store.id, data={"title": page["title"]}), dummy,
    ])


def _referrer():
    """The Referer header, split; None when it is not a URL (urlsplit raises on `http://[::1`, a bad port...)."""
    try:
        return urlsplit(request.referrer or "")
    except ValueError:
        return None


def _query(qs: str) -> dict:
    """Query parameters as Dash pages pass them to layout(): one value as itself, a repeated one as a list."""
    return {k: v[0] if len(v) == 1 else v for k, v in parse_qs(qs, keep_blank_values=True).items()}


# The custom bundle (assets/vendor, built by .ci/plotly) is one of Dash's asset scripts: sync, before dash-renderer,
# so window.Plotly is there before any dcc.Graph mounts and dcc never fetches its own plotly.min.js.
CUSTOM_PLOTLY = "plotly-cockpit"
HEAD_SCRIPT = "wall-reload"
REGENERATOR = "vendor/regenerator-runtime.min.js"
EARLY_CUSTOM = '<link rel="preload" as="script" href="{prefix}_dash-component-suites/dash/dcc/async-graph.js">'


def init_app(app) -> None:
    prefix = app.config.requests_pathname_prefix
    full = app.server.extensions["cockpit"].settings.plotly_bundle == "full"
    if full:  # COCKPIT_PLOTLY_BUNDLE=full: plotly's own bundle, the custom one left out of the page
        app.config.assets_ignore = "|".join(filter(None, [app.config.assets_ignore, CUSTOM_PLOTLY]))
    early = EARLY if full else EARLY_CUSTOM
    # The daily reload's script runs in <head>, before the page first renders: it has to meet the view transition
    # that holds the old frame (its `pagereveal` event fires before the first frame; Dash's asset scripts come last).
    app.config.assets_ignore = "|".join(filter(None, [app.config.assets_ignore, HEAD_SCRIPT, "regenerator-runtime"]))
    mtime = int((Path(app.config.assets_folder) / f"{HEAD_SCRIPT}.js").stat().st_mtime)
    early += f'\n        <script src="{{prefix}}assets/{HEAD_SCRIPT}.js?m={mtime}"></script>'
    app.index_string = app.index_string.replace("{%css%}", "{%css%}\n        " + early.format(prefix=prefix)).replace(
        "{%favicon%}", f'<link rel="icon" type="image/x-icon" href="{prefix}_favicon.ico">')  # Dash's has ?v=<version>
    _quiet(app)
    _scripts(app, prefix)


# Scripts a page does not load (one rewrite of Dash's index, every page):
# - The wall draws no table: its page loads without dash-ag-grid (1.3 MB of script to parse before the first
#   render); assets/wall-lazy-grid.js loads it, from the <meta> below, before the first callback answer that holds
#   a grid renders (a drill page opened from the wall, by a click, a spotlight link or the kiosk).
# - No page draws a dash_table.DataTable (the cockpit's grids are dash-ag-grid): its loader is not served at all.
# - Dash loads @babel/polyfill 7.12 before React: core-js 2, which every browser React 18 runs on has natively
#   (~130 ms of script on the wall's first render here), and regenerator-runtime, the one part Dash's bundles call
#   (`regeneratorRuntime.mark` in their lazy-component loader). Pages get regenerator-runtime alone
#   (assets/vendor, built by .ci/plotly), in the polyfill's place.
GRID_SCRIPT = re.compile(r'<script src="([^"]*/dash_ag_grid/dash_ag_grid[^"]*\.js)"></script>\n?')
TABLE_SCRIPT = re.compile(r'<script src="[^"]*/dash/dash_table/[^"]*\.js"></script>\n?')
POLYFILL_SCRIPT = re.compile(r'<script src="[^"]*/dash/deps/polyfill@[^"]*\.js"></script>')


def _scripts(app, prefix: str) -> None:
    interpolate = app.interpolate_index
    mtime = int((Path(app.config.assets_folder) / REGENERATOR).stat().st_mtime)
    tag = f'<script src="{prefix}assets/{REGENERATOR}?m={mtime}"></script>'

    def interpolate_index(**kw):
        scripts = TABLE_SCRIPT.sub("", POLYFILL_SCRIPT.sub(lambda _: tag, kw["scripts"], count=1))
        if has_request_context() and request.path == prefix:
            found = GRID_SCRIPT.search(scripts)
            if found:
                scripts = GRID_SCRIPT.sub("", scripts, count=1)
                kw["metas"] += f'<meta name="cockpit-lazy-grid" content="{found.group(1)}">'
        return interpolate(**{**kw, "scripts": scripts})

    app.interpolate_index = interpolate_index


def _quiet(app) -> None:
    """The index page tells nobody what runs it: no Python, Dash or Plotly version in its config (dash-renderer
    reads them only for its dev-tools menu, off here), none in the bundles' cache-busting names (a hash of the
    version instead: still a new name for a new version), and no page meta tags, whose og/twitter URL echoes the
    request's Host header."""
    config = app._config
    app._config = lambda: {k: v for k, v in config().items() if k not in VERSIONS}
    app.config.include_pages_meta = False
    dash.dash.build_fingerprint = _hashed_fingerprint


def _hashed_fingerprint(path, version, hash_value):
    return build_fingerprint(path, hashlib.sha256(str(version).encode()).hexdigest()[:8], hash_value)
