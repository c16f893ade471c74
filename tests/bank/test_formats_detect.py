"""parse_file: choosing the format, refusing what does not fit."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from examsite.bank.formats import detect
from examsite.bank.formats.detect import parse_file
from examsite.bank.formats.model import ParsedQuestion, ParseResult, QuestionType, question_key
from examsite.bank.formats.template import TEMPLATE_HEADERS
from examsite.bank.formats.template_csv import dump_csv
from examsite.bank.formats.template_xlsx import dump_xlsx

S, TF = QuestionType.SINGLE, QuestionType.TRUE_FALSE
QUESTION = ParsedQuestion(S, "一切权力属于（　）。", ("人民", "国家"), (0,), category="宪法")

GIFT_TEXT = "$CATEGORY: 宪法\n\n一切权力属于（　）。{=人民 ~国家}\n"
AIKEN_TEXT = "一切权力属于（　）。\nA. 人民\nB. 国家\nANSWER: A\n"
XML_TEXT = """<?xml version="1.0" encoding="UTF-8"?>
<quiz><question type="multichoice">
<questiontext format="html"><text>一切权力属于（　）。</text></questiontext>
<single>true</single>
<answer fraction="100"><text>人民</text></answer><answer fraction="0"><text>国家</text></answer>
</question></quiz>"""


def codes(result: ParseResult) -> list[tuple[str, int | None]]:
    return [(p.code, p.line) for p in result.problems]


@pytest.mark.parametrize(
    ("filename", "data", "fmt"),
    [
        ("题库.csv", dump_csv([QUESTION]), "csv"),
        ("题库.CSV", dump_csv([QUESTION]), "csv"),
        ("题库.xlsx", dump_xlsx([QUESTION]), "xlsx"),
        ("moodle.gift", GIFT_TEXT.encode(), "gift"),
        ("moodle.txt", GIFT_TEXT.encode("gbk"), "gift"),
        ("aiken.txt", AIKEN_TEXT.encode(), "aiken"),
        ("aiken.txt", ("一切权力属于{（　）}。\nA. 人民\nB. 国家\nANSWER: A\n").encode(), "aiken"),
        ("moodle.xml", XML_TEXT.encode(), "moodle_xml"),
        ("moodle.XML", b"\xef\xbb\xbf" + XML_TEXT.encode(), "moodle_xml"),
    ],
)
def test_formats_detected(filename: str, data: bytes, fmt: str) -> None:
    result = parse_file(filename, data)
    assert result.problems == [] and result.format == fmt
    (question,) = result.questions
    assert question.stem in (QUESTION.stem, "一切权力属于{（　）}。")
    assert question.options == QUESTION.options and question.answer == (0,)


def test_existing_is_passed_through() -> None:
    result = parse_file("x.gift", GIFT_TEXT.encode(), existing={question_key(S, QUESTION.stem)})
    assert codes(result) == [("duplicate_in_bank", 3)] and result.questions == []


def test_empty_file() -> None:
    assert codes(parse_file("a.csv", b"")) == [("empty_file", None)]
    assert codes(parse_file("a.txt", b" \r\n\t")) == [("empty_file", None)]
    assert parse_file("a.csv", b"").problems[0].message == "文件为空。"


def test_too_large() -> None:
    result = parse_file("a.csv", dump_csv([QUESTION]), max_bytes=100)
    assert codes(result) == [("too_large", None)]
    assert parse_file("a.csv", b"x" * (2 * 1024 * 1024 + 1), max_bytes=2 * 1024 * 1024).problems[
        0
    ].message == ("文件超过大小上限 2 MB。")


@pytest.mark.parametrize("filename", ["题库.doc", "题库.pdf", "题库", "题库.json", "题库.xls"])
def test_unsupported_format(filename: str) -> None:
    assert codes(parse_file(filename, b"anything")) == [("unsupported_format", None)]


def test_txt_neither_gift_nor_aiken() -> None:
    assert codes(parse_file("notes.txt", "只是一些文字。\n没有题目。\n".encode())) == [
        ("unsupported_format", None)
    ]


def test_wrong_type() -> None:
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
    assert codes(parse_file("题库.xlsx", exe)) == [("wrong_type", None)]
    assert codes(parse_file("题库.csv", exe)) == [("wrong_type", None)]
    assert codes(parse_file("题库.csv", dump_xlsx([QUESTION]))) == [("wrong_type", None)]
    assert codes(parse_file("题库.gift", b"%PDF-1.7\n...")) == [("wrong_type", None)]
    assert codes(parse_file("题库.xml", b"not xml at all")) == [("wrong_type", None)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert codes(parse_file("题库.xlsx", buffer.getvalue())) == [("wrong_type", None)]
    assert codes(parse_file("题库.xlsx", "题型,题干\n".encode())) == [("wrong_type", None)]
    assert "“.xlsx”" in parse_file("题库.xlsx", exe).problems[0].message


def test_xlsm_refused() -> None:
    assert codes(parse_file("题库.xlsm", dump_xlsx([QUESTION]))) == [("macros_refused", None)]


def test_bad_encoding_text() -> None:
    assert codes(parse_file("a.gift", b"\xff\xff\xfe\xfe\xff")) == [("bad_encoding", None)]
    assert codes(parse_file("a.csv", b"\x81\xff\xff,\xff")) == [("bad_encoding", None)]


def test_xlsx_header_only_sheet_via_parse_file() -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(list(TEMPLATE_HEADERS))
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert codes(parse_file("a.xlsx", buffer.getvalue())) == [("no_questions", None)]


def test_unexpected_parser_failure_becomes_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> ParseResult:
        raise RuntimeError("bug")

    monkeypatch.setattr(detect.template_csv, "parse_csv", boom)
    assert codes(parse_file("a.csv", b"x")) == [("corrupt_file", None)]
