"""Aiken parsing."""

from __future__ import annotations

from examsite.bank.formats.aiken import parse_aiken
from examsite.bank.formats.model import ParsedQuestion, ParseResult, QuestionType, question_key

S = QuestionType.SINGLE


def codes(result: ParseResult) -> list[tuple[str, int | None]]:
    return [(p.code, p.line) for p in result.problems]


def test_basic_aiken() -> None:
    text = """\
中华人民共和国的一切权力属于（　）。
A. 人民
B. 全国人民代表大会
C. 国家机关
ANSWER: A

What is the correct answer
to this question?
A) Is it this one?
B) Maybe this answer?
C)Possibly this one?
D) Must be this one!
answer: d

全角选项
Ａ．甲
Ｂ、乙
答案：B
"""
    result = parse_aiken(text)
    assert result.problems == [] and result.format == "aiken"
    assert result.questions == [
        ParsedQuestion(
            S,
            "中华人民共和国的一切权力属于（　）。",
            ("人民", "全国人民代表大会", "国家机关"),
            (0,),
        ),
        ParsedQuestion(
            S,
            "What is the correct answer\nto this question?",
            ("Is it this one?", "Maybe this answer?", "Possibly this one?", "Must be this one!"),
            (3,),
        ),
        ParsedQuestion(S, "全角选项", ("甲", "乙"), (1,)),
    ]
    assert [q.source_line for q in result.questions] == [1, 7, 15]


def test_errors_with_line_numbers() -> None:
    text = """\
缺少答案行
A. 甲
B. 乙

下一题开始
A. 甲
B. 乙
ANSWER: E

ANSWER: A

多个字母
A. 甲
B. 乙
ANSWER: AB

字母跳号
A. 甲
C. 丙
ANSWER: A

A. 没有题干
B. 乙
ANSWER: A

无法识别
A. 甲
B. 乙
ANSWER: ?

只有一个选项
A. 甲
ANSWER: A

空答案
A. 甲
B. 乙
ANSWER:

文件末尾缺答案
A. 甲
B. 乙
"""
    result = parse_aiken(text)
    assert codes(result) == [
        ("missing_answer", 1),
        ("answer_not_in_options", 5),
        ("bad_syntax", 10),
        ("wrong_answer_count", 12),
        ("option_gap", 19),
        ("missing_stem", 22),
        ("bad_answer", 26),
        ("too_few_options", 31),
        ("missing_answer", 35),
        ("missing_answer", 40),
    ]
    assert result.problems[1].message == "第 5 行：答案“E”不在选项中。"
    assert result.questions == []


def test_duplicates_and_bytes() -> None:
    text = (
        "题一\nA. 甲\nB. 乙\nANSWER: A\n\n"
        "题一。\nA. 丙\nB. 丁\nANSWER: B\n\n"
        "旧题\nA. 甲\nB. 乙\nANSWER: B\n"
    )
    result = parse_aiken(text.encode("gbk"), existing={question_key(S, "旧题")})
    assert codes(result) == [("duplicate_in_file", 6), ("duplicate_in_bank", 11)]
    assert codes(parse_aiken(b"\xff\xff\xff")) == [("bad_encoding", None)]
