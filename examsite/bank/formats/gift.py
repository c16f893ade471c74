"""Moodle GIFT: parser and writer.

Follows Moodle's own importer (``question/format/gift/format.php``) where it matters:

* Questions are separated by blank lines; lines are stripped; lines starting with ``//``
  are comments.  ``source_line`` is the first non-comment line of the question.
* ``$CATEGORY: path`` sets the category of the following questions to the last path
  component (``$course$/top/宪法`` → ``宪法``); the rest of that block, if any, is read as
  a question (Moodle would swallow it into the category name).
* ``::title::`` is ignored.  ``[html]`` / ``[moodle]`` / ``[plain]`` / ``[markdown]`` at
  the start of a text select its format and are removed; only ``[html]`` is converted (to
  plain text).  Answers and feedback default to the question text's format, as in Moodle.
  Text without a marker is taken as plain text.
* Escapes ``\\~ \\= \\# \\{ \\} \\:`` give the literal character, ``\\n`` a line break,
  ``\\\\`` a backslash.
* The answer block is the first ``{`` … first ``}``.  ``####text`` at the end of it is the
  general feedback → ``explanation``; per-answer feedback (``#text``) is ignored.
* ``{T}`` ``{TRUE}`` ``{F}`` ``{FALSE}`` (any case): true/false.
* A block containing ``~``: multiple choice.  With an ``=`` answer it is single choice
  (as in Moodle).  Without, answers carry weights ``~%50%``: positive weight = correct,
  zero/negative = wrong, and it is multiple choice -- or single choice when exactly one
  answer has a positive weight.  Every answer with a positive weight counts as correct, so
  a single-choice question with a partial-credit answer (``=A ~%50%B``) is an error.
* "Missing word" questions (text continues after ``}``) are supported for multiple-choice
  and true/false: the block is replaced by ``（　）`` in the stem (unless the text right
  before it already ends in such a blank: ``（　）``, ``()`` or ``__``).
* Skipped as unsupported: no answer block (Moodle "description"), ``{}`` (essay),
  ``{#…}`` (numerical), ``=a -> b`` (matching), only ``=`` answers (short answer).
* Errors: unbalanced braces, a second answer block in one question (usually a missing
  blank line between two questions), an answer block that is none of the above.

Non-standard extension used by ``write_gift`` so that nothing is lost on a round trip:
comment lines ``// examsite:difficulty=4`` and ``// examsite:legal_basis=…`` (``\\n`` and
``\\\\`` escaped) inside a question's block.  Moodle ignores them as comments.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator
from typing import Final

from examsite.bank.formats.model import (
    DEFAULT_DIFFICULTY,
    N_,
    Msg,
    ParsedQuestion,
    ParseResult,
    QuestionType,
    failed,
)
from examsite.bank.formats.normalize import category_from_path, decode_text, html_to_text
from examsite.bank.formats.validation import Collector, validate_question

__all__ = ["parse_gift", "write_gift"]

# Escaped characters become Unicode noncharacters while the structure is parsed
# (clean_text removes any such character from the input first).
_ESCAPABLE: Final = {
    "\\": "\ufdd0",
    ":": "\ufdd1",
    "#": "\ufdd2",
    "=": "\ufdd3",
    "{": "\ufdd4",
    "}": "\ufdd5",
    "~": "\ufdd6",
    "n": "\ufdd7",
}
_RESTORE: Final = str.maketrans(
    {placeholder: ("\n" if ch == "n" else ch) for ch, placeholder in _ESCAPABLE.items()}
)
_ESCAPE_RE: Final = re.compile(r"\\([\\:#={}~n])")
_FORMAT_RE: Final = re.compile(r"^\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_WEIGHT_RE: Final = re.compile(r"^%\s*(-?\d+(?:\.\d*)?)\s*%")
_META_RE: Final = re.compile(r"^//\s*examsite:(difficulty|legal_basis)\s*=(.*)$")
_ENDS_WITH_BLANK_RE: Final = re.compile(r"(（\s*）|\(\s*\)|_{2,})\s*$")
_NONCHARACTERS_RE: Final = re.compile("[\ufdd0-\ufdef]")
BLANK: Final = "（　）"

_TYPE_NAMES: Final = {
    "description": Msg(N_("说明文字（没有答案块）")),
    "essay": Msg(N_("问答题（essay）")),
    "numerical": Msg(N_("数值题（numerical）")),
    "matching": Msg(N_("匹配题（matching）")),
    "shortanswer": Msg(N_("填空/简答题（short answer）")),
}


def parse_gift(
    source: str | bytes, *, existing: Collection[tuple[str, str]] | None = None
) -> ParseResult:
    """Parse GIFT text (bytes are decoded as UTF-8, else GBK)."""
    if isinstance(source, bytes):
        decoded = decode_text(source)
        if decoded is None:
            return failed(
                "bad_encoding", N_("文件编码无法识别，请使用 UTF-8 或 GBK 编码保存。"), fmt="gift"
            )
        source = decoded
    collector = Collector("gift", existing)
    category = ""
    for block in _blocks(_NONCHARACTERS_RE.sub("", source.lstrip("\ufeff"))):
        meta: dict[str, str] = {}
        content: list[tuple[int, str]] = []
        for number, line in block:
            if line.startswith("//"):
                match = _META_RE.match(line)
                if match:
                    meta[match.group(1)] = match.group(2).strip()
                continue
            content.append((number, line))
        while content and content[0][1].startswith("$CATEGORY:"):
            category = category_from_path(content[0][1][len("$CATEGORY:") :])
            content.pop(0)
        if content:
            _parse_question(content, category, meta, collector)
    return collector.result()


def _blocks(text: str) -> Iterator[list[tuple[int, str]]]:
    block: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line:
            block.append((number, line))
        elif block:
            yield block
            block = []
    if block:
        yield block


def _protect(text: str) -> str:
    """Escaped characters -> placeholders, one left-to-right pass (so ``\\\\~`` is a
    backslash followed by a real ``~``, as in Moodle)."""
    return _ESCAPE_RE.sub(lambda m: _ESCAPABLE[m.group(1)], text)


def _split_format(text: str, default: str) -> tuple[str, str]:
    match = _FORMAT_RE.match(text)
    if match:
        return match.group(1).lower(), text[match.end() :].strip()
    return default, text


def _render(fmt: str, text: str) -> str:
    text = text.translate(_RESTORE)
    return html_to_text(text) if fmt == "html" else text


def _parse_question(
    content: list[tuple[int, str]], category: str, meta: dict[str, str], c: Collector
) -> None:
    line = content[0][0]
    text = _protect("\n".join(part for _, part in content))

    if text.startswith("::"):
        end = text.find("::", 2)
        text = text[end + 2 :].strip() if end >= 0 else text[2:]

    start, end = text.find("{"), text.find("}")
    if start < 0 and end < 0:
        c.unsupported(line, _TYPE_NAMES["description"])
        return
    if start < 0 or end < start:
        c.error("bad_syntax", N_("第 %(line)s 行：花括号 { } 不配对，找不到答案块。"), line=line)
        return
    before, answer_text, after = text[:start], text[start + 1 : end].strip(), text[end + 1 :]
    if "{" in after or "}" in after:
        c.error(
            "bad_syntax",
            N_("第 %(line)s 行：一道题里有多个答案块 { }；题目之间请用空行分隔。"),
            line=line,
        )
        return
    if after.strip():  # missing-word format
        stem_raw = before + ("" if _ENDS_WITH_BLANK_RE.search(before) else BLANK) + after
    else:
        stem_raw = before

    explanation_raw = ""
    feedback_at = answer_text.rfind("####")
    if feedback_at >= 0:
        explanation_raw = answer_text[feedback_at + 4 :]
        answer_text = answer_text[:feedback_at].strip()

    stem_format, stem_body = _split_format(stem_raw.strip(), "plain")
    stem = _render(stem_format, stem_body)
    explanation = _render(*_split_format(explanation_raw.strip(), stem_format))

    difficulty = DEFAULT_DIFFICULTY
    if "difficulty" in meta:
        if re.fullmatch(r"\d{1,3}", meta["difficulty"]):
            difficulty = int(meta["difficulty"])
        else:
            c.error(
                "bad_difficulty",
                N_("第 %(line)s 行：难度“%(value)s”无效，应为 1 到 5 的整数。"),
                line=line,
                value=meta["difficulty"],
            )
            return
    legal_basis = _unescape_meta(meta.get("legal_basis", ""))

    if not answer_text:
        c.unsupported(line, _TYPE_NAMES["essay"])
        return
    if answer_text.startswith("#"):
        c.unsupported(line, _TYPE_NAMES["numerical"])
        return

    def accept(qtype: str, options: list[str], answer: Iterable[int]) -> None:
        c.accept(
            validate_question(
                line=line,
                qtype=qtype,
                stem=stem,
                options=options,
                answer=answer,
                explanation=explanation,
                legal_basis=legal_basis,
                category=category,
                difficulty=difficulty,
                one_correct_means_single=True,
            )
        )

    if "~" in answer_text:
        options, correct = _choices(answer_text, stem_format)
        accept(
            QuestionType.SINGLE if "=" in answer_text else QuestionType.MULTIPLE, options, correct
        )
        return
    if "=" in answer_text and "->" in answer_text:
        c.unsupported(line, _TYPE_NAMES["matching"])
        return
    verdict = answer_text.split("#", 1)[0].strip().upper()
    if verdict in ("T", "TRUE", "F", "FALSE"):
        accept(QuestionType.TRUE_FALSE, [], (0,) if verdict.startswith("T") else (1,))
        return
    if answer_text.startswith("="):
        c.unsupported(line, _TYPE_NAMES["shortanswer"])
        return
    c.error(
        "bad_answer",
        N_("第 %(line)s 行：无法识别答案块 {%(block)s}。"),
        line=line,
        block=_render("plain", answer_text)[:60],
    )


def _choices(answer_text: str, default_format: str) -> tuple[list[str], list[int]]:
    parts = answer_text.replace("=", "~=").split("~")
    if parts and not parts[0].strip():
        parts.pop(0)
    options: list[str] = []
    correct: list[int] = []
    for index, raw in enumerate(parts):
        part = raw.strip()
        weight = 0.0
        if part.startswith("="):
            weight, part = 100.0, part[1:]
        else:
            match = _WEIGHT_RE.match(part)
            if match:
                weight, part = float(match.group(1)), part[match.end() :]
        part = part.split("#", 1)[0].strip()  # per-answer feedback is ignored
        options.append(_render(*_split_format(part, default_format)))
        if weight > 0:
            correct.append(index)
    return options, correct


def _unescape_meta(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), value)


# --------------------------------------------------------------------------- writing


def _escape(text: str, *, guard_comment: bool = False) -> str:
    out = text.replace("\\", "\\\\")
    for ch in "~=#{}:":
        out = out.replace(ch, "\\" + ch)
    out = out.replace("\n", "\\n")
    if out.startswith(("[", "%")) or (guard_comment and out.startswith("//")):
        out = "[plain]" + out
    return out


def _escape_meta(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _weight(count: int) -> str:
    return f"{100 / count:.5f}".rstrip("0").rstrip(".")


def write_gift(questions: Iterable[ParsedQuestion]) -> str:
    """GIFT text for the questions, parseable by Moodle and by ``parse_gift``.

    ``$CATEGORY:`` lines whenever the category changes; single choice as ``=``/``~``;
    multiple choice as ``~%w%`` with w = 100/k for the k correct answers and ``~%-100%``
    for the wrong ones; true/false as ``{TRUE}``/``{FALSE}``; the explanation as
    ``####``; difficulty and legal basis in ``// examsite:`` comment lines.
    """
    out = ["// examsite question bank export (GIFT)", ""]
    category = ""
    for q in questions:
        if q.category != category:
            out += [f"$CATEGORY: {q.category.replace('/', '//')}", ""]
            category = q.category
        out.append(f"// examsite:difficulty={q.difficulty}")
        if q.legal_basis:
            out.append(f"// examsite:legal_basis={_escape_meta(q.legal_basis)}")
        stem = _escape(q.stem, guard_comment=True)
        feedback = f"####{_escape(q.explanation)}" if q.explanation else ""
        if q.qtype == QuestionType.TRUE_FALSE:
            out.append(f"{stem}{{{'TRUE' if q.answer == (0,) else 'FALSE'}{feedback}}}")
        else:
            out.append(stem + "{")
            weight = _weight(len(q.answer))
            for index, option in enumerate(q.options):
                text = _escape(option)
                if q.qtype == QuestionType.SINGLE:
                    out.append(("\t=" if index in q.answer else "\t~") + text)
                else:
                    out.append(f"\t~%{weight if index in q.answer else '-100'}%{text}")
            if feedback:
                out.append("\t" + feedback)
            out.append("}")
        out.append("")
    return "\n".join(out)
