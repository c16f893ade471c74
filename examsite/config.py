"""Configuration: defaults here, overrides from the environment (see docs/configuration.md)."""

from __future__ import annotations

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app refuses to start."""


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _load_or_create_secret(instance_path: Path) -> str:
    """Read the secret from instance/, creating it once so restarts keep sessions valid."""
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Create with owner-only permissions; another process may race us, so do not overwrite.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key)
    return key


def build_config(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the settings for one app: defaults, then environment, then explicit overrides."""
    env = os.environ.get("EXAMSITE_ENV", "development").strip().lower()
    production = env == "production"
    default_db = f"sqlite:///{instance_path / 'examsite.sqlite3'}"
    cfg: dict[str, Any] = {
        "EXAMSITE_ENV": env,
        "DEBUG": _env_bool("FLASK_DEBUG", False),
        "TESTING": False,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL") or default_db,
        # Sessions: signed cookies, short-lived, refreshed on activity.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env_bool("EXAMSITE_SECURE_COOKIES", production),
        "SESSION_COOKIE_NAME": "examsite_session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _env_bool("EXAMSITE_SECURE_COOKIES", production),
        # The cookie lives long enough for a whole exam; staff sessions additionally end
        # after EXAMSITE_SESSION_IDLE_MINUTES without a request (checked on the server).
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_env_int("EXAMSITE_SESSION_MAX_HOURS", 10)),
        # The cookie is signed again only when the session changes: a candidate's autosave
        # must not rewrite it on every answer (staff activity updates it anyway).
        "SESSION_REFRESH_EACH_REQUEST": False,
        "EXAMSITE_SESSION_IDLE_MINUTES": _env_int("EXAMSITE_SESSION_IDLE_MINUTES", 30),
        # The page warns this many minutes before the idle timeout and offers to go on.
        "EXAMSITE_SESSION_WARN_MINUTES": _env_int("EXAMSITE_SESSION_WARN_MINUTES", 5),
        # A staff session ends this long after its login, however busy.
        "EXAMSITE_STAFF_SESSION_MAX_HOURS": _env_int("EXAMSITE_STAFF_SESSION_MAX_HOURS", 12),
        # A temporary password given by an administrator stops working after this long.
        "EXAMSITE_TEMP_PASSWORD_HOURS": _env_int("EXAMSITE_TEMP_PASSWORD_HOURS", 72),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "MAX_CONTENT_LENGTH": _env_int("EXAMSITE_MAX_UPLOAD_MB", 10) * 1024 * 1024,
        "EXAMSITE_MAX_UPLOAD_MB": _env_int("EXAMSITE_MAX_UPLOAD_MB", 10),
        # Uploaded statements and reports; with several app hosts, a folder they all share.
        "EXAMSITE_UPLOAD_DIR": os.environ.get("EXAMSITE_UPLOAD_DIR", ""),
        "EXAMSITE_LOGIN_MAX_FAILURES": _env_int("EXAMSITE_LOGIN_MAX_FAILURES", 5),
        "EXAMSITE_LOGIN_MAX_FAILURES_PER_IP": _env_int("EXAMSITE_LOGIN_MAX_FAILURES_PER_IP", 5),
        "EXAMSITE_LOGIN_LOCK_MINUTES": _env_int("EXAMSITE_LOGIN_LOCK_MINUTES", 15),
        "EXAMSITE_CANDIDATE_MAX_FAILURES_PER_IP": _env_int(
            "EXAMSITE_CANDIDATE_MAX_FAILURES_PER_IP", 100
        ),
        # The oath check-in page opens this long before a ceremony's start and closes this
        # long after it; failures per client and per ceremony are limited within a window.
        "EXAMSITE_OATH_OPEN_BEFORE_MINUTES": _env_int("EXAMSITE_OATH_OPEN_BEFORE_MINUTES", 30),
        "EXAMSITE_OATH_CLOSE_AFTER_MINUTES": _env_int("EXAMSITE_OATH_CLOSE_AFTER_MINUTES", 120),
        "EXAMSITE_OATH_MAX_FAILURES": _env_int("EXAMSITE_OATH_MAX_FAILURES", 10),
        "EXAMSITE_OATH_FAILURE_WINDOW_MINUTES": _env_int(
            "EXAMSITE_OATH_FAILURE_WINDOW_MINUTES", 10
        ),
        "EXAMSITE_SAVE_GRACE_SECONDS": _env_int("EXAMSITE_SAVE_GRACE_SECONDS", 10),
        "EXAMSITE_PROXY_COUNT": _env_int("EXAMSITE_PROXY_COUNT", 0),
        # Only these direct peers may set X-Forwarded-* (checked in core/proxy.py).
        "EXAMSITE_TRUSTED_PROXIES": os.environ.get("EXAMSITE_TRUSTED_PROXIES", "127.0.0.1,::1"),
        "EXAMSITE_PAGE_SIZE": _env_int("EXAMSITE_PAGE_SIZE", 20),
        # The address other computers reach the site at (http://10.1.2.3:8000): every QR
        # code and printed link is built on it (core/urls.py); unset, on the request's host.
        "EXTERNAL_URL": os.environ.get("EXTERNAL_URL", "").strip(),
        # Report reminders by e-mail (flask reports remind); off when no host is set.
        "EXAMSITE_SMTP_HOST": os.environ.get("EXAMSITE_SMTP_HOST", ""),
        "EXAMSITE_SMTP_PORT": _env_int("EXAMSITE_SMTP_PORT", 25),
        "EXAMSITE_SMTP_USER": os.environ.get("EXAMSITE_SMTP_USER", ""),
        "EXAMSITE_SMTP_PASSWORD": os.environ.get("EXAMSITE_SMTP_PASSWORD", ""),
        "EXAMSITE_SMTP_STARTTLS": _env_bool("EXAMSITE_SMTP_STARTTLS", False),
        "EXAMSITE_SMTP_FROM": os.environ.get("EXAMSITE_SMTP_FROM", "examsite@localhost"),
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("EXAMSITE_TIMEZONE", "Asia/Shanghai"),
        "EXAMSITE_LANGUAGES": {"zh_CN": "中文", "en": "English"},
    }
    if overrides:
        cfg.update(overrides)
    # A ping before each request's first query survives a database server that restarted; a
    # SQLite file cannot go away like that, and there the ping is one more query per request.
    cfg.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS",
        {"pool_pre_ping": not cfg["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")},
    )
    if cfg["SQLALCHEMY_DATABASE_URI"].startswith("postgresql://"):
        # psycopg 3 is the driver we ship; plain postgresql:// would look for psycopg2.
        cfg["SQLALCHEMY_DATABASE_URI"] = cfg["SQLALCHEMY_DATABASE_URI"].replace(
            "postgresql://", "postgresql+psycopg://", 1
        )
    external = str(cfg.get("EXTERNAL_URL") or "").strip().rstrip("/")
    if external and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", external):
        raise ConfigError(
            f"EXTERNAL_URL must look like http://10.1.2.3:8000 (scheme and host), not {external!r}."
        )
    cfg["EXTERNAL_URL"] = external
    if cfg["EXAMSITE_ENV"] == "production":
        if not cfg["SECRET_KEY"]:
            raise ConfigError("SECRET_KEY must be set in the environment in production.")
        if cfg["DEBUG"]:
            raise ConfigError("Debug mode must be off in production (unset FLASK_DEBUG).")
    elif not cfg["SECRET_KEY"]:
        cfg["SECRET_KEY"] = _load_or_create_secret(instance_path)
    return cfg
