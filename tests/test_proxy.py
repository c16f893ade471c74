"""X-Forwarded-* headers are believed only from a trusted proxy (EXAMSITE_TRUSTED_PROXIES).

Behind nginx the app takes the client's address from X-Forwarded-For; a client that reaches
gunicorn directly must not choose the address that the login throttle and a sitting's
allowed networks trust.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, jsonify, request

from examsite import create_app
from examsite.auth.models import LoginThrottle
from examsite.config import ConfigError
from examsite.core.audit import AuditEvent
from examsite.core.proxy import install_proxy_fix
from examsite.exams.models import Sitting
from examsite.extensions import db
from tests.fixtures.database import committing, make_test_app
from tests.fixtures.factories import count
from tests.fixtures.web import Browser

CLIENT = "203.0.113.9"  # a PC that reaches gunicorn without going through nginx
SPOOF = {
    "X-Forwarded-For": "10.1.2.3",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "x.example",
}


def _peer_app(tmp_path: Path, **config: Any) -> Flask:
    """The real app (its middleware as create_app builds it) plus a route showing the peer."""
    app = make_test_app(f"sqlite:///{tmp_path / 'unused.sqlite3'}", tmp_path, **config)

    @app.get("/_test/peer")
    def peer() -> Any:
        return jsonify(addr=request.remote_addr, scheme=request.scheme, host=request.host)

    return app


def _seen(app: Flask, remote_addr: str, headers: dict[str, str]) -> dict[str, str]:
    response = app.test_client().get(
        "/_test/peer", headers=headers, environ_base={"REMOTE_ADDR": remote_addr}
    )
    assert response.status_code == 200
    return response.json


def test_untrusted_peer_cannot_choose_its_address(tmp_path):
    app = _peer_app(tmp_path, EXAMSITE_PROXY_COUNT=1)
    assert _seen(app, CLIENT, SPOOF) == {"addr": CLIENT, "scheme": "http", "host": "localhost"}


def test_trusted_proxy_passes_on_the_client_address(tmp_path):
    app = _peer_app(tmp_path, EXAMSITE_PROXY_COUNT=1)
    assert _seen(app, "127.0.0.1", SPOOF) == {
        "addr": "10.1.2.3",
        "scheme": "https",
        "host": "x.example",
    }
    assert _seen(app, "::1", SPOOF)["addr"] == "10.1.2.3"
    assert _seen(app, "::ffff:127.0.0.1", SPOOF)["addr"] == "10.1.2.3"  # dual-stack socket


def test_spoofed_list_through_the_proxy_yields_the_address_the_proxy_appended(tmp_path):
    # The client sent "X-Forwarded-For: 10.1.2.3, 10.8.3.4"; nginx appended its peer.
    app = _peer_app(tmp_path, EXAMSITE_PROXY_COUNT=1)
    headers = {"X-Forwarded-For": f"10.1.2.3, 10.8.3.4, {CLIENT}"}
    assert _seen(app, "127.0.0.1", headers)["addr"] == CLIENT


def test_two_proxies_take_the_second_address_from_the_right(tmp_path):
    app = _peer_app(tmp_path, EXAMSITE_PROXY_COUNT=2)
    headers = {"X-Forwarded-For": f"10.1.2.3, {CLIENT}, 192.0.2.1"}
    assert _seen(app, "127.0.0.1", headers)["addr"] == CLIENT


def test_configured_networks_replace_the_loopback_default(tmp_path):
    app = _peer_app(
        tmp_path,
        EXAMSITE_PROXY_COUNT=1,
        EXAMSITE_TRUSTED_PROXIES=" 10.0.0.10 , 192.168.7.0/24,",
    )
    assert _seen(app, "10.0.0.10", SPOOF)["addr"] == "10.1.2.3"
    assert _seen(app, "192.168.7.200", SPOOF)["addr"] == "10.1.2.3"
    assert _seen(app, "10.0.0.11", SPOOF)["addr"] == "10.0.0.11"
    assert _seen(app, "127.0.0.1", SPOOF)["addr"] == "127.0.0.1"


def test_without_a_proxy_count_no_header_is_believed(tmp_path):
    app = _peer_app(tmp_path)
    assert _seen(app, "127.0.0.1", SPOOF) == {
        "addr": "127.0.0.1",
        "scheme": "http",
        "host": "localhost",
    }


@pytest.mark.parametrize(
    ("value", "bad"),
    [
        ("127.0.0.1,nginx.internal", "nginx.internal"),
        ("10.0.0.0/33", "10.0.0.0/33"),
        ("10.0.0.1/24", "10.0.0.1/24"),  # host bits set: say 10.0.0.0/24 or 10.0.0.1
        ("127.0.0.1:8000", "127.0.0.1:8000"),
    ],
)
def test_bad_trusted_proxies_refuse_to_start(value, bad):
    with pytest.raises(ConfigError, match=re.escape(f"EXAMSITE_TRUSTED_PROXIES: '{bad}'")):
        create_app({"SECRET_KEY": "t", "EXAMSITE_TRUSTED_PROXIES": value})


def test_bad_trusted_proxies_from_the_environment_refuse_to_start(monkeypatch):
    monkeypatch.setenv("EXAMSITE_PROXY_COUNT", "1")
    monkeypatch.setenv("EXAMSITE_TRUSTED_PROXIES", "127.0.0.1,10.0.0.300")
    with pytest.raises(ConfigError, match=re.escape("10.0.0.300")):
        create_app({"SECRET_KEY": "t"})


def test_negative_proxy_count_refuses_to_start():
    with pytest.raises(ConfigError, match="EXAMSITE_PROXY_COUNT"):
        create_app({"SECRET_KEY": "t", "EXAMSITE_PROXY_COUNT": -1})


# What the address decides: the login throttle, the audit log, a sitting's allowed networks.


@pytest.fixture
def proxied(app, monkeypatch) -> Flask:
    """The session's app as it runs behind one nginx on the same host."""
    monkeypatch.setitem(app.config, "EXAMSITE_PROXY_COUNT", 1)
    monkeypatch.setattr(app, "wsgi_app", app.wsgi_app)  # restored after the test
    install_proxy_fix(app)
    return app


