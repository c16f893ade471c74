"""Reading a meeting's 任免名单 (the nomination spreadsheet a committee office keeps, one row
a person) from .xlsx: pure, never raises.

Columns are matched by header name, in any order, with the variants offices use::

    序号 姓名* 身份证号* 性别 出生年月 工作单位 任免类别* 职务* 职务类别 提请机关

``序号``, ``性别`` and ``出生年月`` are read past (a person is found by ID number).  Cells
are plain text: a cell that looks like a formula is taken as its text, never evaluated.
The file-level checks (size, container, macros, old .xls, row limit) are the question
bank's ``tables.read_rows``; the ID number checks are the candidates import's.  Kinds come
back as ``MatterKind`` values (``matters`` is not imported: it needs Flask-Babel).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Final

from examsite.bank.formats import detect, tables, xlsx
from examsite.bank.formats.model import N_, Problem, build_problem, problem
from examsite.bank.formats.normalize import clean_line
from examsite.core.cells import unescape_cell
from examsite.core.headers import HeaderSpec, find_header, header_key
from examsite.exams.domain import idcard
from examsite.exams.domain.candidates_import import check_id_cell

__all__ = ["KIND_BY_LABEL", "MatterParseResult", "MatterRow", "parse_matters"]

#: A kind's label in the file -> MatterKind value (the labels of ``MatterKind``, and the
#: short forms offices write).  选举 is the congress session's: not on a meeting's list.
KIND_BY_LABEL: Final = {
    "任命": "appoint",
    "决定任命": "decide_appoint",
    "免职": "remove",
    "免去": "remove",
    "撤职": "dismiss",
    "接受辞职": "accept_resignation",
    "辞职": "accept_resignation",
    "批准任命": "approve_appoint",
    "批准免职": "approve_remove",
    "决定代理": "decide_acting",
}

COLUMNS: Final = ("姓名", "身份证号", "工作单位", "任免类别", "职务", "职务类别", "提请机关")
REQUIRED: Final = ("姓名", "身份证号", "任免类别", "职务")
#: The header: variants -> the column (None: a known column that is read past), the ``*``
#: of a required column ignored, up to 10 rows (a title) before it.
_HEADER: Final = HeaderSpec(
    columns=COLUMNS,
    required=REQUIRED,
    aliases={
        "身份证号码": "身份证号",
        "公民身份号码": "身份证号",
        "身份证": "身份证号",
        "现工作单位": "工作单位",
        "工作单位及职务": "工作单位",
        "事项": "任免类别",
        "任免事项": "任免类别",
        "任免": "任免类别",
        "拟任职务": "职务",
        "拟免职务": "职务",
        "拟任免职务": "职务",
        "提请人": "提请机关",
        "提请单位": "提请机关",
        "序号": None,
        "性别": None,
        "出生年月": None,
        "出生日期": None,
    },
    required_mark="*",
)

MAX_NAME_CHARS: Final = 64
MAX_POST_CHARS: Final = 200
MAX_WORK_UNIT_CHARS: Final = 200
MAX_ORGAN_CHARS: Final = 100


@dataclass(frozen=True)
class MatterRow:
    """One valid row: ``id_number`` normalized, ``kind`` a MatterKind value, ``post_kind``
    one of the names given to the parser ("" when the cell is blank)."""

    line: int = field(compare=False)
    name: str
    id_number: str
    kind: str
    post: str
    post_kind: str = ""
    work_unit: str = ""
    nominating_organ: str = ""


@dataclass
class MatterParseResult:
    """The valid rows and every problem, in file order."""

    rows: list[MatterRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.skipped]

    @property
    def ok(self) -> bool:
        return not self.errors


def _failed(code: str, message: str, **params: object) -> MatterParseResult:
    return MatterParseResult(problems=[build_problem(code, message, None, False, params)])


def parse_matters(
    filename: str,
    data: bytes,
    *,
    post_kinds: Collection[str],
    known_names: Mapping[str, str] | None = None,
    existing: Collection[tuple[str, str, str]] = (),
    max_bytes: int = detect.DEFAULT_MAX_BYTES,
) -> MatterParseResult:
    """Parse an uploaded 任免名单.

    ``post_kinds``: the body's post kind names; ``known_names``: ID number -> name of the
    body's persons (a different name is an error); ``existing``: (ID number, kind, post) of
    the meeting's matters already recorded (a repeat is an error)."""
    if PurePath(filename or "").suffix.lower() != ".xlsx":
        return _failed("not_xlsx", N_("只能导入 Excel（.xlsx）文件。"))
    try:
        read = tables.read_rows(filename, data, max_bytes)
        if read.problems:
            return MatterParseResult(problems=read.problems)
        return _parse_rows(read.rows, post_kinds, known_names or {}, set(existing))
    except Exception:
        return _failed("corrupt_file", N_("文件已损坏或格式异常，无法读取。"))


