"""The site's own import template: a sheet with one question per row, as .csv
(``formats.template_csv``) or .xlsx (``formats.template_xlsx``).  This module is what both
share: the columns, reading a row into a question and writing a question into a row.

Columns (header row, order free, extra columns ignored)::

    题型 题干 选项A … 选项H 答案 解析 法律依据 分类 难度 用途

用途 (考试/练习) is optional: blank means the purpose the import chose.

Required: 题型, 题干, 选项A, 选项B, 答案.  The first non-blank row is the header; blank rows
are ignored.  ``source_line`` is the physical line (CSV; where a quoted multi-line record
starts) or the spreadsheet row number (xlsx).

Cells beginning with ``= + - @`` (or tab/CR) are written with a leading ``'`` so that
spreadsheet programs do not run them as formulas; on reading, one leading ``'`` is removed
when what follows it is ``'``* and then one of those characters, so export → import
round-trips exactly.  In .xlsx a real formula cell (or a text cell starting with ``=``) is an
error: formulas are never evaluated.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from typing import Any, Final

from examsite.bank.formats.fields import (
    ANSWER,
    COLUMN,
    FIELD,
    FIELDS,
    NUMBER,
    OPTIONS,
    PURPOSE,
    QTYPE,
    REQUIRED_COLUMNS,
    TEMPLATE_COLUMNS,
    TEXT,
    FieldSpec,
)
from examsite.bank.formats.model import (
    DEFAULT_DIFFICULTY,
    LABEL_BY_PURPOSE,
    LABEL_BY_TYPE,
    N_,
    OPTION_LETTERS,
    PURPOSE_BY_LABEL,
    TRUE_FALSE_ANSWER_LABELS,
    TYPE_BY_LABEL,
    ParsedQuestion,
    ParseResult,
    Problem,
    QuestionType,
    failed,
    problem,
)
from examsite.bank.formats.normalize import clean_line, clean_text
from examsite.bank.formats.tables import duplicate_columns
from examsite.bank.formats.validation import Collector, validate_question
from examsite.core.cells import Formula, escape_cell, unescape_cell
from examsite.core.headers import HeaderSpec, find_header

__all__ = [
    "OPTION_HEADERS",
    "REQUIRED_HEADERS",
    "TEMPLATE_HEADERS",
    "header_column",
    "parse_rows",
    "question_row",
]

# The columns are the question's fields (formats.fields), in their order.
OPTION_HEADERS: Final = FIELD["options"].columns
TEMPLATE_HEADERS: Final = TEMPLATE_COLUMNS
REQUIRED_HEADERS: Final = REQUIRED_COLUMNS

#: Labels of question types we know but do not support: those rows are skipped, not errors.
UNSUPPORTED_LABELS: Final = frozenset(
    {
        "填空", "填空题", "简答", "简答题", "问答", "问答题", "论述", "论述题", "案例分析",
        "案例分析题", "材料分析题", "不定项", "不定项选择", "不定项选择题", "名词解释",
        "计算题", "排序题", "连线题", "匹配题",
    }
)  # fmt: skip
TRUE_ANSWERS: Final = frozenset({"对", "正确", "√", "✓", "✔", "T", "TRUE"})
FALSE_ANSWERS: Final = frozenset({"错", "错误", "×", "✗", "✘", "✕", "F", "FALSE"})

_ANSWER_SEPARATORS_RE = re.compile(r"[\s,;、/|，；]+")


# --------------------------------------------------------------------------- reading


#: The header is the first non-blank row (no title row above it).
_HEADER: Final = HeaderSpec(columns=TEMPLATE_HEADERS, required=REQUIRED_HEADERS, search_rows=1)


def header_column(cell: str) -> str | None:
    """The column a header cell names (NFKC, spaces ignored), or None."""
    return _HEADER.column(cell)


def parse_rows(
    rows: Iterable[tuple[int, Sequence[str]]],
    fmt: str,
    existing: Collection[tuple[str, str]] | None,
) -> ParseResult:
    """The questions of a sheet's rows (first physical line or row number, cells)."""
    collector = Collector(fmt, existing)
    rows = [(line, row) for line, row in rows if any(cell.strip() for cell in row)]
    header = find_header(rows, _HEADER)
    if header is None:
        return failed("empty_file", N_("文件中没有内容。"), fmt=fmt)
    collector.problems.extend(duplicate_columns(header))
    if header.missing:
        collector.error(
            "missing_column",
            N_("第 %(line)s 行：缺少必需的列：%(columns)s。请使用导入模板的表头。"),
            line=header.line,
            columns="、".join(header.missing),
        )
    if collector.problems:
        return collector.result()

    for line, row in rows[header.index + 1 :]:
        _parse_row(line, row, header.columns, collector)
    return collector.result()


