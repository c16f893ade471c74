"""Aiken: single-choice questions in plain text.

::

    中华人民共和国的一切权力属于（　）。
    A. 人民
    B. 全国人民代表大会
    ANSWER: A

* The stem is every line up to the first option (several lines are joined with ``\\n``).
* Options: ``A.`` ``A)`` (also full-width ``Ａ．``/``A）`` and ``A、``), letters in order
  from A; the space after the mark is optional.  A line only counts as an option when its
  letter is the next expected one (``A`` starts the options).
* ``ANSWER: X`` (case-insensitive, full-width colon and ``答案：`` accepted) ends the
  question; one letter only -- Aiken is single choice.
* Blank lines are ignored.  A stem line after the options but before ``ANSWER:`` means the
  previous question lacks its ``ANSWER:`` line: it is reported and a new question starts.
* Every error is reported at the question's first line (its ``source_line``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from typing import Final

from examsite.bank.formats.model import N_, ParseResult, QuestionType, failed
from examsite.bank.formats.normalize import decode_text
from examsite.bank.formats.validation import Collector, validate_question

__all__ = ["ANSWER_LINE_RE", "parse_aiken"]

OPTION_LINE_RE: Final = re.compile(r"^([A-Za-zＡ-Ｚａ-ｚ])\s*[.)、．）]\s*(.*)$", re.DOTALL)
ANSWER_LINE_RE: Final = re.compile(r"^(?:ANSWER|答案)\s*[:：]\s*(.*)$", re.IGNORECASE)


class _Pending:
    def __init__(self, line: int) -> None:
        self.line = line
        self.stem: list[str] = []
        self.options: list[str] = []
        self.broken = False


def parse_aiken(
    source: str | bytes, *, existing: Collection[tuple[str, str]] | None = None
) -> ParseResult:
    """Parse Aiken text (bytes are decoded as UTF-8, else GBK)."""
    if isinstance(source, bytes):
        decoded = decode_text(source)
        if decoded is None:
            return failed(
                "bad_encoding", N_("文件编码无法识别，请使用 UTF-8 或 GBK 编码保存。"), fmt="aiken"
            )
        source = decoded
    c = Collector("aiken", existing)
    pending: _Pending | None = None

    def missing_answer(q: _Pending) -> None:
        if not q.broken:
            c.error("missing_answer", N_("第 %(line)s 行：题目缺少“ANSWER:”答案行。"), line=q.line)

    for number, raw in enumerate(source.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        answer = ANSWER_LINE_RE.match(line)
        if answer:
            if pending is None:
                c.error("bad_syntax", N_("第 %(line)s 行：“ANSWER:”行前面没有题目。"), line=number)
            else:
                _finish(pending, answer.group(1), c)
                pending = None
            continue
        option = OPTION_LINE_RE.match(line)
        if option:
            letter = unicodedata.normalize("NFKC", option.group(1)).upper()
            expected = chr(ord("A") + len(pending.options)) if pending else "A"
            if letter == expected:
                if pending is None:
                    pending = _Pending(number)
                pending.options.append(option.group(2))
                continue
            if pending is not None and pending.options:
                if not pending.broken:
                    c.error(
                        "option_gap",
                        N_("第 %(line)s 行：选项字母应为 %(expected)s，实际为 %(letter)s。"),
                        line=number,
                        expected=expected,
                        letter=letter,
                    )
                pending.broken = True
                continue
        # A stem line.
        if pending is not None and pending.options:
            missing_answer(pending)
            pending = None
        if pending is None:
            pending = _Pending(number)
        pending.stem.append(line)
    if pending is not None:
        missing_answer(pending)
    return c.result()


def _finish(q: _Pending, raw_answer: str, c: Collector) -> None:
    if q.broken:
        return
    letters = re.sub(r"[\s,;、，；]+", "", unicodedata.normalize("NFKC", raw_answer)).upper()
    if letters and not re.fullmatch(r"[A-Z]+", letters):
        c.error(
            "bad_answer",
            N_("第 %(line)s 行：无法识别答案“%(answer)s”，应为一个选项字母。"),
            line=q.line,
            answer=raw_answer.strip(),
        )
        return
    if len(letters) > 1:
        c.error(
            "wrong_answer_count",
            N_("第 %(line)s 行：Aiken 格式只支持单选题，答案只能是一个字母，现为“%(answer)s”。"),
            line=q.line,
            answer=letters,
        )
        return
    c.accept(
        validate_question(
            line=q.line,
            qtype=QuestionType.SINGLE,
            stem="\n".join(q.stem),
            options=q.options,
            answer=tuple(ord(ch) - ord("A") for ch in letters),
        )
    )
