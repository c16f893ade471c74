"""Control characters (Unicode categories Cc and Cf) in text a person typed (pure).

A single-line value (a name, a title) may hold none of them; a multi-line one may hold line
breaks and tabs. Text already stored is made safe for one-line outputs (e-mail headers,
calendar lines) with :func:`one_line`.
"""

from __future__ import annotations

import re
import unicodedata

#: What a multi-line text (a textarea) may hold besides printable characters.
MULTILINE_ALLOWED = frozenset("\n\r\t")

_CONTROL_CATEGORIES = frozenset({"Cc", "Cf"})
_BREAKS = re.compile(r"[\r\n\t]+")

#: What text read from an uploaded file loses: C0/C1 controls except tab and newline, lone
#: surrogates, the byte-order mark and the Unicode noncharacters U+FDD0..U+FDEF (the GIFT
#: parser uses those as placeholders).
FILE_JUNK_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufdd0-\ufdef]")


def is_control(char: str) -> bool:
    """True for a character of the Unicode categories Cc (C0, DEL, C1) and Cf (format)."""
    return unicodedata.category(char) in _CONTROL_CATEGORIES


def first_control(text: str, *, multiline: bool = False) -> str | None:
    """The first control character of the text that is not allowed, or None."""
    if text.isprintable():
        # The common case, decided in C: printable text holds no Cc or Cf character.
        return None
    allowed = MULTILINE_ALLOWED if multiline else frozenset()
    for char in text:
        if char not in allowed and is_control(char):
            return char
    return None


def one_line(text: str) -> str:
    """The text on one line: line breaks and tabs become a space, other control characters
    are dropped."""
    if text.isprintable():
        return text
    return "".join(char for char in _BREAKS.sub(" ", text) if not is_control(char))
