"""Access roles: the wall by kiosk token, leaders log in for drill-downs, analysts also export, admins also run
the ETL. Sessions signed with COCKPIT_SECRET_KEY, CSRF on every state-changing request (Flask-WTF; dash-renderer
sends the `_csrf_token` cookie back as X-CSRFToken), rate-limited login, security headers with a CSP Dash runs
under (flask-talisman), and an audit row for every login, export and ETL trigger."""
from __future__ import annotations

import hmac
import os
import secrets
from urllib.parse import urlsplit

from flask import Response, jsonify, redirect, render_template, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect, generate_csrf
from werkzeug.security import check_password_hash

from cockpit import context
from cockpit.web.errors import error_page
from cockpit.queries.ops import user
from etl.accounts import ROLES, write_audit

RANK = {role: i for i, role in enumerate(ROLES)}
PUBLIC = ("/login", "/logout", "/healthz", "/readyz", "/assets/", "/_dash-component-suites/", "/_favicon.ico")
NEEDS = (("/departments", "leader"), ("/chains", "leader"), ("/export/", "analyst"), ("/ops", "admin"))
OPEN_USER = "open-access"


def role() -> str | None:
    """The role of this request: everything in open-access mode, else the session's."""
    if context.get().settings.access_open:
        return "admin"
    return session.get("role")


def allowed(needed: str) -> bool:
    current = role()
    return current is not None and RANK[current] >= RANK[needed]


def who() -> str:
    """The user name of this request (the open-access name when access is open, "-" for nobody)."""
    return session.get("user") or (OPEN_USER if context.get().settings.access_open else "-")


def record(action: str, target: str, detail: str = "", username: str | None = None, who_role: str | None = None):
    """Audit what this request did, as whom."""
    ctx = context.get()
    write_audit(ctx.engine, action, target, detail,
                username or who(),
                who_role or role() or "-", request.remote_addr or "")


def required_role(path: str) -> str | None:
    if path.startswith(PUBLIC):
        return None
    for prefix, needed in NEEDS:
        if path.startswith(prefix):
            return needed
    return "kiosk"  # the wall, its poll and Dash's own routes


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host, no //evil) may be a redirect target."""
    if not target:
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") else "/"


def _login_page(error: str = "", status: int = 200) -> Response:
    html = render_template("login.html", error=error, next=_safe_next(request.values.get("next")))
    return Response(html, status=status, mimetype="text/html")


def _local_key(data_dir) -> str:
    """Without COCKPIT_SECRET_KEY (development only): a random key kept in the data folder, so sessions and
    CSRF tokens survive a restart and every worker of one machine signs alike."""
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = data_dir / f".secret_key.{os.getpid()}"
        tmp.write_text(secrets.token_hex(32), encoding="ascii")
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)  # atomic: the first of several workers wins, the others read its key
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text(encoding="ascii").strip()


def init_app(app, settings) -> None:
    server = app.server
    server.config.update(
        SECRET_KEY=settings.secret_key or _local_key(settings.data_dir),
        WTF_CSRF_TIME_LIMIT=None,  # the wall runs all day: its token lives as long as its session
        WTF_CSRF_SSL_STRICT=False, SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=4 << 20,  # no callback needs more than 4 MB (Flask accepts 20 MB bodies otherwise)
    )
    CSRFProtect(server)
    limiter = Limiter(get_remote_address, app=server, default_limits=[],
                      storage_uri=settings.cache_redis_url or "memory://", swallow_errors=True)
    # Talisman sets the other headers; the CSP is built on the first response instead, because Dash registers
    # some inline scripts (the pages' title callback) only when it sets itself up on the first request.
    Talisman(server, content_security_policy=None, force_https=False, frame_options="DENY",
             session_cookie_secure=False, strict_transport_security=False)
    policy = []

    @server.after_request
    def _csp(response):
        if not policy:
            hashes = " ".join(app.csp_hashes())
            policy.append("; ".join([
                "default-src 'self'", f"script-src 'self' {hashes}", "style-src 'self' 'unsafe-inline'",
                "img-src 'self' data: blob:", "font-src 'self' data:", "connect-src 'self'",
                "frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "form-action 'self'"]))
        response.headers["Content-Security-Policy"] = policy[0]
        return response

    @server.before_request
    def _guard():
        token = request.args.get("kiosk")
        if token and settings.kiosk_token and hmac.compare_digest(token, settings.kiosk_token) \
                and not allowed("leader"):
            session["role"], session["user"] = "kiosk", "kiosk"
        needed = required_role(request.path)
        if needed is None or allowed(needed):
            return None
        if request.method == "GET" and request.accept_mimetypes.accept_html and not request.path.startswith("/_"):
            if role() is None:
                return redirect(f"/login?next={request.full_path.rstrip('?')}")
            return error_page(403, f"此页面需要 {needed} 角色 / this page needs the {needed} role")
        return jsonify(error="forbidden", needs=needed), 401 if role() is None else 403

    @server.after_request
    def _csrf_cookie(response):
        # dash-renderer sends this cookie back as the X-CSRFToken header on every callback
        if response.mimetype == "text/html":
            response.set_cookie("_csrf_token", generate_csrf(), samesite="Lax", httponly=False)
        return response

    @server.route("/login", methods=["GET", "POST"])
    @limiter.limit(settings.login_rate_limit, methods=["POST"])
    def login():
        if request.method == "GET":
            return _login_page()
        username = request.form.get("username", "")[:64]
        found = user(context.get().engine, username)
        if found is None or not check_password_hash(found.password_hash, request.form.get("password", "")):
            record("login_failed", username, username=username or "-", who_role="-")
            return _login_page("用户名或密码错误 / wrong user name or password", 401)
        session.clear()
        session["user"], session["role"] = found.username, found.role
        record("login", found.username)
        return redirect(_safe_next(request.form.get("next")))

    @server.route("/logout", methods=["GET", "POST"])
    def logout():
        if request.method == "POST":
            session.clear()
            return redirect("/login")
        return Response(render_template("logout.html"), mimetype="text/html")
