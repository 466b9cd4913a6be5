"""Access roles, sessions, CSRF, login rate limit, security headers and the audit trail (production mode)."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from cockpit import create_app
from etl.accounts import add_user
from cockpit.cli import main
from cockpit.settings import Settings
from etl.store import AuditEvent

PASSWORD = "correct horse battery"


@pytest.fixture
def prod_app(store_url, engine, tmp_path):
    for name, role in (("lead", "leader"), ("ana", "analyst"), ("adm", "admin")):
        add_user(engine, name, PASSWORD, role)
    app = create_app(DATABASE_URL=store_url, COCKPIT_DATA_DIR=tmp_path, COCKPIT_ENV="production",
                     COCKPIT_SECRET_KEY="test-secret-of-at-least-32-characters", COCKPIT_KIOSK_TOKEN="wall-token-123")
    app.server.config["TESTING"] = True
    return app


def login(client, username, password=PASSWORD, expect=302):
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    resp = client.post("/login", data={"username": username, "password": password, "csrf_token": token,
                                       "next": "/departments"})
    assert resp.status_code == expect, resp.get_data(as_text=True)[:300]
    return resp


def test_production_refuses_to_start_without_a_secret():
    with pytest.raises(ValueError, match="COCKPIT_SECRET_KEY"):
        Settings(COCKPIT_ENV="production")


def test_roles_gate_pages_exports_and_operations(prod_app):
    client = prod_app.server.test_client()
    assert client.get("/departments", headers={"Accept": "text/html"}).status_code == 302
    assert client.get("/export/observations.csv?indicator=gdp").status_code == 401
    assert client.get("/healthz").status_code == 200
    login(client, "lead")
    assert client.get("/departments", headers={"Accept": "text/html"}).status_code == 200
    assert client.get("/export/observations.csv?indicator=gdp", headers={"Accept": "text/html"}).status_code == 403
    analyst = prod_app.server.test_client()
    login(analyst, "ana")
    assert analyst.get("/export/observations.csv?indicator=gdp").status_code == 200
    assert analyst.get("/ops", headers={"Accept": "text/html"}).status_code == 403


def test_kiosk_token_opens_the_wall_only(prod_app):
    client = prod_app.server.test_client()
    assert client.get("/", headers={"Accept": "text/html"}).status_code == 302
    assert client.get("/?kiosk=wrong", headers={"Accept": "text/html"}).status_code == 302
    exchanged = client.get("/?kiosk=wall-token-123", headers={"Accept": "text/html"})
    assert exchanged.status_code == 302 and exchanged.headers["Location"] == "/"
    assert client.get("/", headers={"Accept": "text/html"}).status_code == 200
    assert client.get("/api/version").status_code == 200
    assert client.get("/departments", headers={"Accept": "text/html"}).status_code == 403


def test_wrong_password_is_refused_and_logins_are_rate_limited_and_audited(prod_app, engine):
    client = prod_app.server.test_client()
    codes = [login(client, "lead", "wrong password!", expect=None or 401).status_code for _ in range(5)]
    assert codes == [401] * 5
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    sixth = client.post("/login", data={"username": "lead", "password": PASSWORD, "csrf_token": token})
    assert sixth.status_code == 429
    with engine.connect() as conn:
        actions = conn.execute(select(AuditEvent.action)).scalars().all()
    assert actions.count("login_failed") == 5


def test_the_login_form_needs_the_csrf_token(prod_app):
    """The login form's half; callbacks are proven in tests/test_csrf.py with a well-formed body (an empty one
    is refused by the request validator whether CSRF is on or not)."""
    client = prod_app.server.test_client()
    resp = client.post("/login", data={"username": "lead", "password": PASSWORD})
    assert resp.status_code == 400 and "CSRF" in resp.get_data(as_text=True)


def test_security_headers_and_no_open_redirect(prod_app):
    client = prod_app.server.test_client()
    resp = client.get("/login")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"
    csp = resp.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self' 'sha256-" in csp
    page = client.get("/login?next=//evil.example/x").get_data(as_text=True)
    assert 'name="next" value="/"' in page


def test_exports_are_audited(prod_app, engine):
    client = prod_app.server.test_client()
    login(client, "ana")
    client.get("/export/observations.csv?indicator=gdp")
    with engine.connect() as conn:
        row = conn.execute(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert row.username == "ana" and row.role == "analyst" and "indicator=gdp" in row.target


def test_user_add_command_hashes_the_password(store_url, engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", store_url)
    result = CliRunner().invoke(main, ["user", "add", "zhang", "--role", "analyst"],
                                input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    from etl.store import User
    with engine.connect() as conn:
        stored = conn.execute(select(User.password_hash, User.role).where(User.username == "zhang")).one()
    assert stored.role == "analyst" and PASSWORD not in stored.password_hash
    short = CliRunner().invoke(main, ["user", "add", "li", "--role", "admin"], input="short\nshort\n")
    assert short.exit_code != 0 and "10 characters" in short.output


def test_a_kiosk_cannot_reach_drill_down_layouts_or_exports_through_callbacks(prod_app):
    from cockpit import state as drill
    from cockpit.pages import _drill, department
    from flask_login import login_user
    from cockpit.web.sessions import Kiosk, Person
    with prod_app.server.test_request_context("/_dash-update-component"):
        login_user(Kiosk("x"))
        assert "error-403" in str(department.layout(code="kjj"))
        with pytest.raises(Exception) as exc:
            _drill.download("cases", ["a"], None, drill.State(path="/departments/kjj"), "x")
        assert type(exc.value).__name__ == "PreventUpdate"
        login_user(Person("lead", "leader", 0))
        assert "error-403" not in str(department.layout(code="kjj"))
