"""Chinese resident identity numbers (公民身份号码, GB 11643-1999).

18 characters: a 6-digit address code, the birth date ``YYYYMMDD``, a 3-digit sequence
number and a check character computed with ISO 7064 MOD 11-2 (``0``-``9`` or ``X``).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Final

__all__ = ["check_char", "is_valid", "mask", "normalize", "tail6"]

_WEIGHTS: Final = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 …
_CHECK_CHARS: Final = "10X98765432"
_SHAPE_RE: Final = re.compile(r"[0-9]{17}[0-9X]")
_FIRST17_RE: Final = re.compile(r"[0-9]{17}")


def normalize(value: str) -> str:
    """Remove every space (half/full-width, anywhere), turn full-width characters into
    half-width ones (NFKC) and a lower-case ``x`` into ``X``."""
    text = unicodedata.normalize("NFKC", value or "")
    return "".join(text.split()).replace("x", "X")


def check_char(first17: str) -> str:
    """The check character for the first 17 digits; ``ValueError`` unless 17 ASCII digits."""
    if not _FIRST17_RE.fullmatch(first17):
        raise ValueError("expected exactly 17 digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def birth_date(value: str) -> date | None:
    """The birth date encoded in ``value`` (normalized first), or ``None`` if it is no real
    date between 1900-01-01 and ``today``.  Only the shape is checked, not the checksum."""
    return _birth_date(normalize(value), date.today())


def _birth_date(number: str, today: date) -> date | None:
    if not _SHAPE_RE.fullmatch(number):
        return None
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    return born if date(1900, 1, 1) <= born <= today else None


def is_valid(value: str, *, today: date | None = None) -> bool:
    """True for an 18-character number (after ``normalize``): 17 digits and the right check
    character, with a real birth date from 1900 up to ``today`` (default: the system date)."""
    number = normalize(value)
    if _birth_date(number, today or date.today()) is None:
        return False
    return check_char(number[:17]) == number[17]


#: A mask always ends in this many stars, whatever the length: it tells nothing of the end.
MASK_STARS = 8


def mask(value: str) -> str:
    """For display and print: ``110101199003071234`` -> ``110101********``.

    The last 6 characters are the candidate's login secret (the admission code is printed
    on the slip), so no mask shows any of them: at most the first 6 characters, and never
    one of the last 6 of a shorter number."""
    text = normalize(value)
    return text[: max(0, min(6, len(text) - 6))] + "*" * MASK_STARS


def tail6(value: str) -> str:
    """The last 6 characters of the normalized number (the candidate's login secret)."""
    return normalize(value)[-6:]
