"""An iCalendar (RFC 5545) file written by hand (pure): the ``icalendar`` package is not a
dependency, so the few rules a calendar program relies on are kept here.

- UTF-8 only, lines ending in CRLF;
- TEXT values escaped (backslash, semicolon, comma, line breaks as ``\\n``); any other
  control character becomes a space, so a stored value can never start a property of its
  own;
- lines folded at 75 octets (the continuation's leading space counted), never inside a
  UTF-8 character;
- times are local to Asia/Shanghai, given with ``TZID`` and the ``VTIMEZONE`` that defines
  it (+0800 all year: China has had no daylight saving time since 1991).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

TZID = "Asia/Shanghai"
LIMIT = 75

VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0800",
    "TZOFFSETTO:+0800",
    "TZNAME:CST",
    "END:STANDARD",
    "END:VTIMEZONE",
)

_BREAK_RE = re.compile(r"\r\n|\r|\n")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Event:
    """One event; ``start`` and ``end`` are naive local times in Asia/Shanghai."""

    uid: str
    start: datetime
    end: datetime
    summary: str
    description: str = ""


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11)."""
    text = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    text = _BREAK_RE.sub("\\\\n", text)
    return _CONTROL_RE.sub(" ", text)


def fold(line: str, limit: int = LIMIT) -> str:
    """RFC 5545 3.1: a line longer than ``limit`` octets goes on after CRLF and a space; a
    multi-octet character is never split."""
    parts, current, size = [], "", 0
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            parts.append(current)
            current, size = " ", 1
        current += char
        size += octets
    parts.append(current)
    return "\r\n".join(parts)


def _local(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%S")


def calendar(events: Iterable[Event], *, name: str, stamp: datetime) -> str:
    """The whole file; ``stamp`` (UTC) is the DTSTAMP of every event."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//examsite//reports//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"X-WR-TIMEZONE:{TZID}",
        *VTIMEZONE,
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{escape_text(event.uid)}",
            f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
            f"DTSTART;TZID={TZID}:{_local(event.start)}",
            f"DTEND;TZID={TZID}:{_local(event.end)}",
            f"SUMMARY:{escape_text(event.summary)}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{escape_text(event.description)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
