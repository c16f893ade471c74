"""Word papers (.docx): the two common layouts, a broken paper, and the files refused."""

from __future__ import annotations

import io
import zipfile

import pytest

from examsite.bank.formats.detect import parse_file
from examsite.bank.formats.docx_paper import parse_paragraphs
from examsite.bank.formats.model import QuestionType, question_key
from tests.fixtures.word_papers import PAPER_BROKEN, PAPER_ONE_LINE, PAPER_OWN_LINES, docx_bytes

S, M, TF = QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE


def _parse(paragraphs, **kwargs):
    return parse_file("试卷.docx", docx_bytes(paragraphs), **kwargs)


def test_options_on_their_own_lines_with_answer_lines_and_three_sections():
    result = _parse(PAPER_OWN_LINES)
    assert result.ok and result.format == "docx"
    assert [(q.qtype, q.answer_letters) for q in result.questions] == [
        (S, "A"), (S, "C"), (M, "ABD"), (TF, "对"), (TF, "错"),
    ]  # fmt: skip
    first = result.questions[0]
    assert first.stem == "中华人民共和国的一切权力属于（　）。"
    assert first.options == ("人民", "全国人民代表大会", "国务院", "最高人民法院")
    assert first.explanation == "宪法规定一切权力属于人民。"
    assert first.legal_basis == "《中华人民共和国宪法》第二条"
    assert result.questions[1].options == ("三", "四", "五", "六")  # "A．" marks
    # The title and the instructions before the first section are not questions.
    assert all("注意事项" not in q.stem and "试卷" not in q.stem for q in result.questions)
    # The paragraph number is the line the preview shows.
    assert [q.source_line for q in result.questions] == [4, 12, 19, 27, 29]


def test_options_on_one_line_bracketed_answers_and_tick_cross_judgements():
    result = _parse(PAPER_ONE_LINE)
    assert result.ok, [p.message for p in result.problems]
    assert [(q.qtype, q.answer_letters) for q in result.questions] == [
        (S, "A"), (S, "B"), (M, "ABC"), (TF, "对"), (TF, "错"),
    ]  # fmt: skip
    assert result.questions[0].options == (
        "负责并报告工作",
        "只负责不报告",
        "只报告不负责",
        "都不需要",
    )
    assert result.questions[0].explanation == "见地方组织法。"
    # The key written in the stem's brackets is taken, and not left for the candidate.
    assert result.questions[1].stem.endswith("这一要求针对的是（　）")
    assert result.questions[4].explanation == "基本法律由全国人民代表大会制定和修改。"


def test_a_broken_paper_names_each_bad_question_and_the_unknown_section():
    result = _parse(PAPER_BROKEN)
    assert not result.ok
    messages = [p.message for p in result.errors]
    assert messages == [
        "第 6 段，单选题第 2 题：缺少答案。",
        "第 9 段，单选题第 3 题：选项字母应为 C，实际为 D。",
        "第 14 段：无法识别的题型“填空题”，只能导入单选题、多选题和判断题，该部分的题目未读取。",
    ]
    assert [p.code for p in result.errors] == ["missing_answer", "option_gap", "bad_type"]


def _lines(*texts: str) -> list[tuple[int, str]]:
    return list(enumerate(texts, start=1))


def test_without_sections_the_type_follows_from_the_question():
    result = parse_paragraphs(
        _lines(
            "1. 单选题干？", "A.甲 B.乙", "答案：B",
            "2. 多选题干？", "A.甲 B.乙 C.丙", "答案：A、C",
            "3. 判断题干。", "答案：对",
        )
    )  # fmt: skip
    assert [(q.qtype, q.answer_letters) for q in result.questions] == [
        (S, "B"), (M, "AC"), (TF, "对"),
    ]  # fmt: skip


