"""A meeting's 任免名单 imported from the office's spreadsheet: what the parser needs from the
body, the uploaded file kept between the preview and the confirmation, and saving the rows
(persons found by ID number, one matter per row)."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from examsite.appointments.matter_import import MatterParseResult, MatterRow, parse_matters
from examsite.appointments.matters import BUILTIN_POST_KINDS, DEFAULT_STEPS, MatterKind
from examsite.appointments.models import Appointment, MatterRule, Meeting, PostKind
from examsite.core import audit
from examsite.core.body import Body
from examsite.core.uploads import upload_folder
from examsite.exams.models import Attempt, Candidate
from examsite.extensions import db

#: Where an uploaded list waits for its confirmation (under instance/uploads).
STASH_KIND = "matter_imports"
#: A list not confirmed within this many seconds is removed at the next upload.
STASH_SECONDS = 24 * 3600
_TOKEN_RE = re.compile(r"[0-9a-f]{32}")


def _msgid(text: Any) -> str:
    """The Chinese source of a lazily translated name: what is stored, whatever the UI
    language (a LazyString keeps its msgid as the first argument)."""
    args = getattr(text, "_args", None)
    return str(args[0]) if args else str(text)


def post_kind_names(body: Body) -> list[str]:
    """The post kinds a row may name: the built-in ones, then the body's own."""
    own = db.session.scalars(
        select(PostKind.name)
        .where(PostKind.body_id == body.id)
        .order_by(PostKind.position, PostKind.id)
    )
    return [_msgid(name) for name in BUILTIN_POST_KINDS] + list(own)


def parse_for_meeting(
    body: Body, meeting: Meeting, filename: str, data: bytes, max_bytes: int
) -> MatterParseResult:
    """Parse an upload against the body's persons and the meeting's matters (three queries)."""
    known = dict(
        db.session.execute(
            select(Candidate.id_number, Candidate.name)
            .where(Candidate.body_id == body.id)
            .order_by(Candidate.id.desc())  # the oldest row of a number wins, as in saving
        ).all()
    )
    existing = {
        (number, kind.value, post)
        for number, kind, post in db.session.execute(
            select(Candidate.id_number, Appointment.kind, Appointment.proposed_post)
            .join(Candidate, Appointment.candidate_id == Candidate.id)
            .where(Appointment.meeting_id == meeting.id, Appointment.body_id == body.id)
        )
    }
    return parse_matters(
        filename,
        data,
        post_kinds=post_kind_names(body),
        known_names=known,
        existing=existing,
        max_bytes=max_bytes,
    )


# --------------------------------------------------------------------------- the stash


def _stash_path(instance_path: str, body: Body, meeting: Meeting, token: str) -> Path:
    # The body and meeting are in the name: a token is only found from its own meeting.
    return upload_folder(instance_path, STASH_KIND) / f"{body.id}-{meeting.id}-{token}.xlsx"


def stash_upload(instance_path: str, body: Body, meeting: Meeting, data: bytes) -> str:
    """Keep a parsed, valid upload until it is confirmed; the token names it."""
    folder = upload_folder(instance_path, STASH_KIND)
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - STASH_SECONDS
    for old in folder.glob("*.xlsx"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    _stash_path(instance_path, body, meeting, token).write_bytes(data)
    return token


def stashed_upload(instance_path: str, body: Body, meeting: Meeting, token: str) -> bytes | None:
    """The upload a preview kept, or None (unknown, expired or another meeting's)."""
    if not _TOKEN_RE.fullmatch(token or ""):
        return None
    path = _stash_path(instance_path, body, meeting, token)
    return path.read_bytes() if path.is_file() else None


def drop_stash(instance_path: str, body: Body, meeting: Meeting, token: str) -> None:
    if _TOKEN_RE.fullmatch(token or ""):
        _stash_path(instance_path, body, meeting, token).unlink(missing_ok=True)


# --------------------------------------------------------------------------- saving


def persons_by_number(body: Body, numbers: Sequence[str]) -> dict[str, Candidate]:
    """The body's persons with these ID numbers (the oldest row of a number), one query."""
    found: dict[str, Candidate] = {}
    if not numbers:
        return found
    for person in db.session.scalars(
        select(Candidate)
        .where(Candidate.body_id == body.id, Candidate.id_number.in_(set(numbers)))
        .order_by(Candidate.id)
    ):
        found.setdefault(person.id_number, person)
    return found


def _needs_test(body: Body) -> dict[MatterKind, bool]:
    rules = {
        rule.kind: rule.needs_test
        for rule in db.session.scalars(select(MatterRule).where(MatterRule.body_id == body.id))
    }
    return {kind: rules.get(kind, steps.test) for kind, steps in DEFAULT_STEPS.items()}


def _passed_tests(person_ids: Sequence[int]) -> dict[int, int]:
    """Each person's latest passed attempt, one query."""
    latest: dict[int, int] = {}
    if not person_ids:
        return latest
    for candidate_id, attempt_id in db.session.execute(
        select(Attempt.candidate_id, Attempt.id)
        .where(Attempt.candidate_id.in_(person_ids), Attempt.passed.is_(True))
        .order_by(Attempt.graded_at.desc(), Attempt.id.desc())
    ):
        latest.setdefault(candidate_id, attempt_id)
    return latest


def save_matters(body: Body, meeting: Meeting, rows: Sequence[MatterRow], filename: str) -> int:
    """Add the parsed rows (the caller refused any file with an error): a person is found
    by ID number in the body or created; one matter per row on the meeting; one audit
    entry with the count."""
    persons = persons_by_number(body, [row.id_number for row in rows])
    created = 0
    for row in rows:
        if row.id_number not in persons:
            person = Candidate(
                body_id=body.id,
                name=row.name,
                id_number=row.id_number,
                work_unit=row.work_unit,
                proposed_post=row.post,
                batch=meeting.name,
            )
            db.session.add(person)
            persons[row.id_number] = person
            created += 1
    db.session.flush()
    needs_test = _needs_test(body)
    passed = _passed_tests([p.id for p in persons.values()])
    for row in rows:
        person = persons[row.id_number]
        kind = MatterKind(row.kind)
        db.session.add(
            Appointment(
                body_id=body.id,
                candidate_id=person.id,
                meeting_id=meeting.id,
                kind=kind,
                proposed_post=row.post,
                post_kind=row.post_kind,
                nominating_organ=row.nominating_organ,
                test_attempt_id=passed.get(person.id) if needs_test.get(kind) else None,
            )
        )
    audit.record(
        "matter.import",
        target=meeting,
        body=body,
        filename=filename[:200],
        rows=len(rows),
        new_persons=created,
    )
    db.session.flush()
    return len(rows)


audit.register_actions({"matter.import": _l("导入任免名单")})
audit.register_details({"new_persons": _l("新建人员数")}, action="matter.import")
