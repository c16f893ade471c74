"""One transaction per request and per CLI command (issue 17, item 6): services only flush;
a request that fails or is refused, however many rows it had touched, leaves the database
as it was; one that succeeds keeps everything."""

from __future__ import annotations

import ast
from pathlib import Path

import click
import pytest
from flask.cli import with_appcontext
from sqlalchemy import select

from examsite.bodies import services as body_services
from examsite.core import audit
from examsite.core.audit import AuditEvent
from examsite.core.body import Body
from examsite.core.transaction import committed
from examsite.exams.models import Attempt, Sitting
from examsite.exams.states import ExamError, SittingStatus
from examsite.extensions import db
from tests.fixtures.database import committing
from tests.fixtures.factories import count

ROOT = Path(__file__).resolve().parent.parent / "examsite"


def _fail_at(monkeypatch, action: str, error: Exception) -> None:
    """Make the audit entry of ``action`` (written last, after every other row) fail."""
    real = audit.record

    def record(name, *args, **kwargs):
        if name == action:
            raise error
        return real(name, *args, **kwargs)

    monkeypatch.setattr(audit, "record", record)


def _opened_rows(app, sitting_id: int) -> tuple[str, int, int]:
    with committing(app):
        sitting = db.session.get(Sitting, sitting_id)
        papers = sum(1 for a in db.session.scalars(select(Attempt)) if a.paper is not None)
        logged = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "sitting.open")
        ).all()
        return sitting.status, papers, len(logged)


@pytest.fixture
def scheduled(world, make_bank, make_sitting):
    make_bank("city")
    return make_sitting("east", candidates=12)


def test_a_request_that_fails_half_way_writes_nothing(app, scheduled, login_as, monkeypatch):
    # Opening draws a paper for each of the 12 candidates, then changes the sitting, then
    # writes the audit entry: the failure comes after 13 rows were flushed.
    admin = login_as("east-admin")
    _fail_at(monkeypatch, "sitting.open", RuntimeError("disk full"))
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = admin.post(f"/bodies/east/invigilate/{scheduled.id}/open")
    assert response.status_code == 500
    assert "系统出现错误" in response.get_data(as_text=True)
    assert _opened_rows(app, scheduled.id) == (SittingStatus.DRAFT, 0, 0)


def test_a_refusal_after_writes_undoes_them_and_says_why(app, scheduled, login_as, monkeypatch):
    admin = login_as("east-admin")
    _fail_at(monkeypatch, "sitting.open", ExamError("此次操作被拒绝。"))
    response = admin.post(f"/bodies/east/invigilate/{scheduled.id}/open")
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "此次操作被拒绝。" in page
    assert _opened_rows(app, scheduled.id) == (SittingStatus.DRAFT, 0, 0)


def test_the_same_request_succeeding_keeps_every_row(app, scheduled, login_as):
    admin = login_as("east-admin")
    assert admin.post(f"/bodies/east/invigilate/{scheduled.id}/open").status_code == 302
    assert _opened_rows(app, scheduled.id) == (SittingStatus.OPEN, 12, 1)


def _body_command(fail: bool) -> click.Command:
    @click.command("make-two-bodies")
    @with_appcontext
    @committed
    def make_two_bodies() -> None:
        city = db.session.scalars(select(Body).where(Body.code == "city")).one()
        body_services.create_body(code="north", name="北区人大常委会", level="county", parent=city)
        body_services.create_body(code="south", name="南区人大常委会", level="county", parent=city)
        if fail:
            raise click.ClickException("第二步失败")

    return make_two_bodies


@pytest.mark.parametrize("fail", [True, False])
def test_a_cli_command_commits_all_or_nothing(app, world, fail):
    result = app.test_cli_runner().invoke(_body_command(fail))
    assert (result.exit_code != 0) is fail, result.output
    kept = count(app, Body, Body.code.in_(["north", "south"]))
    assert kept == (0 if fail else 2)


def test_no_service_commits():
    # The end of the request (core/transaction.py) is the one place that commits.
    offenders = [
        f"{path.relative_to(ROOT.parent)}:{n}"
        for path in ROOT.rglob("*.py")
        if path.name != "transaction.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "session.commit()" in line
    ]
    assert offenders == []


_NOT_REFUSALS = {
    "ValueError",
    "IndexError",
    "KeyError",
    "TypeError",
    "OperationalError",
    "SQLAlchemyError",
}


def _names(node: ast.expr | None) -> list[str]:
    if node is None:
        return []
    if isinstance(node, ast.Tuple):
        return [n for elt in node.elts for n in _names(elt)]
    if isinstance(node, ast.Attribute):
        return [node.attr]
    if isinstance(node, ast.Name):
        return [node.id]
    return []


def test_every_view_that_catches_a_refusal_rolls_it_back():
    # A view that shows a refusal on a 200 page or redirects after it would otherwise
    # commit what the service wrote before refusing.
    missing = []
    for path in ROOT.rglob("*.py"):
        if "views" not in path.as_posix():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ExceptHandler):
                continue
            caught = [n for n in _names(node.type) if n.endswith("Error")]
            if not caught or set(caught) <= _NOT_REFUSALS:
                continue
            calls = {
                c.func.id
                for stmt in node.body
                for c in ast.walk(stmt)
                if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
            }
            if "refused" not in calls:
                missing.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}")
    assert missing == []
