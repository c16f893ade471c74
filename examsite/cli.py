"""Registers every feature's commands on the app's `flask` CLI."""

from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    from examsite.auth.cli import create_admin
    from examsite.bank.cli import questions
    from examsite.bodies.cli import bodies
    from examsite.core.audit_cli import audit
    from examsite.core.backup import backup, restore
    from examsite.core.transaction import commit_each_command
    from examsite.demo import demo
    from examsite.exams.cli import exams
    from examsite.reports.cli import reports
    from examsite.statistics.cli import statistics

    for command in (
        audit,
        bodies,
        backup,
        restore,
        create_admin,
        demo,
        questions,
        exams,
        reports,
        statistics,
    ):
        commit_each_command(command)  # one transaction per command, as per request
        app.cli.add_command(command)
