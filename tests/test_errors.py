"""The pages that are not Dash (errors, login) come from Jinja templates, autoescaped, with the right status."""
from __future__ import annotations

import pytest

from cockpit import create_app


@pytest.fixture
def client(tmp_path):
    app = create_app(DATABASE_URL=f"sqlite:///{tmp_path / 's.sqlite'}", COCKPIT_DATA_DIR=tmp_path,
                     COCKPIT_ACCESS="login", COCKPIT_SECRET_KEY="test-secret-of-at-least-32-characters")
    return app.server.test_client()


def test_an_error_page_escapes_what_it_repeats_and_keeps_its_status(client):
    reply = client.post("/login", data={"username": "x"}, headers={"Accept": "text/html"})  # no CSRF token: 400
    body = reply.get_data(as_text=True)
    assert reply.status_code == 400 and "<main><h1>400" in body and "返回驾驶舱" in body and "Traceback" not in body


def test_the_login_page_carries_its_csrf_token_and_a_safe_escaped_next(client):
    page = client.get('/login?next=/departments?a="><script>x</script>').get_data(as_text=True)
    assert 'name="csrf_token" value="' in page and 'value=""' not in page.split('name="csrf_token"')[1][:10]
    assert "<script>x</script>" not in page and "&#34;&gt;&lt;script&gt;" in page
    assert client.get("/logout").status_code == 200 and "退出登录" in client.get("/logout").get_data(as_text=True)


@pytest.mark.parametrize("code, zh", [(414, "网址过长"), (429, "请稍后再试"), (503, "暂时无法服务")])
def test_every_status_the_cockpit_answers_has_its_own_title(client, code, zh):
    from cockpit.web.errors import error_page
    with client.application.test_request_context("/"):
        reply = error_page(code, "")
    assert reply.status_code == code and zh in reply.get_data(as_text=True)
