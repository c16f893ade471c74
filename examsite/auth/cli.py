"""`flask create-admin`: the first administrator of a fresh instance."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from examsite.auth import services
from examsite.auth.forms import USERNAME_RE
from examsite.auth.passwords import policy_problems
from examsite.core.body import LEVEL_COUNTY, Body
from examsite.core.roles import ROLE_ADMIN
from examsite.extensions import db


@click.command("create-admin")
@with_appcontext
@click.option("--body", "body_code", required=True, help="Code of the municipal body.")
@click.option("--username", required=True)
@click.option("--name", required=True, help="The administrator's name.")
@click.password_option(help="Prompted for when not given.")
def create_admin(body_code: str, username: str, name: str, password: str) -> None:
    """Create a municipal administrator (sees and manages every body below its own)."""
    body = db.session.scalars(select(Body).where(Body.code == body_code)).first()
    if body is None:
        raise click.BadParameter(f"no body with code {body_code!r}", param_hint="--body")
    if body.level == LEVEL_COUNTY:
        raise click.BadParameter("administrators belong to a municipal body", param_hint="--body")
    username = username.strip().lower()
    if not USERNAME_RE.match(username):
        raise click.BadParameter("3-64 of a-z 0-9 . _ -", param_hint="--username")
    if services.username_taken(username):
        raise click.ClickException(f"username {username!r} is taken")
    problems = policy_problems(password, username)
    if problems:
        raise click.ClickException("password too weak: " + ", ".join(problems))
    user, _ = services.create_staff(
        body, username=username, name=name, role=ROLE_ADMIN, password=password
    )
    click.echo(f"Created administrator {user.username} for {body.name}.")
