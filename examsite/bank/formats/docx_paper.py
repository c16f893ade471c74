"""Word (.docx) exam papers in the layout committees keep them in.

::

    一、单项选择题（每题2分，共40分）
    1. 中华人民共和国的一切权力属于（　）。
    A. 人民
    B. 全国人民代表大会
    答案：A
    解析：宪法第二条。
    法律依据：《中华人民共和国宪法》第二条
    三、判断题
    1、国务院实行总理负责制。（ √ ）

* Sections: a paragraph naming the type (单选题 / 单项选择题 / 多选题 / 多项选择题 / 判断题 /
  是非题), optionally numbered (``一、`` ``（一）`` ``第一部分``) and followed by a bracketed
  note (scores).  A numbered heading with any other type (``四、填空题``) is an error and
  its questions are not read.  Without a section the type follows from the question:
  no options -> 判断, one key letter -> 单选, several -> 多选 (so too under 选择题 and
  不定项选择题).
* Questions: ``1.`` ``1、`` ``1．`` ``1)`` ``（1）``; the stem runs to the first option.  In a
  解析 or 法律依据 a numbered paragraph is a new question only when it has the next number.
* Options ``A.`` ``A、`` ``A．`` ``A）`` (A-H, full width too), each on its own paragraph
  or several on one (``A.甲  B.乙``, separated by spaces or tabs), letters in order.
* ``答案：`` / ``【答案】`` (also 参考答案, 正确答案); else the key in the stem's brackets
  (``（ B ）``, ``（√）``), which is then blanked.  True/false keys: 对 错 √ × 正确 错误.
* ``解析：`` / ``【解析】`` and ``法律依据：`` / ``【法律依据】``; paragraphs after them continue
  them.  Paragraphs before the first question (title, instructions) are ignored.
* ``line`` is the paragraph number (soft line breaks inside a paragraph share it); each
  error names the question as the paper numbers it.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Final

from examsite.bank.formats import xlsx
from examsite.bank.formats.model import (
    N_,
    TYPE_BY_LABEL,
    Msg,
    ParseResult,
    Problem,
    QuestionType,
    build_problem,
    failed,
)
from examsite.bank.formats.validation import Collector, validate_question

__all__ = ["check_docx_container", "parse_docx_paper"]

FORMAT: Final = "docx"
_CN_NUM: Final = "一二三四五六七八九十"
_NUMBERING: Final = rf"(?:第[{_CN_NUM}]+部分|[{_CN_NUM}]+\s*[、.．]|[（(][{_CN_NUM}]+[）)])"
#: A numbered heading ending in 题 (``二、多项选择题（每题3分）``); group 2 is the type name.
_NUMBERED_HEADING_RE: Final = re.compile(
    rf"^({_NUMBERING})\s*[【\[]?\s*([\u4e00-\u9fff]{{1,12}}?题)\s*[】\]]?\s*"
    r"(?:[（(【\[].*)?[:：]?$"
)
#: A heading without numbering must be a known type name (so a stem line is never taken).
_PLAIN_HEADING_RE: Final = re.compile(
    r"^[【\[]?\s*([\u4e00-\u9fff]{1,12}?)\s*[】\]]?\s*(?:[（(【\[].*)?[:：]?$"
)
_INFER: Final = ""
_SECTION_TYPES: Final = {
    **{k: v for k, v in TYPE_BY_LABEL.items() if not k.isascii()},
    "是非题": QuestionType.TRUE_FALSE,
    "判断正误题": QuestionType.TRUE_FALSE,
    # Choice without saying which: the key's length decides, as with no section at all.
    "选择题": _INFER,
    "不定项选择题": _INFER,
}
#: How a problem names the section of a question.
_SECTION_LABELS: Final = {
    QuestionType.SINGLE: N_("单选题"),
    QuestionType.MULTIPLE: N_("多选题"),
    QuestionType.TRUE_FALSE: N_("判断题"),
}
_QUESTION_RE: Final = re.compile(r"^(?:(\d{1,4})\s*[.．、)）]|[（(](\d{1,4})[）)])\s*(.*)$")
_LETTERS: Final = "A-HＡ-Ｈ"
_OPTION_START_RE: Final = re.compile(rf"^([{_LETTERS}])\s*[.．、)）:：]\s*")
#: A further option on the same paragraph: after whitespace, a letter and its mark.
_OPTION_INLINE_RE: Final = re.compile(rf"(?<=\s)([{_LETTERS}])\s*[.．、)）]")
_ANSWER_RE: Final = re.compile(
    r"^(?:[【\[〔]\s*(?:参考|正确)?答案\s*[】\]〕]\s*[:：]?|(?:参考|正确)?答案\s*[:：])\s*(.*)$"
)
_EXPLANATION_RE: Final = re.compile(
    r"^(?:[【\[〔]\s*(?:答案)?(?:解析|分析)\s*[】\]〕]\s*[:：]?|(?:答案)?(?:解析|分析)\s*[:：])\s*(.*)$"
)
_LEGAL_RE: Final = re.compile(
    r"^(?:[【\[〔]\s*(?:法律)?依据\s*[】\]〕]\s*[:：]?|(?:法律)?依据\s*[:：])\s*(.*)$"
)
#: Where an answer line goes on with 解析 on the same paragraph.
_INLINE_EXPLANATION_RE: Final = re.compile(
    r"[【\[〔]\s*(?:答案)?解析\s*[】\]〕]|(?:答案)?解析\s*[:：]"
)
_JUDGEMENT = r"√|×|✓|✔|✗|✘|对|错|正确|错误"
#: The key written in the stem's brackets: ``（ B ）``, ``(AC)``, ``（√）``.
_STEM_KEY_RE: Final = re.compile(rf"[（(]\s*([{_LETTERS}]{{1,8}}|{_JUDGEMENT})\s*[）)]")
_TRUE_WORDS: Final = frozenset({"对", "√", "✓", "✔", "正确", "是", "T", "TRUE", "Y"})
_FALSE_WORDS: Final = frozenset({"错", "×", "✗", "✘", "错误", "否", "F", "FALSE", "N", "X"})


@dataclass
class _Question:
    line: int
    number: str
    qtype: str | None
    stem: list[str]
    options: list[str] = field(default_factory=list)
    answer: str | None = None
    explanation: list[str] = field(default_factory=list)
    legal_basis: list[str] = field(default_factory=list)
    #: Where a paragraph that matches nothing goes on.
    target: str = "stem"
    broken: bool = False


def check_docx_container(data: bytes) -> ParseResult | None:
    """Refuse what must not reach python-docx; ``None`` when the zip looks like a document.

    Old binary .doc and encrypted documents (both OLE), non-zip content, zips that are not
    Word documents, macro-bearing documents (.docm renamed), zip bombs.
    """
    if data.startswith(xlsx.OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:
            return failed(
                "encrypted_file",
                N_("Word 文件设置了打开密码，请取消密码保护后再导入。"),
                fmt=FORMAT,
            )
        return failed(
            "wrong_type",
            N_("这是旧版 Word（.doc）等格式的文件，请另存为 .docx 后再导入。"),
            fmt=FORMAT,
        )
    if not data.startswith(xlsx.ZIP_MAGIC):
        return failed(
            "wrong_type", N_("文件内容不是 Word（.docx）格式，请确认文件类型。"), fmt=FORMAT
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            content_types = b""
            ct_info = next((i for i in infos if i.filename == "[Content_Types].xml"), None)
            if ct_info is not None and ct_info.file_size < 1024 * 1024:
                content_types = archive.read(ct_info)
    except Exception:
        return failed("corrupt_file", N_("Word 文件已损坏，无法读取。"), fmt=FORMAT)
    if any(name.lower().endswith("vbaproject.bin") for name in names) or (
        b"macroenabled" in content_types.lower()
    ):
        return failed(
            "macros_refused",
            N_("文件包含宏（VBA），出于安全原因拒绝导入，请另存为不含宏的 .docx 文件。"),
            fmt=FORMAT,
        )
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        return failed("wrong_type", N_("这是一个压缩文件，但不是 Word（.docx）文档。"), fmt=FORMAT)
    total = sum(info.file_size for info in infos)
    if (
        len(infos) > xlsx.MAX_ZIP_ENTRIES
        or total > xlsx.MAX_XLSX_UNCOMPRESSED
        or total > xlsx.MAX_XLSX_RATIO * len(data)
    ):
        return failed(
            "corrupt_file",
            N_("Word 文件的结构或压缩比异常（可能是恶意构造的文件），已拒绝导入。"),
            fmt=FORMAT,
        )
    return None


def read_paragraphs(data: bytes) -> list[tuple[int, str]]:
    """The body's paragraphs as (paragraph number, text), a soft line break splitting one
    paragraph into several texts with the same number; raises on a broken document."""
    import docx

    document = docx.Document(io.BytesIO(data))
    lines: list[tuple[int, str]] = []
    for number, paragraph in enumerate(document.paragraphs, start=1):
        for part in paragraph.text.replace("\r", "\n").split("\n"):
            text = part.strip()
            if text:
                lines.append((number, text))
    return lines


def parse_docx_paper(
    data: bytes, *, existing: Collection[tuple[str, str]] | None = None
) -> ParseResult:
    """Parse a Word paper; every bad question is reported with its number."""
    refusal = check_docx_container(data)
    if refusal is not None:
        return refusal
    try:
        lines = read_paragraphs(data)
    except Exception:
        return failed("corrupt_file", N_("Word 文件已损坏，无法读取。"), fmt=FORMAT)
    return parse_paragraphs(lines, existing=existing)


def parse_paragraphs(
    lines: list[tuple[int, str]], *, existing: Collection[tuple[str, str]] | None = None
) -> ParseResult:
    """Parse (paragraph number, text) pairs (what ``read_paragraphs`` gives)."""
    c = Collector(FORMAT, existing)
    section: str | None = None
    #: False under a heading of an unknown type: its questions are not read.
    readable = True
    current: _Question | None = None

    def finish() -> None:
        nonlocal current
        if current is not None and readable:
            _finish(current, c)
        current = None

    for number, text in lines:
        heading = _heading(text)
        if heading is not None:
            finish()
            qtype, name = heading
            readable = qtype is not None
            section = qtype or None
            if qtype is None:
                c.error(
                    "bad_type",
                    N_(
                        "第 %(line)s 段：无法识别的题型“%(heading)s”，"
                        "只能导入单选题、多选题和判断题，该部分的题目未读取。"
                    ),
                    line=number,
                    heading=name,
                )
            continue
        question = _QUESTION_RE.match(text)
        if question is not None and not _continues(current, question):
            finish()
            current = _Question(
                line=number,
                number=question.group(1) or question.group(2),
                qtype=section,
                stem=[question.group(3)] if question.group(3) else [],
            )
            continue
        if not readable:
            continue
        answer = _ANSWER_RE.match(text)
        if answer is not None:
            if current is None:
                c.error("bad_syntax", N_("第 %(line)s 段：“答案”前面没有题目。"), line=number)
                continue
            value = answer.group(1)
            rest = _INLINE_EXPLANATION_RE.search(value)
            if rest is not None:
                current.explanation.append(value[rest.end() :])
                value = value[: rest.start()]
            current.answer = value.strip()
            current.target = "explanation" if rest is not None else "after_answer"
            continue
        if current is None:
            continue  # the title, instructions, a section's note
        explanation = _EXPLANATION_RE.match(text)
        if explanation is not None:
            current.explanation.append(explanation.group(1))
            current.target = "explanation"
            continue
        legal = _LEGAL_RE.match(text)
        if legal is not None:
            current.legal_basis.append(legal.group(1))
            current.target = "legal_basis"
            continue
        if current.target in ("stem", "options") and _OPTION_START_RE.match(text):
            _add_options(current, number, text, c)
            continue
        if current.target == "stem":
            current.stem.append(text)
        elif current.target == "options":
            current.options[-1] += "\n" + text  # an option written over two paragraphs
        elif current.target == "legal_basis":
            current.legal_basis.append(text)
        else:
            current.explanation.append(text)
    finish()
    return c.result()


def _continues(current: _Question | None, question: re.Match[str]) -> bool:
    """A numbered paragraph inside a 解析 or 法律依据 (``1. 宪法第二条……``) goes on with
    it unless its number is the next question's."""
    if current is None or current.target not in ("explanation", "legal_basis"):
        return False
    return int(question.group(1) or question.group(2)) != int(current.number) + 1


