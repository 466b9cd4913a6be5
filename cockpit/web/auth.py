"""Access roles: the wall by kiosk token, leaders log in for drill-downs, analysts also export, admins also run
the ETL. Sessions (cockpit.web.sessions) signed with COCKPIT_SECRET_KEY, CSRF on every state-changing request
(Flask-WTF; dash-renderer sends the `_csrf_token` cookie back as X-CSRFToken), rate-limited login (in memory per
worker while Redis is unreachable), security headers with a CSP Dash runs under (flask-talisman), HSTS and
`Secure` cookies over https (COCKPIT_TRUSTED_PROXIES proxies believed), public paths matched exactly, and an audit
row for every login, export and ETL trigger."""
from __future__ import annotations

import logging
import os
import secrets
from urllib.parse import urlsplit

from flask import Response, current_app, g, jsonify, redirect, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect, generate_csrf
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.security import safe_join

from cockpit import context
from cockpit.cache import REDIS_OPTIONS, unavailable
from cockpit.web import sessions
from cockpit.web.errors import error_page
from etl.accounts import ROLES, write_audit

log = logging.getLogger(__name__)
RANK = {role: i for i, role in enumerate(ROLES)}
PUBLIC = frozenset({"/login", "/logout", "/healthz", "/readyz", "/_favicon.ico"})  # exactly these paths
HSTS = "max-age=31536000"  # one year; no includeSubDomains (other sites may share the parent domain)
NEEDS = (("/departments", "leader"), ("/chains", "leader"), ("/townships", "leader"), ("/reports/", "leader"),
         ("/export/", "analyst"), ("/ops", "admin"))
OPEN_USER = "open-access"


def role() -> str | None:
    """The role of this request: everything in open-access mode, else the session's."""
    if context.get().settings.access_open:
        return "admin"
    return sessions.current().role


def allowed(needed: str) -> bool:
    current = role()
    return current is not None and RANK[current] >= RANK[needed]


def who() -> str:
    """The user name of this request (the open-access name when access is open, "-" for nobody)."""
    return sessions.current().username or (OPEN_USER if context.get().settings.access_open else "-")


def record(action: str, target: str, detail: str = "", username: str | None = None, who_role: str | None = None):
    """Audit what this request did, as whom."""
    ctx = context.get()
    write_audit(ctx.engine, action, target, detail,
                username or who(),
                who_role or role() or "-", request.remote_addr or "")


def public(path: str) -> bool:
    """/login, /logout, /healthz, /readyz, /_favicon.ico exactly, and real files under /assets/ and
    /_dash-component-suites/ (no `..`); anything else, /healthzfoo too, is a page like any other."""
    if path in PUBLIC:
        return True
    if any(part in ("", ".", "..") for part in path[1:].split("/")):  # no //, /./ or /../ anywhere
        return False
    assets_folder, registered = current_app.extensions["cockpit_files"]
    if path.startswith("/assets/"):
        full = safe_join(assets_folder, path[len("/assets/"):])
        return full is not None and os.path.isfile(full)
    if path.startswith("/_dash-component-suites/"):
        from dash.fingerprint import check_fingerprint
        package, _, rest = path[len("/_dash-component-suites/"):].partition("/")
        return check_fingerprint(rest)[0] in registered.get(package, ())
    return False


def required_role(path: str) -> str | None:
    if public(path):
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


def _store_down() -> Response:
    log.warning("store unavailable while checking %s", request.path, exc_info=True)
    g._login_user = sessions.Nobody()  # flask-login's template context would try to load the user again
    if not request.path.startswith(("/_", "/api/")):  # Dash's routes and the wall's JSON get JSON
        return error_page(503, "数据库暂时不可用，请稍后再试 / the store is unavailable, try again shortly")
    return Response('{"error":"store unavailable"}', status=503, mimetype="application/json")


