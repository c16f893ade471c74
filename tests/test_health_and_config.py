"""Health check and configuration safety."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from examsite import create_app
from examsite.config import ConfigError
from examsite.extensions import db
from tests.fixtures.database import committing, test_db_kind


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_unreachable(tmp_path):
    broken = create_app(
        {
            "SECRET_KEY": "t",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
        }
    )
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_production_refuses_missing_secret(monkeypatch):
    monkeypatch.setenv("EXAMSITE_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_production_refuses_debug(monkeypatch):
    monkeypatch.setenv("EXAMSITE_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigError, match="Debug"):
        create_app()


def test_development_secret_is_generated_once(tmp_path, monkeypatch):
    from examsite.config import build_config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("EXAMSITE_ENV", raising=False)
    first = build_config(tmp_path)["SECRET_KEY"]
    second = build_config(tmp_path)["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_default_database_is_sqlite_in_instance(tmp_path, monkeypatch):
    from examsite.config import build_config

    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert build_config(tmp_path)["SQLALCHEMY_DATABASE_URI"] == (
        f"sqlite:///{tmp_path / 'examsite.sqlite3'}"
    )


def test_postgres_url_uses_psycopg3(tmp_path, monkeypatch):
    from examsite.config import build_config

    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    assert build_config(tmp_path)["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_only_a_database_server_is_pinged_before_use(tmp_path, monkeypatch):
    # A restarted PostgreSQL must not break the next request; a SQLite file needs no ping.
    from examsite.config import build_config

    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    assert build_config(tmp_path)["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert build_config(tmp_path)["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is False


@pytest.mark.skipif(test_db_kind() != "sqlite", reason="SQLite pragmas apply to SQLite only")
def test_sqlite_connections_use_wal_and_foreign_keys(app):
    with app.app_context(), db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000


@pytest.mark.skipif(test_db_kind() != "sqlite", reason="SQLite locking only")
def test_work_outside_requests_takes_the_sqlite_write_lock_first(tmp_path):
    """A cron job that reads then writes must wait for other writers, not fail."""
    import sqlite3

    app = create_app({"SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/l.db"})
    with committing(app):
        with db.engine.connect() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            conn.commit()
        with db.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")  # only a read so far, yet the lock is taken
            other = sqlite3.connect(f"{tmp_path}/l.db", timeout=0)
            try:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
            finally:
                other.close()
        db.engine.dispose()


def test_uploads_go_to_the_shared_folder_when_one_is_configured(app, tmp_path, monkeypatch):
    from examsite.core.uploads import upload_folder

    with committing(app):
        monkeypatch.setitem(app.config, "EXAMSITE_UPLOAD_DIR", None)  # the default: instance/
        assert upload_folder("/srv/inst", "statements") == Path("/srv/inst/uploads/statements")
        monkeypatch.setitem(app.config, "EXAMSITE_UPLOAD_DIR", str(tmp_path))
        assert upload_folder("/srv/inst", "reports") == tmp_path / "reports"
