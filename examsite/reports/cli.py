"""`flask reports remind`: e-mail what is due soon or overdue, once each (meant for cron)."""

from __future__ import annotations

import smtplib
from datetime import date
from email.message import EmailMessage

import click
from flask import current_app
from flask.cli import AppGroup

from examsite.core.controlchars import one_line
from examsite.reports import reminders

reports = AppGroup("reports", help="Post-appointment performance reports (任后履职报告).")


def smtp_sender() -> reminders.Sender | None:
    cfg = current_app.config
    host = cfg.get("EXAMSITE_SMTP_HOST")
    if not host:
        return None

    def send(recipient: str, subject: str, text: str) -> None:
        message = EmailMessage()
        message["From"] = cfg["EXAMSITE_SMTP_FROM"]
        # Header values on one line: a CR/LF would raise here (or inject a header).
        message["To"] = one_line(recipient)
        message["Subject"] = one_line(subject)
        message.set_content(text)
        with smtplib.SMTP(host, cfg["EXAMSITE_SMTP_PORT"], timeout=30) as smtp:
            if cfg["EXAMSITE_SMTP_STARTTLS"]:
                smtp.starttls()
            if cfg.get("EXAMSITE_SMTP_USER"):
                smtp.login(cfg["EXAMSITE_SMTP_USER"], cfg.get("EXAMSITE_SMTP_PASSWORD", ""))
            smtp.send_message(message)

    return send


@reports.command("remind")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Pretend today is this date (YYYY-MM-DD).",
)
def remind(today: object) -> None:
    """Send reminders for reports due within 30 days or overdue; never the same one twice."""
    sender = smtp_sender()
    if sender is None:
        click.echo("SMTP is not configured (EXAMSITE_SMTP_HOST): no reminders sent.")
        return
    day = today.date() if today is not None else date.today()  # type: ignore[attr-defined]
    count = reminders.send_reminders(day, sender)
    click.echo(f"Sent {count} reminders.")