def _parse_rows(
    rows: Sequence[tuple[int, Sequence[str]]],
    post_kinds: Collection[str],
    known_names: Mapping[str, str],
    existing: set[tuple[str, str, str]],
) -> MatterParseResult:
    result = MatterParseResult()
    # The header is the first row naming a required column (a title row may come first).
    header = find_header(rows, _HEADER)
    if header is None:
        return _failed("empty_file", N_("文件中没有内容。"))
    result.problems = tables.duplicate_columns(header)
    if header.missing:
        result.problems.append(
            problem(
                "missing_column",
                N_("第 %(line)s 行：缺少必需的列：%(columns)s。"),
                line=header.line,
                columns="、".join(header.missing),
            )
        )
    if result.problems:
        return result
    columns = header.columns

    kinds = {name: name for name in post_kinds}
    first: dict[tuple[str, str, str], int] = {}
    names: dict[str, tuple[str, int]] = {}
    for line, row in rows[header.index + 1 :]:
        matter = _parse_row(line, row, columns, kinds, result.problems)
        if matter is None:
            continue
        if not _same_person(matter, known_names, names, result.problems):
            continue
        key = (matter.id_number, matter.kind, matter.post)
        if key in first:
            result.problems.append(
                problem(
                    "duplicate_in_file",
                    N_("第 %(line)s 行：与第 %(first)s 行是同一人员的同一任免事项。"),
                    line=line,
                    first=first[key],
                )
            )
            continue
        first[key] = line
        if key in existing:
            result.problems.append(
                problem(
                    "already_on_meeting",
                    N_("第 %(line)s 行：%(name)s 的这一任免事项已在本次会议中。"),
                    line=line,
                    name=matter.name,
                )
            )
            continue
        result.rows.append(matter)
    if not result.rows and not result.problems:
        result.problems.append(
            build_problem("no_rows", N_("文件中没有找到任何任免事项。"), None, False, {})
        )
    return result


def _same_person(
    matter: MatterRow,
    known_names: Mapping[str, str],
    names: dict[str, tuple[str, int]],
    problems: list[Problem],
) -> bool:
    """A person is found by ID number: one name per number, in the file and in the body."""
    known = known_names.get(matter.id_number)
    if known is not None and known != matter.name:
        problems.append(
            problem(
                "name_mismatch",
                N_(
                    "第 %(line)s 行：身份证号“%(id)s”在本机关登记的姓名是“%(known)s”，"
                    "与表中的“%(name)s”不一致。"
                ),
                line=matter.line,
                id=idcard.mask(matter.id_number),
                known=known,
                name=matter.name,
            )
        )
        return False
    seen = names.setdefault(matter.id_number, (matter.name, matter.line))
    if seen[0] != matter.name:
        problems.append(
            problem(
                "name_mismatch_in_file",
                N_("第 %(line)s 行：身份证号“%(id)s”与第 %(first)s 行相同，但姓名不同。"),
                line=matter.line,
                id=idcard.mask(matter.id_number),
                first=seen[1],
            )
        )
        return False
    return True


def _parse_row(
    line: int,
    row: Sequence[str],
    columns: dict[str, int],
    post_kinds: Mapping[str, str],
    problems: list[Problem],
) -> MatterRow | None:
    errors: list[Problem] = []

    def err(code: str, message: str, **params: object) -> None:
        errors.append(build_problem(code, message, line, False, params))

    def get(name: str) -> str:
        index = columns.get(name)
        if index is None or index >= len(row):
            return ""
        # A formula-like cell is its text (str(): a Formula is never evaluated).
        return clean_line(unescape_cell(str(row[index])))

    name = get("姓名")
    if not name:
        err("missing_name", N_("第 %(line)s 行：缺少姓名。"))
    elif len(name) > MAX_NAME_CHARS:
        err("name_too_long", N_("第 %(line)s 行：姓名超过 %(limit)s 字。"), limit=MAX_NAME_CHARS)

    index = columns["身份证号"]
    number = check_id_cell(row[index] if index < len(row) else "", err)

    raw_kind = header_key(get("任免类别"))
    kind = KIND_BY_LABEL.get(raw_kind, "")
    if not raw_kind:
        err("missing_kind", N_("第 %(line)s 行：缺少任免类别。"))
    elif not kind:
        err(
            "bad_kind",
            N_(
                "第 %(line)s 行：无法识别任免类别“%(value)s”，应为 任命、决定任命、免职、撤职、"
                "接受辞职、批准任命、批准免职 或 决定代理。"
            ),
            value=raw_kind[:40],
        )

    post = get("职务")
    if not post:
        err("missing_post", N_("第 %(line)s 行：缺少职务。"))

    raw_post_kind = header_key(get("职务类别"))
    post_kind = post_kinds.get(raw_post_kind, "")
    if raw_post_kind and not post_kind:
        err(
            "bad_post_kind",
            N_("第 %(line)s 行：无法识别职务类别“%(value)s”，应为 %(choices)s 之一。"),
            value=raw_post_kind[:40],
            choices="、".join(post_kinds),
        )

    values: dict[str, str] = {"职务": post}
    for column, limit in (
        ("职务", MAX_POST_CHARS),
        ("工作单位", MAX_WORK_UNIT_CHARS),
        ("提请机关", MAX_ORGAN_CHARS),
    ):
        values[column] = get(column)
        if len(values[column]) > limit:
            err(
                "field_too_long",
                N_("第 %(line)s 行：%(field)s超过 %(limit)s 字。"),
                field=column,
                limit=limit,
            )

    if errors:
        problems.extend(errors)
        return None
    return MatterRow(
        line=line,
        name=name,
        id_number=number,
        kind=kind,
        post=post,
        post_kind=post_kind,
        work_unit=values["工作单位"],
        nominating_organ=values["提请机关"],
    )


# The row limit is the reader's: say so in one place for the page's help text.
MAX_ROWS: Final = xlsx.MAX_ROWS
