"""`flask bodies ...`: manage congress bodies from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from examsite.bodies import services
from examsite.bodies.forms import CODE_RE
from examsite.core.body import LEVELS, Body
from examsite.extensions import db

bodies = AppGroup("bodies", help="Congress bodies (人大常委会).")


@bodies.command("add")
@click.option("--code", required=True, help="Short lower-case code used in URLs, e.g. east.")
@click.option("--name", required=True, help="Chinese name, e.g. 东城区人大常委会.")
@click.option("--level", type=click.Choice(LEVELS), default="county", show_default=True)
@click.option("--parent", "parent_code", default=None, help="Code of the body above it.")
def add(code: str, name: str, level: str, parent_code: str | None) -> None:
    """Add a congress body."""
    code = code.strip().lower()
    if not CODE_RE.match(code):
        raise click.BadParameter(
            "lower-case letter first, then letters, digits or '-'", param_hint="--code"
        )
    parent = None
    if parent_code:
        parent = db.session.scalars(select(Body).where(Body.code == parent_code)).first()
        if parent is None:
            raise click.BadParameter(f"no body with code {parent_code!r}", param_hint="--parent")
    try:
        body = services.create_body(code=code, name=name, level=level, parent=parent)
    except services.BodyError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created body {body.code} ({body.name}).")


@bodies.command("list")
def list_bodies() -> None:
    """List all congress bodies."""
    for body in db.session.scalars(select(Body).order_by(Body.code)):
        parent = body.parent.code if body.parent else "-"
        click.echo(f"{body.code}\t{body.level}\t{parent}\t{body.name}")
