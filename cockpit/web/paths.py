"""The HTTP status of a page URL, decided before the page is served: Dash answers every path with its index page
(200) and draws the 404/400 inside it, so a GET of a drill-down is checked here first, by the drill pages' own
Routes (cockpit.pages._drill.check: the codes must name something, the parameters must be valid). A bad one gets
the same index page, which draws the friendly 404/400 page in the browser, with that status; a URL longer than
any page writes is a 414."""
from __future__ import annotations

from flask import request

from cockpit import state as url
from cockpit.web.errors import error_page

MAX_URL = 2048  # characters of path and query: a drill view's URL is a few hundred at most
DRILL = ("departments", "chains", "townships")


def query_kwargs() -> dict:
    """The request's query as Dash pages pass it to layout(): one value as itself, a repeated one as a list."""
    return {k: v[0] if len(v) == 1 else v for k, v in request.args.to_dict(flat=False).items()}


def _a_page(path: str) -> bool:
    """Whether a path Dash would answer with its index page names one of its pages (not the 404 page)."""
    import dash

    pages = {p["path"].rstrip("/") for p in dash.page_registry.values() if not p.get("path_template")}
    return path.rstrip("/") in pages - {"/404"}


def status(path: str, query: dict) -> int:
    """200 for a page's URL that names a real view, 400 for a bad parameter, 404 for a path naming nothing."""
    from cockpit.pages import _drill  # the pages register their Routes when Dash imports them

    if path.strip("/").split("/")[0] not in DRILL:
        return 200 if _a_page(path) else 404
    try:
        _drill.check(path, query)
    except url.BadParam:
        return 400
    except url.Missing:
        return 404
    return 200


def init_app(app) -> None:
    """Register after cockpit.web.auth: a visitor without the role is sent to the login first, and learns
    nothing about which codes exist."""
    server = app.server

    @server.before_request
    def _check_path():
        if len(request.full_path) > MAX_URL:
            return error_page(414, "网址过长 / the URL is too long")
        if request.method not in ("GET", "HEAD") or request.url_rule is None \
                or request.url_rule.rule not in ("/", "/<path:path>"):
            return None  # not Dash's catch-all: the route answers for itself (or Flask's own 404 page)
        code = status(request.path, query_kwargs())
        return None if code == 200 else (app.index(), code)
