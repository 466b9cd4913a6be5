"""The read side (Dash): create_app() builds the cockpit; importing this package starts nothing."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def create_app(settings=None, **overrides):
    """The app factory: settings (or overrides of them), the store engine, the cache, the pages."""
    import dash

    from cockpit import context
    from cockpit.settings import get_settings

    settings = settings or get_settings(**overrides)
    app = dash.Dash(
        __name__, use_pages=True, pages_folder=str(Path(__file__).parent / "pages"),
        assets_folder=str(ROOT / "assets"), title="新昌县创新服务云平台驾驶舱",
        suppress_callback_exceptions=True, update_title=None,
    )
    context.init_app(app.server, settings)
    from cockpit import shell
    from cockpit.web import api, auth, compression, errors, export, hardening, health, paths, report, status
    compression.init_app(app.server)
    errors.init_app(app.server)
    hardening.init_app(app)
    export.init_app(app.server)
    health.init_app(app.server)
    shell.init_app(app)
    api.init_app(app)
    status.init_app(app.server)  # GET /api/status
    report.init_app(app.server)  # GET /reports/<name>
    app.layout = shell.layout
    auth.init_app(app, settings)  # last: its CSP hashes the inline scripts every page registered
    paths.init_app(app)  # after auth: a drill-down's 404/400 only for those who may see it
    # Dash finishes its set-up (registering the script bundles it serves) on a process's first request; under
    # threaded workers a concurrent second request could see it half done and 404 a bundle. One request now.
    app.server.test_client().get("/healthz")
    return app
