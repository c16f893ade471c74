"""`flask demo`: load demonstration data once (running it again changes nothing)."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from examsite.auth import services as auth_services
from examsite.auth.models import User
from examsite.bank import importing as bank_importing
from examsite.bank import sharing as bank_sharing
from examsite.bank.formats.laws import bank_files
from examsite.bank.models import PURPOSE_PRACTICE, Question
from examsite.bodies import services as body_services
from examsite.core.body import LEVEL_COUNTY, LEVEL_MUNICIPAL, Body
from examsite.core.roles import ROLE_ADMIN, ROLE_BODY_ADMIN, ROLE_STAFF
from examsite.core.timeutil import utcnow
from examsite.demo_term import TermExists, generate_term
from examsite.exams import candidates as exam_candidates
from examsite.exams import sittings
from examsite.exams.domain import idcard
from examsite.exams.models import Attempt, Candidate, Sitting
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
        for file in bank_files(root):
            result = bank_importing.import_file(city, file.name, file.read_bytes())
            created.append(f"{len(result.questions)} questions from {file.name}")
        # The practice set (question_bank/practice/): shown with its keys, never in a paper.
        for file in bank_files(root / "practice"):
            result = bank_importing.import_file(
                city, f"practice/{file.name}", file.read_bytes(), purpose=PURPOSE_PRACTICE
            )
            created.append(f"{len(result.questions)} practice questions from {file.name}")
        bank_sharing.publish(city)  # the counties see and draw the shipped bank
    created.extend(_demo_sitting())
    return created


#: East's demo candidates (fictional ID numbers with a correct check character).
DEMO_CANDIDATES = [
    ("示例考生甲", "11010119700101001", "东城区发展和改革委员会", "主任"),
    ("示例考生乙", "11010119750315002", "东城区教育委员会", "主任"),
    ("示例考生丙", "11010119800620003", "东城区人民法院", "审判员"),
    ("示例考生丁", "11010119830909004", "东城区人民检察院", "检察员"),
    ("示例考生戊", "11010119881130005", "东城区财政局", "局长"),
]
DEMO_SITTING_TITLE = "示例任前法律知识考试（演示）"


def _demo_sitting() -> list[str]:
    """An open sitting in east with the demo candidates enrolled, so a newcomer can sit the
    test at once; its login window stays open for a week."""
    east = db.session.scalars(select(Body).where(Body.code == "east")).one()
    if db.session.scalars(
        select(Sitting.id).where(Sitting.body_id == east.id, Sitting.title == DEMO_SITTING_TITLE)
    ).first():
        return []
    people = []
    for name, first17, unit, post in DEMO_CANDIDATES:
        people.append(
            exam_candidates.save_candidate(
                east,
                None,
                {
                    "name": name,
                    "id_number": first17 + idcard.check_char(first17),
                    "work_unit": unit,
                    "proposed_post": post,
                    "post_category": "government",
                    "batch": "第十次常委会会议",
                    "phone": "",
                },
            )
        )
    section: dict[str, dict[str, int]] = {"law_quotas": {}, "difficulty_quotas": {}}
    template = sittings.save_template(
        east,
        None,
        name="标准试卷（演示）",
        duration_minutes=60,
        pass_mark=60.0,
        sections=[
            {"qtype": "single", "count": 20, "points": 2, **section},
            {"qtype": "multiple", "count": 10, "points": 3, **section},
            {"qtype": "true_false", "count": 10, "points": 3, **section},
        ],
        post_categories=[],
    )
    now = utcnow()
    sitting = sittings.save_sitting(
        east,
        None,
        title=DEMO_SITTING_TITLE,
        room="第一考场",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(days=7),
        late_entry_minutes=7 * 24 * 60,
        template_id=template.id,
        category_templates={},
        show_score="at_submit",
        allow_review=True,
        scoring="all_or_nothing",
        second_login="refuse",
        allowed_networks="",
        invigilators=[],
    )
    sittings.enroll(sitting, people)
    sittings.open_sitting(sitting)
    east.public_practice = True  # the demo shows the open practice at /practice/east
    db.session.flush()
    return [f"open sitting {sitting.id} in east with {len(people)} candidates"]


def demo_candidate_lines() -> list[str]:
    """``candidate CODE SECRET`` for each demo candidate still able to log in."""
    rows = db.session.execute(
        select(Attempt.admission_code, Candidate.id_number)
        .join(Candidate, Attempt.candidate_id == Candidate.id)
        .join(Sitting, Attempt.sitting_id == Sitting.id)
        .where(Sitting.title == DEMO_SITTING_TITLE)
        .order_by(Attempt.id)
    ).all()
    return [f"candidate {code} {idcard.tail6(number)}" for code, number in rows if code]


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has any body.")
@click.option(
    "--term",
    is_flag=True,
    help="Also generate a five-year term of records (tests, matters, oaths, reports).",
)
@with_appcontext
def demo(if_empty: bool, term: bool) -> None:
    """Load demo bodies and accounts (idempotent); with --term, a demo term too."""
    if if_empty and db.session.scalars(select(Body).limit(1)).first() is not None:
        click.echo("The database is not empty: demo data not loaded.")
        created = []
        term = False
    else:
        created = load_demo()
    for line in created:
        click.echo(f"  created {line}")
    click.echo("Demo data loaded." if created else "Demo data present.")
    if term:
        _demo_term()
    click.echo("Demo logins (password for all: " + DEMO_PASSWORD + "):")
    for username, _name, role, body_code in DEMO_USERS:
        click.echo(f"  {username:<12} {role:<11} {body_code}")
    lines = demo_candidate_lines()
    if lines:
        click.echo("Demo candidates (http://127.0.0.1:5000/exam/login: admission code, ID tail):")
        for line in lines:
            click.echo(line)


def _demo_term() -> None:
    """Generate the demo term and print what it holds, per body and year."""
    started = time.perf_counter()
    try:
        counts = generate_term()
    except TermExists as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Demo term generated in {time.perf_counter() - started:.1f} s:")
    for code, years in counts.by_year.items():
        first, last = counts.terms[code]
        click.echo(f"  {code} (term {first} to {last})")
        for year, stats in [*years.items(), ("all", counts.whole_term[code])]:
            click.echo(
                f"    {year}: {stats.matters} matters ({stats.appointed} appointing, "
                f"{stats.removed} removing), {stats.elected} elected, {stats.sittings} sittings, "
                f"{stats.tested} tested, {stats.passed} passed, {stats.statements} statements, "
                f"{stats.oaths} oaths at {stats.ceremonies} ceremonies, "
                f"{stats.reports} reports in {stats.report_rounds} rounds"
            )
