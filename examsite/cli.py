"""Registers every feature's commands on the app's `flask` CLI."""

from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    from examsite.auth.cli import create_admin
    from examsite.bank.cli import questions
    from examsite.bodies.cli import bodies
    from examsite.core.audit_cli import audit
    from examsite.core.backup import backup, restore
    from examsite.demo import demo
    from examsite.exams.cli import exams
    from examsite.reports.cli import reports

    app.cli.add_command(audit)
    app.cli.add_command(bodies)
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    app.cli.add_command(create_admin)
    app.cli.add_command(demo)
    app.cli.add_command(questions)
    app.cli.add_command(exams)
    app.cli.add_command(reports)
