"""`flask reports remind`: e-mail what is due soon or overdue, once each (meant for cron)."""

from __future__ import annotations

import smtplib
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

import click
from flask import current_app
from flask.cli import AppGroup

from examsite.core.controlchars import one_line
from examsite.reports import reminders

reports = AppGroup("reports", help="Post-appointment performance reports (任后履职报告).")


def _sender_domain(sender: str) -> str:
    """The domain of the From address (Message-ID's right-hand side); the host's name else."""
    _name, address = parseaddr(sender)
    domain = address.rpartition("@")[2]
    return domain or "examsite.localdomain"


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
        # Mail servers and clients expect both; some spam filters refuse mail without them.
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain=_sender_domain(cfg["EXAMSITE_SMTP_FROM"]))
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
        # Non-zero, so cron mails the operator instead of staying silent for months.
        raise click.ClickException(
            "Mail is not configured: set EXAMSITE_SMTP_HOST (and EXAMSITE_SMTP_FROM) "
            "to send reminders. No reminders sent."
        )
    day = today.date() if today is not None else date.today()  # type: ignore[attr-defined]
    count = reminders.send_reminders(day, sender)
    click.echo(f"Sent {count} reminders.")
