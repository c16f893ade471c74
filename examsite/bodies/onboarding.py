"""Onboarding counties: a body, its first administrator and (optionally) the parent's paper
templates, one at a time or many from one spreadsheet (all or nothing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from examsite.auth.forms import USERNAME_RE
from examsite.auth.models import User
from examsite.auth.passwords import temporary_password
from examsite.auth.services import temporary_password_expiry
from examsite.bank.formats.tables import read_rows
from examsite.bodies.forms import CODE_RE
from examsite.core import audit
from examsite.core.body import LEVEL_COUNTY, Body
from examsite.core.errors import UserError
from examsite.core.roles import ROLE_BODY_ADMIN
from examsite.exams.models import PaperTemplate
from examsite.extensions import db

HEADERS = {
    "代码": "code",
    "名称": "name",
    "上级代码": "parent",
    "管理员用户名": "username",
    "管理员姓名": "admin_name",
}


@dataclass(frozen=True)
class Onboarded:
    body: Body
    admin: User
    password: str


@dataclass
class Plan:
    """Rows read from a file, each with its line, and every problem found."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def check_rows(rows: list[dict[str, Any]], allowed_parents: dict[str, Body]) -> list[str]:
    """Every reason a set of new bodies cannot be created, with its line number."""
    problems: list[str] = []
    codes = set(db.session.scalars(select(Body.code)))
    names = set(db.session.scalars(select(Body.name)))
    usernames = set(db.session.scalars(select(User.username)))
    seen: dict[str, dict[str, int]] = {"code": {}, "name": {}, "username": {}}
    for row in rows:
        line = row["line"]

        def bad(message: Any, line: int = line) -> None:
            problems.append(_("第 %(line)s 行：", line=line) + str(message))

        code, name = row["code"].strip().lower(), row["name"].strip()
        username, admin_name = row["username"].strip().lower(), row["admin_name"].strip()
        if not CODE_RE.match(code):
            bad(_l("代码“%(v)s”须以小写字母开头，只含小写字母、数字和连字符。", v=code))
        elif code in codes:
            bad(_l("代码“%(v)s”已被使用。", v=code))
        if not name:
            bad(_l("缺少名称。"))
        elif name in names:
            bad(_l("名称“%(v)s”已被使用。", v=name))
        if row["parent"].strip().lower() not in allowed_parents:
            bad(_l("上级代码“%(v)s”不存在或不在您管理的范围内。", v=row["parent"]))
        if not USERNAME_RE.match(username):
            bad(_l("管理员用户名“%(v)s”不符合要求。", v=username))
        elif username in usernames:
            bad(_l("管理员用户名“%(v)s”已被使用。", v=username))
        if not admin_name:
            bad(_l("缺少管理员姓名。"))
        for key, value in (("code", code), ("name", name), ("username", username)):
            if value and value in seen[key]:
                bad(_l("与第 %(first)s 行重复：%(v)s", first=seen[key][value], v=value))
            elif value:
                seen[key][value] = line
    return problems


def _create(row: dict[str, Any], parent: Body, copy_templates: bool) -> Onboarded:
    body = Body(
        code=row["code"].strip().lower(),
        name=row["name"].strip(),
        level=LEVEL_COUNTY,
        parent=parent,
        uses_parent_bank=row.get("uses_parent_bank", True),
        own_questions=row.get("own_questions", True),
    )
    password = temporary_password()
    admin = User(
        body=body,
        username=row["username"].strip().lower(),
        name=row["admin_name"].strip(),
        role=ROLE_BODY_ADMIN,
        must_change_password=True,
        # Handed over in person or on paper: it stops working if not changed in time.
        password_expires_at=temporary_password_expiry(),
    )
    admin.set_password(password)
    db.session.add_all([body, admin])
    db.session.flush()
    copied = 0
    if copy_templates:
        for template in db.session.scalars(
            select(PaperTemplate).where(PaperTemplate.body_id == parent.id)
        ):
            db.session.add(
                PaperTemplate(
                    body_id=body.id,
                    name=template.name,
                    duration_minutes=template.duration_minutes,
                    pass_mark=template.pass_mark,
                    sections=template.sections,
                    post_categories=template.post_categories,
                )
            )
            copied += 1
    audit.record(
        "body.onboard",
        target=body,
        body=body,
        code=body.code,
        admin=admin.username,
        templates=copied,
    )
    return Onboarded(body=body, admin=admin, password=password)


def onboard(
    rows: list[dict[str, Any]], allowed_parents: dict[str, Body], copy_templates: bool
) -> list[Onboarded]:
    """Create every body or none (raises ValueError with the problems)."""
    problems = check_rows(rows, allowed_parents)
    if problems:
        raise OnboardingError(problems)
    done = [_create(r, allowed_parents[r["parent"].strip().lower()], copy_templates) for r in rows]
    db.session.flush()
    return done


class OnboardingError(UserError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def read_file(filename: str, data: bytes, max_bytes: int) -> Plan:
    """Rows of a bulk onboarding sheet (代码, 名称, 上级代码, 管理员用户名, 管理员姓名)."""
    read = read_rows(filename, data, max_bytes)
    plan = Plan()
    if read.problems:
        plan.problems = [p.render(_) for p in read.problems]
        return plan
    if not read.rows:
        plan.problems = [_("文件中没有内容。")]
        return plan
    header_line, header = read.rows[0]
    columns = {HEADERS[c.strip()]: i for i, c in enumerate(header) if c.strip() in HEADERS}
    missing = [k for k, v in HEADERS.items() if v not in columns]
    if missing:
        plan.problems = [
            _("第 %(line)s 行：缺少必需的列：%(cols)s。", line=header_line, cols="、".join(missing))
        ]
        return plan
    for line, cells in read.rows[1:]:
        plan.rows.append(
            {
                "line": line,
                **{
                    key: (str(cells[i]) if i < len(cells) and cells[i] is not None else "")
                    for key, i in columns.items()
                },
            }
        )
    if not plan.rows:
        plan.problems = [_("文件中没有要接入的机关。")]
    return plan


audit.register_actions({"body.onboard": _l("接入区县")})
