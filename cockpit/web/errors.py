"""Friendly 4xx pages in the cockpit's style, for Flask routes (never a traceback), from the Jinja templates in
cockpit/web/templates (autoescaped), which the login page shares."""
from __future__ import annotations

from flask import Blueprint, Response, render_template

TEMPLATES = Blueprint("cockpit_templates", __name__, template_folder="templates")

TITLES = {400: ("请求参数有误", "Bad request"), 403: ("无权访问", "Forbidden"), 404: ("未找到", "Not found"),
          405: ("方法不允许", "Method not allowed"), 413: ("请求过大", "Request too large"),
          414: ("网址过长", "URL too long"), 429: ("请稍后再试", "Too many requests"),
          503: ("暂时无法服务", "Service unavailable")}


def error_page(code: int, message: str) -> Response:
    zh, en = TITLES.get(code, ("出错了", "Error"))
    html = render_template("error.html", code=code, zh=zh, en=en, message=message)
    return Response(html, status=code, mimetype="text/html")


def init_app(server) -> None:
    """Every 4xx from Flask itself (unknown path, wrong method, oversize body) answers with the friendly page."""
    from werkzeug.exceptions import HTTPException

    server.register_blueprint(TEMPLATES)
    @server.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.code and 400 <= exc.code < 500:
            return error_page(exc.code, exc.description or "")
        return exc