def _heading(text: str) -> tuple[str | None, str] | None:
    """``(type, name)`` for a section heading (type None: a type we cannot import)."""
    numbered = _NUMBERED_HEADING_RE.match(text)
    if numbered is not None:
        name = numbered.group(2)
        return _SECTION_TYPES.get(name), name
    plain = _PLAIN_HEADING_RE.match(text)
    if plain is not None and plain.group(1) in _SECTION_TYPES:
        return _SECTION_TYPES[plain.group(1)], plain.group(1)
    return None


def _add_options(q: _Question, line: int, text: str, c: Collector) -> None:
    q.target = "options"
    marks = [m for m in [_OPTION_START_RE.match(text)] if m] + list(
        _OPTION_INLINE_RE.finditer(text)
    )
    # Only the letters that follow on from the last one start an option; any other
    # "X." inside an option's text stays part of it.
    starts: list[tuple[int, int]] = []
    expected = len(q.options)
    for i, mark in enumerate(marks):
        index = ord(unicodedata.normalize("NFKC", mark.group(1))) - ord("A")
        if i == 0 and index != expected:
            if not q.broken:
                _question_error(
                    c,
                    q,
                    "option_gap",
                    N_("选项字母应为 %(expected)s，实际为 %(letter)s"),
                    expected=chr(ord("A") + expected),
                    letter=chr(ord("A") + index),
                )
            q.broken = True
            return
        if index == expected:
            starts.append((mark.start(), mark.end()))
            expected += 1
    for i, (_, end) in enumerate(starts):
        stop = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        q.options.append(text[end:stop].strip())