def _limiter(server, settings) -> Limiter:
    """Counts in Redis when there is one; while it is unreachable, in this worker's memory (flask-limiter logs
    the switch once, and goes back to Redis when it answers again)."""
    redis = settings.cache_redis_url
    limiter = Limiter(get_remote_address, app=server, default_limits=[], storage_uri=redis or "memory://",
                      storage_options=dict(REDIS_OPTIONS) if redis else {}, swallow_errors=True,
                      in_memory_fallback_enabled=True)
    # Only the login is limited: every other request (a wall's poll among them) is exempt before the limiter
    # resolves anything for it.
    limiter.request_filter(lambda: request.endpoint != "login")
    return limiter


def _failed_login(username: str) -> Response:
    shown = username.replace("\x00", "\\0")  # PostgreSQL text holds no NUL: the audit row shows it escaped
    record("login_failed", shown, username=shown or "-", who_role="-")
    return _login_page("用户名或密码错误 / wrong user name or password", 401)


def init_app(app, settings) -> None:
    server = app.server
    if settings.trusted_proxies:  # the client address, scheme and host as the nearest trusted proxies saw them
        n = settings.trusted_proxies
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)
    server.config.update(
        SECRET_KEY=settings.secret_key or _local_key(settings.data_dir),
        WTF_CSRF_TIME_LIMIT=None,  # the wall runs all day: its token lives as long as its session
        WTF_CSRF_SSL_STRICT=False, SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=4 << 20,  # no callback needs more than 4 MB (Flask accepts 20 MB bodies otherwise)
    )
    server.extensions["cockpit_files"] = app.config.assets_folder, app.registered_paths
    sessions.init_app(server)
    CSRFProtect(server)
    limiter = _limiter(server, settings)
    # Talisman sets the other headers; the CSP is built on the first response instead, because Dash registers
    # some inline scripts (the pages' title callback) only when it sets itself up on the first request. HSTS is
    # ours: Talisman would also believe an X-Forwarded-Proto no trusted proxy set. Referer only to this site.
    Talisman(server, content_security_policy=None, force_https=False, frame_options="DENY",
             session_cookie_secure=False, strict_transport_security=False, referrer_policy="same-origin")
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
        if request.is_secure:
            response.headers["Strict-Transport-Security"] = HSTS
        return response

    @server.before_request
    def _guard():
        needed = required_role(request.path)
        try:
            moved = sessions.exchange_kiosk(lambda: allowed("leader"))
            if moved is not None:
                return moved
            if needed is None or allowed(needed):
                return None
            current = role()
        except Exception as exc:  # the store is down while the user is loaded: 503, not a bare 500
            if not unavailable(exc):
                raise
            return _store_down()
        if request.method == "GET" and request.accept_mimetypes.accept_html \
                and not request.path.startswith(("/_", "/api/")):  # Dash's and the wall's JSON routes: JSON
            if current is None:
                return redirect(f"/login?next={request.full_path.rstrip('?')}")
            return error_page(403, f"此页面需要 {needed} 角色 / this page needs the {needed} role")
        return jsonify(error="forbidden", needs=needed), 401 if current is None else 403

    @server.after_request
    def _csrf_cookie(response):
        # dash-renderer sends this cookie back as the X-CSRFToken header on every callback
        if response.mimetype == "text/html":
            response.set_cookie("_csrf_token", generate_csrf(), samesite="Lax", httponly=False,
                                secure=request.is_secure)
        return response

    @server.route("/login", methods=["GET", "POST"])
    @limiter.limit(settings.login_rate_limit, methods=["POST"])
    def login():
        if request.method == "GET":
            return _login_page()
        username = request.form.get("username", "")[:64]
        try:
            found = sessions.check(username, request.form.get("password", ""))
            if found is None:
                return _failed_login(username)
            sessions.start(found)
            record("login", found.username)
        except Exception as exc:
            if not unavailable(exc):
                raise
            return _store_down()
        return redirect(_safe_next(request.form.get("next")))

    @server.route("/logout", methods=["GET", "POST"])
    def logout():
        if request.method == "POST":
            try:
                sessions.end()
            except Exception as exc:
                if not unavailable(exc):
                    raise
                return _store_down()
            return redirect("/login")
        return Response(render_template("logout.html"), mimetype="text/html")