def test_full_width_marks_numbering_variants_and_inline_explanation():
    result = parse_paragraphs(
        _lines(
            "二、判断题（正确的打√，错误的打×）",
            "（1）宪法是根本法。",
            "【答案】：正确【解析】宪法序言。",
            "⑵ 不是题号，只是题干的续行。",
            "一、多项选择题",
            "1） 下列正确的是（　　）",
            "Ａ．甲",
            "Ｂ．乙",
            "Ｃ．丙",
            "参考答案：ＡＢ",
        )
    )
    assert result.ok, [p.message for p in result.problems]
    tf, multiple = result.questions
    assert (tf.qtype, tf.answer_letters, tf.explanation) == (
        TF,
        "对",
        "宪法序言。\n⑵ 不是题号，只是题干的续行。",
    )
    assert (multiple.qtype, multiple.options, multiple.answer_letters) == (
        M,
        ("甲", "乙", "丙"),
        "AB",
    )


def test_an_unrecognised_answer_and_a_key_that_is_not_an_option_name_the_question():
    result = parse_paragraphs(
        _lines(
            "判断题", "1. 甲。", "答案：也许",
            "单选题", "5. 乙？", "A.甲", "B.乙", "答案：E",
        )
    )  # fmt: skip
    assert [p.message for p in result.errors] == [
        "第 2 段，判断题第 1 题：无法识别答案“也许”，判断题的答案应为 对/错、√/× 或 正确/错误。",
        "第 5 段，单选题第 5 题：答案“E”不在选项中。",
    ]


def test_a_question_already_in_the_bank_is_skipped_not_an_error():
    existing = {question_key(S, "中华人民共和国的一切权力属于（　）。")}
    result = _parse(PAPER_OWN_LINES, existing=existing)
    assert result.ok and len(result.questions) == 4
    assert [p.code for p in result.skipped] == ["duplicate_in_bank"]


def test_a_soft_line_break_splits_a_paragraph_but_keeps_its_number():
    result = _parse(["单选题", "1. 题干？\nA.甲\nB.乙\n答案：A"])
    assert result.ok and result.questions[0].options == ("甲", "乙")
    assert result.questions[0].source_line == 2


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _with_macros() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(docx_bytes(["单选题"])))
    entries = {info.filename: source.read(info) for info in source.infolist()}
    entries["word/vbaProject.bin"] = b"\x00" * 10
    return _zip(entries)


@pytest.mark.parametrize(
    ("name", "data", "code", "message"),
    [
        ("paper.docm", b"PK\x03\x04", "macros_refused", "文件包含宏"),
        ("paper.docx", _with_macros(), "macros_refused", "文件包含宏"),
        ("paper.doc", b"\xd0\xcf\x11\xe0", "unsupported_format", "不支持旧版 Word"),
        ("paper.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "wrong_type", ".doc"),
        ("paper.docx", b"just text", "wrong_type", "不是 Word"),
        ("paper.docx", _zip({"a.txt": b"hello"}), "wrong_type", "不是 Word（.docx）文档"),
        ("paper.docx", b"PK\x03\x04garbage", "corrupt_file", "已损坏"),
        ("paper.docx", b"MZ\x90\x00" + b"\x00" * 100, "wrong_type", "文件内容"),
        ("paper.docx", _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"\0" * 10**6}),
         "corrupt_file", "压缩比异常"),
    ],
)  # fmt: skip
def test_files_that_are_not_a_safe_docx_are_refused(name, data, code, message):
    result = parse_file(name, data)
    assert [p.code for p in result.errors] == [code]
    assert message in result.errors[0].message
    assert not result.questions


def test_an_oversize_docx_is_refused():
    data = docx_bytes(PAPER_OWN_LINES)
    result = parse_file("paper.docx", data, max_bytes=len(data) - 1)
    assert [p.code for p in result.errors] == ["too_large"]


def test_numbered_points_in_an_explanation_stay_in_it():
    result = parse_paragraphs(
        _lines(
            "一、选择题",
            "5. 甲？", "A.子 B.丑", "答案：A", "解析：理由有二：", "1. 其一；", "2. 其二。",
            "6. 乙？", "A.子 B.丑 C.寅", "答案：BC",
        )
    )  # fmt: skip
    assert result.ok, [p.message for p in result.problems]
    first, second = result.questions
    assert first.explanation == "理由有二：\n1. 其一；\n2. 其二。"
    assert (first.qtype, second.qtype, second.stem) == (S, M, "乙？")
