"""`flask exams ...`: the periodic grading job."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from examsite.exams import answering

exams = AppGroup("exams", help="Exam sittings (考试).")


@exams.command("grade-expired")
def grade_expired() -> None:
    """Grade every paper whose deadline has passed (run every minute from cron)."""
    count = answering.grade_expired()
    click.echo(f"Graded {count} expired papers.")
