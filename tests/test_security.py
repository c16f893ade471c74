"""Security baseline: CSRF, headers, cookies, error pages."""

from __future__ import annotations

from pathlib import Path

from examsite.auth.models import User
from tests.fixtures.factories import count

ROOT = Path(__file__).resolve().parent.parent


def test_login_without_csrf_token_is_refused(world, client):
    response = client.post("/login", data={"username": "east-staff", "password": "x"})
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)


def test_state_change_without_csrf_token_changes_nothing(app, world, login_as):
    b = login_as("east-admin")
    before = count(app, User)
    response = b.client.post(
        "/bodies/east/staff/new", data={"username": "nocsrf", "name": "某", "role": "staff"}
    )
    assert response.status_code == 400
    assert count(app, User) == before


def test_json_post_without_csrf_token_is_refused(world, login_as):
    b = login_as("east-staff")
    response = b.client.post("/language", json={"lang": "en"})
    assert response.status_code == 400
    assert response.is_json and response.json["status"] == 400


def test_json_post_with_header_token_is_accepted(world, login_as):
    from tests.fixtures.web import csrf_token

    b = login_as("east-staff")
    token = csrf_token(b.client, "/")
    response = b.client.post("/logout", headers={"X-CSRFToken": token})
    assert response.status_code == 302


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_flags(world, login_as):
    b = login_as("east-staff")
    cookie = b.client.get_cookie("examsite_session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_production_cookies_are_secure(tmp_path, monkeypatch):
    from examsite import create_app

    monkeypatch.setenv("EXAMSITE_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    prod = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})
    assert prod.config["SESSION_COOKIE_SECURE"] and prod.config["REMEMBER_COOKIE_SECURE"]
    assert not prod.debug


def test_404_page_is_chinese(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_500_page_hides_the_traceback(tmp_path):
    from examsite import create_app

    fresh = create_app({"SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/e.db"})

    @fresh.get("/__boom")
    def boom():
        raise RuntimeError("secret internals")

    response = fresh.test_client().get("/__boom")
    text = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "系统错误" in text and "secret internals" not in text and "Traceback" not in text


def test_anonymous_is_sent_to_login(client):
    response = client.get("/bodies/east")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_templates_have_no_inline_script_or_remote_assets():
    for path in (ROOT / "examsite").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "<script>" not in text and " onclick=" not in text, path
        assert "http://" not in text and "https://" not in text, path
