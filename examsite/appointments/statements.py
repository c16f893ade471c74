"""任前表态发言: a statement's record, its sanitized text and its file."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

from examsite.appointments.models import Appointment, Statement
from examsite.appointments.statement_text import from_plain, sanitize
from examsite.core import audit
from examsite.core.filecheck import check_upload, store_upload
from examsite.core.uploads import upload_folder
from examsite.extensions import db

#: How the text was written: the page's editor (HTML, sanitised) or the plain textarea
#: without scripts (paragraphs of text, escaped).
TEXT_HTML = "html"
TEXT_PLAIN = "plain"


def save_statement(
    appointment: Appointment,
    *,
    order: int,
    delivered: bool,
    delivered_on: date | None,
    text: str,
    upload: tuple[str, bytes] | None,
    instance_path: str,
    max_bytes: int,
    text_format: str = TEXT_HTML,
) -> Statement:
    """Record the statement; an uploaded file is checked before anything is written."""
    if upload:  # checked before anything changes
        check_upload(upload[0], upload[1], max_bytes)
    statement = appointment.statement or Statement(
        body_id=appointment.body_id, appointment=appointment
    )
    statement.order = order
    statement.delivered = delivered
    statement.delivered_on = delivered_on if delivered else None
    statement.text = sanitize(text) if text_format == TEXT_HTML else from_plain(text)
    if upload:
        name, kind = store_upload(
            upload_folder(instance_path, "statements"), upload[0], upload[1], max_bytes
        )
        statement.file_path, statement.file_name, statement.file_type = name, upload[0][:255], kind
    db.session.add(statement)
    audit.record(
        "statement.save", target=appointment, delivered=delivered, file=statement.file_name or None
    )
    db.session.flush()
    return statement


audit.register_actions(
    {
        "statement.save": _l("记录任前表态发言"),
        "statement.download": _l("下载表态发言文件"),
    }
)
