"""Sessions end at once (logout, password or role change, removal: issue 11 #8), login costs the same for unknown
users (#10), the login limit holds while Redis is unreachable (#9), a NUL or a store outage at login is no 500
(#15), and public paths are matched exactly (#16)."""
from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from cockpit import create_app
from cockpit.cli import main
from etl.accounts import add_user
from etl.store import AuditEvent, User

PASSWORD = "correct horse battery"
SECRET = "test-secret-of-at-least-32-characters"
HTML = {"Accept": "text/html"}


def _app(store_url, tmp_path, **extra):
    app = create_app(DATABASE_URL=store_url, COCKPIT_DATA_DIR=tmp_path, COCKPIT_ENV="production",
                     COCKPIT_SECRET_KEY=SECRET, COCKPIT_KIOSK_TOKEN="wall-token-123", **extra)
    app.server.config["TESTING"] = True
    return app


@pytest.fixture
def prod_app(store_url, engine, tmp_path):
    for name, role in (("lead", "leader"), ("ana", "analyst")):
        add_user(engine, name, PASSWORD, role)
    return _app(store_url, tmp_path)


def _csrf(client, path="/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def login(client, username, password=PASSWORD):
    return client.post("/login", data={"username": username, "password": password, "csrf_token": _csrf(client)})


def _copy(app, client):
    """A second browser holding a copy of `client`'s session cookie."""
    thief = app.server.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _session_of(app, client) -> dict:
    return app.server.session_interface.get_signing_serializer(app.server).loads(client.get_cookie("session").value)


def test_the_cookie_names_the_user_and_version_only_and_logout_ends_every_copy(prod_app):
    client = prod_app.server.test_client()
    assert login(client, "lead").status_code == 302
    stored = _session_of(prod_app, client)
    assert "role" not in stored and "user" not in stored and stored["_user_id"] == "u:0:lead"
    thief = _copy(prod_app, client)
    assert thief.get("/departments", headers=HTML).status_code == 200
    assert client.post("/logout", data={"csrf_token": _csrf(client, "/logout")}).status_code == 302
    assert thief.get("/departments", headers=HTML).status_code == 302  # to the login page
    assert client.get("/departments", headers=HTML).status_code == 302


def test_the_signing_key_is_read_on_every_request_though_its_serializer_is_made_once(prod_app):
    """The session serializer is kept between requests: a new secret key still ends every cookie signed with the
    old one, and the old key as a fallback (Flask's SECRET_KEY_FALLBACKS) keeps them working."""
    client = prod_app.server.test_client()
    assert login(client, "lead").status_code == 302
    assert client.get("/departments", headers=HTML).status_code == 200
    server = prod_app.server
    server.config["SECRET_KEY_FALLBACKS"] = [SECRET]
    server.secret_key = server.config["SECRET_KEY"] = "a-new-secret-of-at-least-32-characters"
    assert client.get("/departments", headers=HTML).status_code == 200  # the old key verifies, as a fallback
    server.config["SECRET_KEY_FALLBACKS"] = []
    stranger = _copy(prod_app, client)
    assert stranger.get("/departments", headers=HTML).status_code == 200  # re-signed with the new key just now
    stranger.set_cookie("session", _signed_with(server, SECRET, {"_user_id": "u:0:lead"}))
    assert stranger.get("/departments", headers=HTML).status_code == 302  # the old key alone: to the login


def _signed_with(server, key, data) -> str:
    from flask.sessions import SecureCookieSessionInterface

    class Old(SecureCookieSessionInterface):
        pass
    shadow = type("App", (), {"secret_key": key, "config": {"SECRET_KEY_FALLBACKS": []}})()
    return Old().get_signing_serializer(shadow).dumps(data)


def test_role_change_removal_and_password_reset_take_effect_on_the_next_request(prod_app, store_url, engine,
                                                                                 monkeypatch):
    monkeypatch.setenv("DATABASE_URL", store_url)
    analyst, leader = prod_app.server.test_client(), prod_app.server.test_client()
    login(analyst, "ana"), login(leader, "lead")
    assert analyst.get("/export/observations.csv?indicator=gdp").status_code == 200
    demoted = CliRunner().invoke(main, ["user", "role", "ana", "leader"])
    assert demoted.exit_code == 0, demoted.output
    assert analyst.get("/export/observations.csv?indicator=gdp").status_code == 401  # logged out
    login(analyst, "ana")
    assert analyst.get("/export/observations.csv?indicator=gdp").status_code == 403  # a leader now
    assert analyst.get("/departments", headers=HTML).status_code == 200
    removed = CliRunner().invoke(main, ["user", "remove", "lead"])
    assert removed.exit_code == 0, removed.output
    assert leader.get("/departments", headers=HTML).status_code == 302
    with engine.connect() as conn:
        assert conn.execute(select(User.username)).scalars().all() == ["ana"]
    add_user(engine, "ana", "a new password!!", "leader")  # password reset (`cockpit user add` again)
    assert analyst.get("/departments", headers=HTML).status_code == 302
    assert login(analyst, "ana").status_code == 401 and login(analyst, "ana", "a new password!!").status_code == 302
    for args in (["user", "role", "nobody", "admin"], ["user", "remove", "nobody"]):
        unknown = CliRunner().invoke(main, args)
        assert unknown.exit_code != 0 and "no user nobody" in unknown.output
    assert CliRunner().invoke(main, ["user", "role", "ana", "kiosk"]).exit_code != 0


def test_an_unknown_user_costs_one_password_hash_like_a_known_one(prod_app, monkeypatch):
    import werkzeug.security
    calls = []
    real = werkzeug.security._hash_internal  # what check_password_hash spends its time in
    monkeypatch.setattr(werkzeug.security, "_hash_internal", lambda m, s, p: calls.append(m) or real(m, s, p))
    client = prod_app.server.test_client()
    assert login(client, "nobody", "wrong password!").status_code == 401
    assert login(client, "lead", "wrong password!").status_code == 401
    assert len(calls) == 2 and calls[0] == calls[1]  # one hash each, the same method and cost
    from cockpit.web import sessions
    default = werkzeug.security.generate_password_hash("x").split("$")[0]  # what etl.accounts stores
    assert sessions.DUMMY_HASH.split("$")[0] == default


def test_the_login_limit_falls_back_to_memory_when_redis_is_unreachable(store_url, engine, tmp_path, caplog):
    from faults.servers import free_port
    add_user(engine, "lead", PASSWORD, "leader")
    app = _app(store_url, tmp_path, CACHE_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    client = app.server.test_client()
    with caplog.at_level(logging.WARNING):
        codes = [login(client, "lead", "wrong password!").status_code for _ in range(7)]
    assert codes == [401] * 5 + [429] * 2
    assert sum("falling back to in-memory" in r.getMessage() for r in caplog.records) == 1


def test_a_nul_in_the_login_form_is_a_wrong_password(prod_app, engine):
    client = prod_app.server.test_client()
    for field in ("username", "password"):
        data = {"username": "lead", "password": PASSWORD, field: "le\x00ad"}
        assert client.post("/login", data={**data, "csrf_token": _csrf(client)}).status_code == 401, field
    with engine.connect() as conn:
        assert conn.execute(select(AuditEvent.action)).scalars().all() == ["login_failed"] * 2


def test_the_store_down_during_login_is_a_503_page(prod_app, monkeypatch):
    from sqlalchemy import create_engine
    from faults.servers import free_port
    client = prod_app.server.test_client()
    token = _csrf(client)
    ctx = prod_app.server.extensions["cockpit"]
    monkeypatch.setattr(ctx, "engine", create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/x"))
    resp = client.post("/login", data={"username": "lead", "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 503 and "text/html" in resp.content_type
    assert "Traceback" not in resp.get_data(as_text=True)


def test_a_logged_in_user_gets_503_not_500_while_the_store_is_down(prod_app, monkeypatch):
    from sqlalchemy import create_engine
    from faults.servers import free_port
    client = prod_app.server.test_client()
    login(client, "lead")
    ctx = prod_app.server.extensions["cockpit"]
    monkeypatch.setattr(ctx, "engine", create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/x"))
    assert client.get("/departments", headers=HTML).status_code == 503
    assert client.get("/_dash-layout").status_code == 503


NOT_PUBLIC = ["/assets/", "/assets", "/healthzfoo", "/login/../ops", "/loginx", "/login/", "/assets/../ops",
              "/assets/nope.css", "/_dash-component-suites/", "/_dash-component-suites/dash/../../ops", "/_favicon.icox",
              "/assets//etc/passwd", "/assets/./../ops", "/_dash-component-suites/dash//x.js"]


def test_only_exact_public_paths_and_real_files_are_public_and_they_stay_public(prod_app):
    client = prod_app.server.test_client()
    for path in NOT_PUBLIC:
        resp = client.get(path, headers=HTML)
        if path.startswith("/_"):  # Dash's own routes answer JSON
            assert resp.status_code == 401 and resp.get_json() == {"error": "forbidden", "needs": "kiosk"}, path
        else:
            assert resp.status_code == 302 and resp.headers["Location"].startswith("/login?next="), path
    for path in ("/login", "/logout", "/healthz", "/_favicon.ico"):
        assert client.get(path, headers=HTML).status_code == 200, path
    assert client.get("/readyz").status_code in (200, 503)
    suites = prod_app.registered_paths["dash"]
    bundle = next(p for p in sorted(suites) if p.endswith(".js"))
    assert client.get(f"/_dash-component-suites/dash/{bundle}").status_code == 200
    asset = next(p.name for p in sorted(Path(prod_app.config.assets_folder).iterdir()) if p.is_file())
    assert client.get(f"/assets/{asset}").status_code == 200