def test_failed_login_is_counted_against_the_real_peer(proxied, world):
    browser = Browser(proxied.test_client())
    browser.login(
        "east-staff", "wrong-password-1", headers=SPOOF, environ_base={"REMOTE_ADDR": CLIENT}
    )
    assert count(proxied, LoginThrottle, LoginThrottle.key == f"ip:{CLIENT}") == 1
    assert count(proxied, LoginThrottle, LoginThrottle.key == "ip:10.1.2.3") == 0
    failed = AuditEvent.action == "auth.login_failed"
    assert count(proxied, AuditEvent, failed, AuditEvent.ip == CLIENT) == 1


def test_per_ip_lock_cannot_be_dodged_by_rotating_x_forwarded_for(proxied, world):
    browser = Browser(proxied.test_client())
    for n in range(5):
        browser.login(
            f"nobody{n}",
            "whatever-1",
            headers={"X-Forwarded-For": f"10.9.9.{n}"},
            environ_base={"REMOTE_ADDR": CLIENT},
        )
    response = browser.login(
        "west-staff", headers={"X-Forwarded-For": "10.9.9.99"}, environ_base={"REMOTE_ADDR": CLIENT}
    )
    assert "登录失败次数过多" in response.get_data(as_text=True)


def test_allowed_networks_see_the_real_peer(proxied, exam_world):
    with committing(proxied):
        db.session.get(Sitting, exam_world.sitting_id).allowed_networks = "10.8.0.0/16"
    form = {"code": exam_world.codes[0], "id_tail": exam_world.tails[0]}
    inside = {"X-Forwarded-For": "10.8.3.4"}

    direct = Browser(proxied.test_client())
    r = direct.post("/exam/login", form, headers=inside, environ_base={"REMOTE_ADDR": CLIENT})
    assert "指定考场" in r.get_data(as_text=True)

    via_nginx = Browser(proxied.test_client())
    r = via_nginx.post(
        "/exam/login", form, headers=inside, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    assert r.status_code == 302
