"""Differences between two revisions of a question (pure: no Flask, no database)."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any

from examsite.bank.formats.fields import REVISION_FIELD_NAMES

#: A revision's fields in display order.
FIELD_ORDER = REVISION_FIELD_NAMES


@dataclass(frozen=True)
class Segment:
    """A run of text that is unchanged ("equal"), removed ("delete") or added ("insert")."""

    kind: str
    text: str


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str
    segments: tuple[Segment, ...]


def _as_text(name: str, value: Any) -> str:
    if name == "options":
        return "\n".join(f"{chr(65 + i)}. {text}" for i, text in enumerate(value))
    if name == "answer":
        return "".join(chr(65 + i) for i in value)
    return str(value)


def text_diff(old: str, new: str) -> tuple[Segment, ...]:
    """Character-level diff (Chinese has no word boundaries to split on)."""
    segments: list[Segment] = []
    matcher = SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(Segment("equal", old[i1:i2]))
        else:
            if i2 > i1:
                segments.append(Segment("delete", old[i1:i2]))
            if j2 > j1:
                segments.append(Segment("insert", new[j1:j2]))
    return tuple(segments)


def revision_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    """The fields that differ between two revisions' contents, in display order."""
    changes = []
    for name in FIELD_ORDER:
        before, after = _as_text(name, old.get(name, "")), _as_text(name, new.get(name, ""))
        if before != after:
            changes.append(FieldChange(name, before, after, text_diff(before, after)))
    return changes