def _question_error(c: Collector, q: _Question, code: str, detail: str, **params: object) -> None:
    """An error naming the question as the paper numbers it (and its paragraph)."""
    c.problems.append(_named(q, code, detail % params if params else detail))


def _named(q: _Question, code: str, detail: str) -> Problem:
    section = Msg(_SECTION_LABELS[q.qtype]) if q.qtype else ""
    return build_problem(
        code,
        N_("第 %(line)s 段，%(section)s第 %(number)s 题：%(detail)s。"),
        q.line,
        False,
        {"section": section, "number": q.number, "detail": detail},
    )


_LINE_PREFIX_RE: Final = re.compile(r"^第 \d+ 行：")


def _finish(q: _Question, c: Collector) -> None:
    if q.broken:
        return
    stem = "\n".join(q.stem)
    answer_text = q.answer
    key = _STEM_KEY_RE.search(stem)
    if key is not None and (answer_text is None or _same_key(key.group(1), answer_text)):
        # The key in the stem's brackets would show on the candidate's paper: blank it.
        answer_text = answer_text if answer_text is not None else key.group(1)
        stem = stem[: key.start()] + "（　）" + stem[key.end() :]
    qtype = q.qtype or _inferred_type(q, answer_text)
    answer: tuple[int, ...] = ()
    if answer_text:
        parsed = _parse_answer(qtype, answer_text)
        if parsed is None:
            hint = (
                N_("判断题的答案应为 对/错、√/× 或 正确/错误")
                if qtype == QuestionType.TRUE_FALSE
                else N_("答案应为选项字母")
            )
            _question_error(
                c, q, "bad_answer", N_("无法识别答案“%(answer)s”，%(hint)s"),
                answer=answer_text, hint=hint,
            )  # fmt: skip
            return
        answer = parsed
    question, errors = validate_question(
        line=q.line,
        qtype=qtype,
        stem=stem,
        options=q.options,
        answer=answer,
        explanation="\n".join(q.explanation),
        legal_basis="\n".join(q.legal_basis),
    )
    # The shared messages say "第 N 行：…"; here they name the question instead.
    c.problems.extend(
        _named(q, e.code, _LINE_PREFIX_RE.sub("", e.message).rstrip("。")) for e in errors
    )
    if question is not None:
        c.add(question)


def _inferred_type(q: _Question, answer: str | None) -> str:
    if not q.options:
        return QuestionType.TRUE_FALSE
    letters = _letters(answer or "")
    return QuestionType.MULTIPLE if letters and len(letters) > 1 else QuestionType.SINGLE


def _letters(text: str) -> str:
    return re.sub(r"[\s,;、，；]+", "", unicodedata.normalize("NFKC", text)).upper()


def _same_key(in_stem: str, answer: str) -> bool:
    return _letters(in_stem) == _letters(answer)


def _parse_answer(qtype: str, text: str) -> tuple[int, ...] | None:
    word = _letters(text).rstrip("。.")
    if qtype == QuestionType.TRUE_FALSE:
        if word in _TRUE_WORDS:
            return (0,)
        if word in _FALSE_WORDS:
            return (1,)
        return None
    if not re.fullmatch(r"[A-Z]+", word):
        return None
    return tuple(ord(ch) - ord("A") for ch in word)