def _parse_row(line: int, row: Sequence[str], columns: dict[str, int], c: Collector) -> None:
    formula_errors: list[Problem] = []

    def get(name: str) -> str:
        index = columns.get(name)
        if index is None or index >= len(row):
            return ""
        cell = row[index]
        if isinstance(cell, Formula):
            formula_errors.append(
                problem(
                    "formula_cell",
                    N_(
                        "第 %(line)s 行：“%(column)s”列是公式 %(formula)s，"
                        "公式不会被计算，请改为纯文本。"
                    ),
                    line=line,
                    column=name,
                    formula=cell[:60],
                )
            )
            return ""
        return unescape_cell(cell)

    cells = {name: get(name) for name in TEMPLATE_HEADERS}
    if formula_errors:
        c.problems.extend(formula_errors)
        return

    label = "".join(unicodedata.normalize("NFKC", clean_line(cells[COLUMN["qtype"]])).split())
    if not label:
        c.error("bad_type", N_("第 %(line)s 行：缺少题型（应为 单选、多选 或 判断）。"), line=line)
        return
    qtype = TYPE_BY_LABEL.get(label.casefold())
    if qtype is None:
        if label in UNSUPPORTED_LABELS:
            c.unsupported(line, label)
        else:
            c.error(
                "bad_type",
                N_("第 %(line)s 行：无法识别题型“%(value)s”，应为 单选、多选 或 判断。"),
                line=line,
                value=label,
            )
        return

    pre_errors: list[Problem] = []
    options: list[str] = []
    answer: tuple[int, ...] = ()
    raw_answer = clean_text(cells[COLUMN["answer"]])
    answer_text = "".join(unicodedata.normalize("NFKC", raw_answer).split()).upper()

    if qtype == QuestionType.TRUE_FALSE:
        if answer_text in TRUE_ANSWERS:
            answer = (0,)
        elif answer_text in FALSE_ANSWERS:
            answer = (1,)
        elif answer_text:
            pre_errors.append(
                problem(
                    "bad_answer",
                    N_("第 %(line)s 行：无法识别判断题答案“%(answer)s”，应填 对 或 错。"),
                    line=line,
                    answer=raw_answer,
                )
            )
    else:
        raw_options = [clean_text(cells[h]) for h in OPTION_HEADERS]
        last = max((i for i, text in enumerate(raw_options) if text), default=-1)
        options = raw_options[: last + 1]
        for i, text in enumerate(options):
            if not text:
                pre_errors.append(
                    problem(
                        "option_gap",
                        N_(
                            "第 %(line)s 行：选项 %(letter)s 为空，但后面还有选项；"
                            "选项须从 A 开始连续填写。"
                        ),
                        line=line,
                        letter=OPTION_LETTERS[i],
                    )
                )
        letters = _ANSWER_SEPARATORS_RE.sub("", answer_text)
        if letters and not re.fullmatch(r"[A-Z]+", letters):
            pre_errors.append(
                problem(
                    "bad_answer",
                    N_("第 %(line)s 行：无法识别答案“%(answer)s”，应填选项字母，如 A 或 ACD。"),
                    line=line,
                    answer=raw_answer,
                )
            )
        else:
            answer = tuple(ord(ch) - ord("A") for ch in letters)

    difficulty = DEFAULT_DIFFICULTY
    raw_difficulty = unicodedata.normalize("NFKC", clean_line(cells[COLUMN["difficulty"]]))
    if raw_difficulty:
        match = re.fullmatch(r"(\d{1,3})(?:\.0*)?", raw_difficulty)
        if match:
            difficulty = int(match.group(1))
        else:
            pre_errors.append(
                problem(
                    "bad_difficulty",
                    N_("第 %(line)s 行：难度“%(value)s”无效，应为 1 到 5 的整数。"),
                    line=line,
                    value=raw_difficulty,
                )
            )

    texts: dict[str, Any] = {spec.name: cells[spec.header] for spec in FIELDS if spec.kind == TEXT}
    question, errors = validate_question(
        line=line, qtype=qtype, options=options, answer=answer, difficulty=difficulty, **texts
    )
    gap = any(p.code == "option_gap" for p in pre_errors)
    pre_codes = {p.code for p in pre_errors}
    errors = [
        e
        for e in errors
        if not (gap and e.code == "empty_option")
        and not ("bad_answer" in pre_codes and e.code == "missing_answer")
    ]
    purpose_cell = clean_line(cells[COLUMN["purpose"]])
    raw_purpose = "".join(unicodedata.normalize("NFKC", purpose_cell).split())
    purpose = PURPOSE_BY_LABEL.get(raw_purpose.casefold(), "") if raw_purpose else ""
    if raw_purpose and not purpose:
        pre_errors.append(
            problem(
                "bad_purpose",
                N_(
                    "第 %(line)s 行：用途“%(value)s”无效，应为 考试 或 练习（不填按导入时的选择）。"
                ),
                line=line,
                value=raw_purpose,
            )
        )
    elif purpose and question is not None:
        question = replace(question, purpose=purpose)
    c.problems.extend(pre_errors)
    c.accept((None if pre_errors else question, errors))


# --------------------------------------------------------------------------- writing


def _answer_cell(question: ParsedQuestion) -> str:
    if question.qtype == QuestionType.TRUE_FALSE:
        return TRUE_FALSE_ANSWER_LABELS[question.answer[0]]
    return "".join(OPTION_LETTERS[i] for i in question.answer)


def _field_cells(spec: FieldSpec, question: ParsedQuestion) -> list[str | int]:
    """The cells of one field, as many as its columns."""
    value = getattr(question, spec.name)
    if spec.kind == QTYPE:
        return [LABEL_BY_TYPE[value]]
    if spec.kind == OPTIONS:
        width = len(spec.columns)
        options = () if question.qtype == QuestionType.TRUE_FALSE else value[:width]
        return [escape_cell(text) for text in options] + [""] * (width - len(options))
    if spec.kind == ANSWER:
        return [_answer_cell(question)]
    if spec.kind == PURPOSE:
        return [LABEL_BY_PURPOSE.get(value, "")]
    if spec.kind == NUMBER:
        return [value]
    return [escape_cell(value)]


def question_row(question: ParsedQuestion) -> list[str | int]:
    """A question as one row of the template, cells escaped against formulas."""
    return [cell for spec in FIELDS for cell in _field_cells(spec, question)]
