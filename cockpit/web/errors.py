"""Friendly 4xx pages in the cockpit's style, for Flask routes (never a traceback)."""
from __future__ import annotations

from html import escape

from flask import Response

TITLES = {400: ("请求参数有误", "Bad request"), 403: ("无权访问", "Forbidden"), 404: ("未找到", "Not found"),
          405: ("方法不允许", "Method not allowed"), 413: ("请求过大", "Request too large")}

PAGE = """<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>{code} · {zh}</title>
<style>body{{margin:0;height:100vh;display:flex;align-items:center;justify-content:center;background:#050d1f;
color:#cfe8ff;font-family:"Noto Sans CJK SC","Noto Sans SC","Microsoft YaHei",sans-serif}}
main{{border:1px solid #1f6feb55;padding:48px 64px;border-radius:12px;background:#0a1a33;max-width:720px}}
h1{{margin:0 0 8px;font-size:40px;color:#4fc3f7}} p{{font-size:18px;line-height:1.6}} a{{color:#4fc3f7}}</style>
</head><body><main><h1>{code} · {zh} / {en}</h1><p>{message}</p><p><a href="/">返回驾驶舱 / Back to the cockpit</a></p>
</main></body></html>"""


def error_page(code: int, message: str) -> Response:
    zh, en = TITLES.get(code, ("出错了", "Error"))
    html = PAGE.format(code=code, zh=zh, en=en, message=escape(message))
    return Response(html, status=code, mimetype="text/html")


def init_app(server) -> None:
    """Every 4xx from Flask itself (unknown path, wrong method, oversize body) answers with the friendly page."""
    from werkzeug.exceptions import HTTPException

    @server.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.code and 400 <= exc.code < 500:
            return error_page(exc.code, exc.description or "")
        return exc
