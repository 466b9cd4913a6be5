"""Who a request is: the session cookie (signed, permanent, renewed by every request) holds only a user name with
that user's session version, or the fingerprint of the kiosk token that granted a wall; flask-login's user loader
turns it back into a user on each request, from the store, so a logout, a password or role change (each moves the
version, etl.accounts) or a removal ends every copy of the cookie at once, and a new COCKPIT_KIOSK_TOKEN ends every
kiosk session. `?kiosk=TOKEN` is exchanged for a kiosk session and answered with a redirect to the same URL
without it, so the token stays out of the address bar, the access log, Referer headers and the layout."""
from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from urllib.parse import quote, urlencode

from flask import current_app, redirect, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import AnonymousUserMixin, LoginManager, current_user, login_user, logout_user
from werkzeug.security import check_password_hash

from cockpit import context
from cockpit.queries.ops import user
from etl.accounts import end_sessions

# A session not used for this long expires; a wall polling every few seconds renews its own for good.
LIFETIME = timedelta(days=31)
KIOSK = "kiosk"
# The hash of a random, forgotten password, in werkzeug's default method (what etl.accounts stores): an unknown
# user costs one check_password_hash like a known one (made once here, not per process: scrypt takes ~0.1 s).
DUMMY_HASH = ("scrypt:32768:8:1$wrTPPp6Gwr5UqbmD$9d023afed98138a353ff7d225ffc97f5c701f53470228ecf8c44df2611a75e26a97c"
              "0ac60317ae8c43ee2e5ad1c93a4998bc6a5af7313b7b2c3b17f7758f899f")


class Person:
    """A logged-in user as loaded for this request (flask-login's user protocol)."""
    is_authenticated, is_active, is_anonymous = True, True, False

    def __init__(self, username: str, role: str, version: int):
        self.username, self.role, self.version = username, role, version

    def get_id(self) -> str:
        return f"u:{self.version}:{self.username}"


class Kiosk(Person):
    """A wall let in by the kiosk token; `fingerprint` names the token (an HMAC of it, never the token)."""

    def __init__(self, fingerprint: str):
        super().__init__(KIOSK, KIOSK, 0)
        self.fingerprint = fingerprint

    def get_id(self) -> str:
        return f"k:{self.fingerprint}"


class Nobody(AnonymousUserMixin):
    username = role = None


class Cookies(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, marked `Secure` whenever the request came over https (a trusted proxy's
    X-Forwarded-Proto counts, through ProxyFix)."""

    def get_cookie_secure(self, app) -> bool:
        return request.is_secure or super().get_cookie_secure(app)

    def get_signing_serializer(self, app):
        """Flask's serializer, made once per secret key instead of on every request (every poll opens and saves
        a session)."""
        keys = (app.secret_key, list(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        made = getattr(self, "_made", None)
        if made is None or made[0] != keys:
            made = self._made = (keys, super().get_signing_serializer(app))
        return made[1]


def fingerprint(token: str) -> str:
    key = current_app.secret_key.encode()
    return hmac.new(key, b"kiosk-token\0" + token.encode(), hashlib.sha256).hexdigest()[:32]


def load(user_id: str):
    """flask-login's user loader: the user the cookie names, if its session version is still the stored one."""
    kind, _, rest = user_id.partition(":")
    if kind == "k":
        token = context.get().settings.kiosk_token
        return Kiosk(rest) if token and hmac.compare_digest(rest, fingerprint(token)) else None
    version, _, username = rest.partition(":")
    row = user(context.get().engine, username) if kind == "u" else None
    if row is None or str(row.session_version) != version:
        return None
    return Person(row.username, row.role, row.session_version)


def current():
    return current_user._get_current_object()


def start(who: Person) -> None:
    """A new session for `who` (nothing of an earlier session survives)."""
    session.clear()
    login_user(who)
    session.permanent = True  # renewed on every request (SESSION_REFRESH_EACH_REQUEST): expires only when idle


def end() -> None:
    """Logout: a person's session version moves, so this cookie and every copy of it stop working."""
    who = current()
    if who.is_authenticated and not isinstance(who, Kiosk):
        end_sessions(context.get().engine, who.username)
    logout_user()
    session.clear()


def check(username: str, password: str) -> Person | None:
    """The user, if the password is theirs. An unknown name is checked against a dummy hash, so both answers cost
    one password hash and the time taken does not tell whether the user exists."""
    found = user(context.get().engine, username)
    ok = check_password_hash(found.password_hash if found is not None else DUMMY_HASH, password)
    return Person(found.username, found.role, found.session_version) if found is not None and ok else None


def exchange_kiosk(leader_or_more):
    """A GET with ?kiosk=: a valid token becomes a kiosk session (unless someone better is logged in), then a
    redirect to the same URL without the parameter (other parameters kept), whether the token was valid or not."""
    if "kiosk" not in request.args or request.method not in ("GET", "HEAD"):
        return None
    token, expected = request.args.get("kiosk", ""), context.get().settings.kiosk_token
    if expected and hmac.compare_digest(token.encode(), expected.encode()) and not leader_or_more():
        start(Kiosk(fingerprint(expected)))
    rest = [(k, v) for k, v in request.args.items(multi=True) if k != "kiosk"]
    response = redirect(quote(request.script_root + request.path) + (f"?{urlencode(rest)}" if rest else ""))
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(server) -> None:
    server.session_interface = Cookies()
    server.config.update(PERMANENT_SESSION_LIFETIME=LIFETIME, SESSION_REFRESH_EACH_REQUEST=True)
    manager = LoginManager()
    manager.session_protection = None  # the session version does the revoking; a wall's address may change
    manager.anonymous_user = Nobody
    manager.user_loader(load)
    manager.init_app(server)
