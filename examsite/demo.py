"""`flask demo`: load demonstration data once (running it again changes nothing)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from examsite.auth import services as auth_services
from examsite.auth.models import ROLE_ADMIN, ROLE_BODY_ADMIN, ROLE_STAFF, User
from examsite.bank import services as bank_services
from examsite.bank.models import PURPOSE_PRACTICE, Question
from examsite.bodies import services as body_services
from examsite.bodies.models import LEVEL_COUNTY, LEVEL_MUNICIPAL, Body
from examsite.extensions import db

#: The bank shipped with the site (one CSV file per law).
SHIPPED_BANK = Path(__file__).resolve().parent.parent / "question_bank"

#: Shared by every demo account; printed by the command and written in the README.
DEMO_PASSWORD = "Demo2026exam"  # noqa: S105 (documented demo login) # nosec B105

DEMO_BODIES = [
    ("city", "示例市人大常委会", LEVEL_MUNICIPAL, None),
    ("east", "东城区人大常委会", LEVEL_COUNTY, "city"),
    ("west", "西山县人大常委会", LEVEL_COUNTY, "city"),
]

DEMO_USERS = [
    ("admin", "市管理员", ROLE_ADMIN, "city"),
    ("city-staff", "市工作人员", ROLE_STAFF, "city"),
    ("east-admin", "东城区管理员", ROLE_BODY_ADMIN, "east"),
    ("east-staff", "东城区工作人员", ROLE_STAFF, "east"),
    ("west-admin", "西山县管理员", ROLE_BODY_ADMIN, "west"),
    ("west-staff", "西山县工作人员", ROLE_STAFF, "west"),
]


def load_demo(bank_dir: Path | None = None) -> list[str]:
    """Create what is missing of the demo data; returns what was created."""
    created = []
    for code, name, level, parent_code in DEMO_BODIES:
        if db.session.scalars(select(Body).where(Body.code == code)).first() is None:
            parent = (
                db.session.scalars(select(Body).where(Body.code == parent_code)).one()
                if parent_code
                else None
            )
            body_services.create_body(code=code, name=name, level=level, parent=parent)
            created.append(f"body {code}")
    for username, name, role, body_code in DEMO_USERS:
        if db.session.scalars(select(User).where(User.username == username)).first() is None:
            body = db.session.scalars(select(Body).where(Body.code == body_code)).one()
            auth_services.create_staff(
                body, username=username, name=name, role=role, password=DEMO_PASSWORD
            )
            created.append(f"user {username}")
    city = db.session.scalars(select(Body).where(Body.code == "city")).one()
    has_bank = db.session.scalars(select(Question.id).where(Question.body_id == city.id).limit(1))
    if has_bank.first() is None:
        root = bank_dir or SHIPPED_BANK
        for file in sorted(root.glob("*.csv")):
            result = bank_services.import_file(city, file.name, file.read_bytes())
            created.append(f"{len(result.questions)} questions from {file.name}")
        # The practice set (question_bank/practice/): shown with its keys, never in a paper.
        for file in sorted((root / "practice").glob("*.csv")):
            result = bank_services.import_file(
                city, f"practice/{file.name}", file.read_bytes(), purpose=PURPOSE_PRACTICE
            )
            created.append(f"{len(result.questions)} practice questions from {file.name}")
        bank_services.publish(city)  # the counties see and draw the shipped bank
    return created


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has any body.")
@with_appcontext
def demo(if_empty: bool) -> None:
    """Load demo bodies and accounts (idempotent)."""
    if if_empty and db.session.scalars(select(Body).limit(1)).first() is not None:
        click.echo("The database is not empty: demo data not loaded.")
        created = []
    else:
        created = load_demo()
    for line in created:
        click.echo(f"  created {line}")
    click.echo("Demo data loaded." if created else "Demo data present.")
    click.echo("Demo logins (password for all: " + DEMO_PASSWORD + "):")
    for username, _name, role, body_code in DEMO_USERS:
        click.echo(f"  {username:<12} {role:<11} {body_code}")
