"""The import template (.csv / .xlsx): reading, errors, writing, the shipped bank."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest

from examsite.bank.formats import xlsx
from examsite.bank.formats.laws import bank_files
from examsite.bank.formats.model import ParsedQuestion, ParseResult, QuestionType, question_key
from examsite.bank.formats.template import TEMPLATE_HEADERS
from examsite.bank.formats.template_csv import dump_csv, parse_csv, write_csv
from examsite.bank.formats.template_xlsx import (
    blank_template_xlsx,
    dump_xlsx,
    parse_xlsx,
    write_xlsx,
)

BANK_DIR = Path(__file__).resolve().parents[2] / "question_bank"

S, M, TF = QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE


def row(
    qtype: str,
    stem: str,
    options: tuple[str, ...] = (),
    answer: str = "",
    explanation: str = "",
    legal: str = "",
    category: str = "",
    difficulty: str = "",
) -> list[str]:
    cells = [qtype, stem, *options, *[""] * (8 - len(options))]
    return [*cells, answer, explanation, legal, category, difficulty]


def make_csv(
    rows: list[list[str]],
    header: tuple[str, ...] | list[str] = TEMPLATE_HEADERS,
    encoding: str = "utf-8",
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def make_xlsx(
    rows: Sequence[Sequence[object]], header: list[str] | tuple[str, ...] = TEMPLATE_HEADERS
) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for r in rows:
        sheet.append(r)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def codes(result: ParseResult) -> list[tuple[str, int | None]]:
    return [(p.code, p.line) for p in result.problems]


def q(
    qtype: str, stem: str, options: tuple[str, ...], answer: tuple[int, ...], **kw: object
) -> ParsedQuestion:
    if qtype == TF:
        options = ("正确", "错误")
    return ParsedQuestion(qtype, stem, options, answer, **kw)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the shipped bank


def test_shipped_question_bank_parses_cleanly() -> None:
    files = bank_files(BANK_DIR)
    assert files
    total = 0
    per_category: Counter[str] = Counter()
    for path in files:
        result = parse_csv(path.read_bytes())
        assert result.problems == [], (path.name, result.problems[:5])
        assert {x.qtype for x in result.questions} == {S, M, TF}, path.name
        total += len(result.questions)
        per_category.update(x.category for x in result.questions)
    assert total >= 400
    assert "" not in per_category
    assert min(per_category.values()) >= 20, per_category


# --------------------------------------------------------------------------- CSV reading


def test_csv_all_types_and_answer_spellings() -> None:
    data = make_csv(
        [
            row(
                "单选",
                "一切权力属于（　）。",
                ("人民", "国家"),
                "a",
                "解析一",
                "宪法第二条",
                "宪法",
                "1",
            ),
            [""] * 15,
            row("多项选择", "多选一", ("甲", "乙", "丙", "丁"), "A,C、d", difficulty="4"),
            row("多选题", "多选二", ("甲", "乙", "丙"), "Ａ Ｂ"),
            row("判断", "判断一", answer="√"),
            row("判断题", "判断二", answer="×"),
            row("判断", "判断三", answer="t"),
            row("判断", "判断四", answer="错误"),
            row("单项选择", "单选二", ("甲", "乙"), "B", difficulty="2.0"),
        ]
    )
    result = parse_csv(data)
    assert result.problems == [] and result.format == "csv"
    assert result.questions == [
        q(
            S,
            "一切权力属于（　）。",
            ("人民", "国家"),
            (0,),
            explanation="解析一",
            legal_basis="宪法第二条",
            category="宪法",
            difficulty=1,
        ),
        q(M, "多选一", ("甲", "乙", "丙", "丁"), (0, 2, 3), difficulty=4),
        q(M, "多选二", ("甲", "乙", "丙"), (0, 1)),
        q(TF, "判断一", (), (0,)),
        q(TF, "判断二", (), (1,)),
        q(TF, "判断三", (), (0,)),
        q(TF, "判断四", (), (1,)),
        q(S, "单选二", ("甲", "乙"), (1,), difficulty=2),
    ]
    assert [x.source_line for x in result.questions] == [2, 4, 5, 6, 7, 8, 9, 10]


def test_csv_gbk_and_bom_and_column_order() -> None:
    header = ["难度", "答案", "选项B", "选项A", "题干", "题型", "备注"]
    rows = [["3", "B", "乙", "甲", "国家的根本任务是（　）", "单选", "ignored"]]
    expected = [q(S, "国家的根本任务是（　）", ("甲", "乙"), (1,))]
    assert parse_csv(make_csv(rows, header, "gbk")).questions == expected
    assert parse_csv(b"\xef\xbb\xbf" + make_csv(rows, header)).questions == expected
    tabbed = "\t".join(header) + "\n" + "\t".join(rows[0]) + "\n"
    assert parse_csv(tabbed.encode()).questions == expected
    semi = ";".join(header) + "\n" + ";".join(rows[0]) + "\n"
    assert parse_csv(semi.encode()).questions == expected


def test_csv_multiline_record_line_numbers() -> None:
    data = make_csv(
        [row("单选", "第一行\n第二行", ("甲", "乙"), "A"), row("单选", "下一题", ("甲", "乙"), "")]
    )
    result = parse_csv(data)
    assert result.questions[0].stem == "第一行\n第二行" and result.questions[0].source_line == 2
    assert codes(result) == [("missing_answer", 4)]


def test_csv_bad_encoding() -> None:
    result = parse_csv(b"\xff\xff\xfe\x81\x00\xff")
    assert codes(result) == [("bad_encoding", None)]
    assert result.problems[0].message == "文件编码无法识别，请使用 UTF-8 或 GBK 编码保存。"


def test_csv_missing_and_duplicate_columns() -> None:
    result = parse_csv(
        b"\n\n"
        + make_csv([row("单选", "题", ("甲", "乙"), "A")], ["题型", "题干", "选项A", "答案"])
    )
    assert codes(result) == [("missing_column", 3)]
    assert "选项B" in result.problems[0].message
    result = parse_csv(make_csv([], [*TEMPLATE_HEADERS, "题干"]))
    assert codes(result) == [("duplicate_column", 1)]


def test_csv_empty_and_header_only() -> None:
    assert codes(parse_csv(b"")) == [("empty_file", None)]
    assert codes(parse_csv(b"\r\n ,,\r\n")) == [("empty_file", None)]
    assert codes(parse_csv(make_csv([]))) == [("no_questions", None)]


def test_csv_row_errors_with_line_numbers() -> None:
    data = make_csv(
        [
            row("单选", "缺答案", ("甲", "乙")),  # 2
            row("单选", "答案超出", ("甲", "乙", "丙", "丁"), "E"),  # 3
            row("单选", "选项不连续", ("甲", "", "丙"), "A"),  # 4
            row("简单", "题型错", ("甲", "乙"), "A"),  # 5
            row("填空", "不支持", (), "某"),  # 6
            row("单选", "难度错", ("甲", "乙"), "A", difficulty="9"),  # 7
            row("单选", "难度非数字", ("甲", "乙"), "A", difficulty="难"),  # 8
            row("单选", "两个答案", ("甲", "乙"), "AB"),  # 9
            row("多选", "一个答案", ("甲", "乙"), "A"),  # 10
            row("单选", "乱码答案", ("甲", "乙"), "A?"),  # 11
            row("单选", "一个选项", ("甲",), "A"),  # 12
            row("单选", "", ("甲", "乙"), "A"),  # 13
            row("单选", "长" * 2001, ("甲", "乙"), "A"),  # 14
            row("单选", "选项过长", ("甲", "乙" * 501), "A"),  # 15
            row("单选", "选项重复", ("宪法", "宪法。"), "A"),  # 16
            row("判断", "判断答案错", answer="是的"),  # 17
            row("单选", "解析过长", ("甲", "乙"), "A", explanation="解" * 5001),  # 18
            row("", "缺题型", ("甲", "乙"), "A"),  # 19
            row("单选", "好题", ("甲", "乙"), "A"),  # 20
        ]
    )
    result = parse_csv(data)
    assert codes(result) == [
        ("missing_answer", 2),
        ("answer_not_in_options", 3),
        ("option_gap", 4),
        ("bad_type", 5),
        ("unsupported_type", 6),
        ("bad_difficulty", 7),
        ("bad_difficulty", 8),
        ("wrong_answer_count", 9),
        ("wrong_answer_count", 10),
        ("bad_answer", 11),
        ("too_few_options", 12),
        ("missing_stem", 13),
        ("stem_too_long", 14),
        ("option_too_long", 15),
        ("duplicate_option", 16),
        ("bad_answer", 17),
        ("field_too_long", 18),
        ("bad_type", 19),
    ]
    messages = {p.line: p.message for p in result.problems}
    assert messages[3] == "第 3 行：答案“E”不在选项中。"
    assert messages[4].startswith("第 4 行：选项 B 为空")
    assert messages[6] == "第 6 行：不支持的题型“填空”，已跳过。"
    assert [p.line for p in result.skipped] == [6]
    assert [x.stem for x in result.questions] == ["好题"]
    assert not result.ok


def test_csv_duplicates_in_file_and_bank() -> None:
    data = make_csv(
        [
            row("单选", "全国人大每届任期（　）。", ("四年", "五年"), "B"),
            row("单选", "全国人大每届任期____", ("四年", "五年"), "B"),
            row("判断", "全国人大每届任期（　）。", answer="对"),
            row("单选", "已在题库中的题", ("甲", "乙"), "A"),
        ]
    )
    result = parse_csv(data, existing={question_key(S, "已在题库中的题。")})
    assert codes(result) == [("duplicate_in_file", 3), ("duplicate_in_bank", 5)]
    assert result.ok and len(result.questions) == 2
    assert "第 3 行" in result.problems[0].message and "第 2 行" in result.problems[0].message


def test_csv_corrupt_record() -> None:
    data = make_csv([row("单选", "好题", ("甲", "乙"), "A")]) + b'"' + b"x" * 140_000 + b"\n"
    assert codes(parse_csv(data)) == [("corrupt_file", 3)]


# --------------------------------------------------------------------------- formula escaping


DANGEROUS = ("=1+1", "+86 电话", "-负数", "@提及", "'=已转义", "''+两个引号", "普通'引号")


def test_dangerous_cells_escaped_and_round_trip_csv() -> None:
    questions = [
        q(S, stem, ("=SUM(A1)", "-1"), (0,), explanation="@x", legal_basis="+y", category="=z")
        for stem in DANGEROUS
    ]
    data = dump_csv(questions)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(TEMPLATE_HEADERS)
    for cells in rows[1:]:
        assert not any(cell[:1] in ("=", "+", "-", "@") for cell in cells)
    assert rows[1][1] == "'=1+1" and rows[5][1] == "''=已转义" and rows[7][1] == "普通'引号"
    assert parse_csv(data).questions == questions


def test_dangerous_cells_round_trip_xlsx() -> None:
    questions = [q(S, stem, ("=SUM(A1)", "-1"), (1,), category="@c") for stem in DANGEROUS]
    data = dump_xlsx(questions)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet["B2"].value == "'=1+1" and sheet["B2"].data_type == "s"
    assert parse_xlsx(data).questions == questions


def test_write_csv_targets(tmp_path: Path) -> None:
    questions = [q(TF, "判断", (), (1,), difficulty=5), q(M, "多选", ("甲", "乙", "丙"), (0, 2))]
    path = tmp_path / "out.csv"
    write_csv(questions, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert parse_csv(path.read_bytes()).questions == questions
    binary = io.BytesIO()
    write_csv(questions, binary)
    assert binary.getvalue() == path.read_bytes()
    text = io.StringIO()
    write_csv(questions, text)
    assert parse_csv(text.getvalue().encode()).questions == questions
    assert (
        "判断,判断," in text.getvalue() and ",错," in text.getvalue() and ",AC," in text.getvalue()
    )


# --------------------------------------------------------------------------- xlsx reading


def test_xlsx_reading_rows_types_and_numbers() -> None:
    header = ["题干", "题型", "选项A", "选项B", "选项C", "答案", "难度", "分类", "无关列"]
    data = make_xlsx(
        [
            ["单选题", "单选", "甲", "乙", None, "B", 2.0, "宪法", "x"],
            [None] * 9,
            [],
            ["数字选项", "多选", 1, 2.5, 3, "ABC", 4, None, None],
            ["判断题目", "判断", None, None, None, True, None, None, None],
        ],
        header,
    )
    result = parse_xlsx(data)
    assert result.problems == [] and result.format == "xlsx"
    assert result.questions == [
        q(S, "单选题", ("甲", "乙"), (1,), category="宪法", difficulty=2),
        q(M, "数字选项", ("1", "2.5", "3"), (0, 1, 2), difficulty=4),
        q(TF, "判断题目", (), (0,)),
    ]
    assert [x.source_line for x in result.questions] == [2, 5, 6]


def test_xlsx_formula_cell() -> None:
    data = make_xlsx(
        [row("单选", "好题", ("甲", "乙"), "A"), row("单选", '=CONCAT("a","b")', ("甲", "乙"), "A")]
    )
    result = parse_xlsx(data)
    assert codes(result) == [("formula_cell", 3)]
    assert "题干" in result.problems[0].message and "=CONCAT" in result.problems[0].message
    assert [x.stem for x in result.questions] == ["好题"]


def test_xlsx_missing_column_and_empty() -> None:
    assert codes(parse_xlsx(make_xlsx([], ["题型", "题干"]))) == [("missing_column", 1)]
    assert codes(parse_xlsx(make_xlsx([]))) == [("no_questions", None)]
    workbook = openpyxl.Workbook()
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert codes(parse_xlsx(buffer.getvalue())) == [("empty_file", None)]


def _zip(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _with_entry(xlsx: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    entries = {info.filename: source.read(info) for info in source.infolist()}
    entries[name] = content
    return _zip(entries)


def test_xlsx_corrupt() -> None:
    assert codes(parse_xlsx(b"PK\x03\x04" + b"\x00garbage" * 50)) == [("corrupt_file", None)]
    truncated = make_xlsx([row("单选", "题", ("甲", "乙"), "A")])
    assert codes(parse_xlsx(truncated[: len(truncated) // 2])) == [("corrupt_file", None)]
    broken = _with_entry(truncated, "xl/workbook.xml", b"<not-xml")
    assert codes(parse_xlsx(broken)) == [("corrupt_file", None)]


def test_xlsx_encrypted_and_legacy_ole() -> None:
    ole = xlsx.OLE_MAGIC + b"\x00" * 504
    encrypted = ole + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 100
    assert codes(parse_xlsx(encrypted)) == [("encrypted_file", None)]
    assert "密码" in parse_xlsx(encrypted).problems[0].message
    assert codes(parse_xlsx(ole + b"Workbook".ljust(64, b"\x00"))) == [("wrong_type", None)]


def test_xlsx_macros_refused() -> None:
    data = _with_entry(
        make_xlsx([row("单选", "题", ("甲", "乙"), "A")]), "xl/vbaProject.bin", b"\x00" * 64
    )
    assert codes(parse_xlsx(data)) == [("macros_refused", None)]


def test_xlsx_not_a_workbook() -> None:
    assert codes(
        parse_xlsx(_zip({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<T/>"}))
    ) == [("wrong_type", None)]
    assert codes(parse_xlsx(b"MZ\x90\x00" + b"\x00" * 100)) == [("wrong_type", None)]


def test_xlsx_zip_bomb_ratio() -> None:
    bomb = _with_entry(make_xlsx([]), "xl/media/padding.bin", b"\x00" * 5_000_000)
    assert codes(parse_xlsx(bomb)) == [("corrupt_file", None)]
    assert "压缩比" in parse_xlsx(bomb).problems[0].message


def test_xlsx_uncompressed_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx, "MAX_XLSX_UNCOMPRESSED", 1000)
    assert codes(parse_xlsx(make_xlsx([row("单选", "题", ("甲", "乙"), "A")]))) == [
        ("too_large", None)
    ]


def test_xlsx_row_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)
    rows = [row("单选", f"题{i}", ("甲", "乙"), "A") for i in range(3)]
    assert codes(parse_xlsx(make_xlsx(rows))) == [("too_large", None)]
    assert len(parse_xlsx(make_xlsx(rows[:2])).questions) == 2


def test_xlsx_far_away_cell_is_cheap() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(TEMPLATE_HEADERS))
    sheet.append(row("单选", "题", ("甲", "乙"), "A"))
    sheet["XFD15000"] = "far away"
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = parse_xlsx(buffer.getvalue())
    assert result.ok and len(result.questions) == 1


# --------------------------------------------------------------------------- writing xlsx


def test_xlsx_round_trip_and_blank_template(tmp_path: Path) -> None:
    questions = [
        q(
            S,
            "单选\n两行",
            ("甲", "乙", "丙"),
            (2,),
            explanation="解析",
            legal_basis="依据",
            category="宪法",
            difficulty=5,
        ),
        q(M, "多选", tuple("甲乙丙丁戊己庚辛"), (0, 7)),
        q(TF, "判断", (), (0,), difficulty=1),
    ]
    assert parse_xlsx(dump_xlsx(questions)).questions == questions
    path = tmp_path / "out.xlsx"
    write_xlsx(questions, path)
    assert parse_xlsx(path.read_bytes()).questions == questions

    blank = blank_template_xlsx()
    workbook = openpyxl.load_workbook(io.BytesIO(blank))
    assert [c.value for c in workbook.worksheets[0][1]] == list(TEMPLATE_HEADERS)
    assert workbook.sheetnames == ["题库", "填写说明"]
    result = parse_xlsx(blank)
    assert result.ok and len(result.questions) == 1 and result.questions[0].source_line == 2
