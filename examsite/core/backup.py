"""`flask backup PATH` and `flask restore PATH`: a consistent copy of the database while the
site runs (SQLite's online backup API; pg_dump for PostgreSQL) and its restoration."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # pg_dump and pg_restore, see backup_to # nosec B404
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, make_url

from examsite.extensions import db


def _pg_args(url: URL) -> tuple[list[str], dict[str, str]]:
    args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432)]
    args += ["-U", url.username or "postgres"]
    env = {"PGPASSWORD": str(url.password)} if url.password else {}
    return args, env


def backup_to(path: Path) -> None:
    """Write a consistent snapshot of the live database to ``path``."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    path.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database or "")
        target = sqlite3.connect(path)
        try:
            source.backup(target)  # page by page, consistent even with writers
        finally:
            target.close()
            source.close()
        return
    args, env = _pg_args(url)
    subprocess.run(  # noqa: S603 (fixed tools, arguments from our own configuration, no shell) # nosec B603
        [_tool("pg_dump"), *args, "-Fc", "-f", str(path), url.database or ""],
        check=True,
        env={**_base_env(), **env},
    )


def restore_from(path: Path) -> None:
    """Replace the database's contents with a backup (stop the site first)."""
    if not path.is_file():
        raise click.ClickException(f"no backup at {path}")
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(path)
        target = sqlite3.connect(url.database or "")
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return
    args, env = _pg_args(url)
    subprocess.run(  # noqa: S603 (fixed tools, arguments from our own configuration, no shell) # nosec B603
        [
            _tool("pg_restore"),
            *args,
            "--clean",
            "--if-exists",
            "--no-owner",
            "-d",
            url.database or "",
            str(path),
        ],
        check=True,
        env={**_base_env(), **env},
    )


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise click.ClickException(
            f"{name} is needed for PostgreSQL backups (apt-get install postgresql-client)"
        )
    return found


def _base_env() -> dict[str, str]:
    return dict(os.environ)


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@with_appcontext
def backup(path: Path) -> None:
    """Back up the database to PATH while the site keeps running."""
    backup_to(path)
    click.echo(f"Backed up to {path} ({path.stat().st_size} bytes).")


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore(path: Path, yes: bool) -> None:
    """Replace the database with the backup at PATH (stop the site first)."""
    if not yes:
        click.confirm("This replaces every record in the database. Continue?", abort=True)
    restore_from(path)
    click.echo(f"Restored from {path}.")
