"""Property tests: writers round-trip through the parsers; parsers never raise."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from examsite.bank.formats.aiken import parse_aiken
from examsite.bank.formats.detect import parse_file
from examsite.bank.formats.gift import parse_gift, write_gift
from examsite.bank.formats.model import PROBLEM_CODES, ParsedQuestion, ParseResult, QuestionType
from examsite.bank.formats.moodle_xml import parse_moodle_xml
from examsite.bank.formats.normalize import clean_line, clean_text, normalize_stem
from examsite.bank.formats.template_csv import dump_csv, parse_csv
from examsite.bank.formats.template_xlsx import dump_xlsx, parse_xlsx

FAST = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Chinese text, ASCII, and every character that means something to one of the formats.
ALPHABET = st.sampled_from(
    list("宪法人民代表大会选举监督条第一二（　）。，、？：；“”《》")
    + list("abcXYZ019 ~=#{}:\\%[]/$'+-@<>&\"*_")
    + ["\n", "\t"]
)


def _text(
    min_size: int, max_size: int, alphabet: st.SearchStrategy[str] = ALPHABET
) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=min_size, max_size=max_size).map(clean_text).filter(bool)


def _optional(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), strategy)


CATEGORY = _text(1, 12, st.sampled_from(list("宪法监督选举代表abc0 /-"))).map(clean_line)


@st.composite
def questions(draw: st.DrawFn) -> ParsedQuestion:
    qtype = draw(
        st.sampled_from([QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE])
    )
    if qtype == QuestionType.TRUE_FALSE:
        options: tuple[str, ...] = ("正确", "错误")
        answer: tuple[int, ...] = (draw(st.integers(0, 1)),)
    else:
        options = tuple(
            draw(
                st.lists(
                    _text(1, 15), min_size=2, max_size=8, unique_by=lambda o: normalize_stem(o) or o
                )
            )
        )
        if qtype == QuestionType.SINGLE:
            answer = (draw(st.integers(0, len(options) - 1)),)
        else:
            picked = draw(
                st.sets(st.integers(0, len(options) - 1), min_size=2, max_size=len(options))
            )
            answer = tuple(sorted(picked))
    return ParsedQuestion(
        qtype=qtype,
        stem=draw(_text(1, 40)),
        options=options,
        answer=answer,
        explanation=draw(_optional(_text(1, 30))),
        legal_basis=draw(_optional(_text(1, 20))),
        category=draw(_optional(CATEGORY)),
        difficulty=draw(st.integers(1, 5)),
    )


QUESTION_LISTS = st.lists(questions(), max_size=6, unique_by=lambda q: q.key)


@FAST
@given(QUESTION_LISTS)
def test_csv_round_trip(qs: list[ParsedQuestion]) -> None:
    result = parse_csv(dump_csv(qs))
    assert result.questions == qs
    assert [p.code for p in result.problems] == ([] if qs else ["no_questions"])


@FAST
@given(QUESTION_LISTS)
def test_gift_round_trip(qs: list[ParsedQuestion]) -> None:
    result = parse_gift(write_gift(qs))
    assert result.questions == qs
    assert [p.code for p in result.problems] == ([] if qs else ["no_questions"])


@settings(FAST, max_examples=15)
@given(QUESTION_LISTS)
def test_xlsx_round_trip(qs: list[ParsedQuestion]) -> None:
    assert parse_xlsx(dump_xlsx(qs)).questions == qs


def _sane(result: ParseResult) -> None:
    assert isinstance(result, ParseResult)
    for p in result.problems:
        assert p.code in PROBLEM_CODES and p.message
        assert p.line is None or p.line >= 1
        # not the catch-all of parse_file: the parsers themselves handled the input
        assert p.message != "文件已损坏或格式异常，无法读取。"


PREFIXES = st.sampled_from(
    [
        b"",
        b"PK\x03\x04",
        b"MZ",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"<?xml version='1.0'?>\n<quiz>",
        "题型,题干,选项A,选项B,答案\n".encode(),
        b"\xef\xbb\xbf",
    ]
)
NAMES = st.sampled_from(["a.xlsx", "a.csv", "a.gift", "a.txt", "a.xml", "a.xlsm", "a.bin", "a"])


@FAST
@given(NAMES, PREFIXES, st.binary(max_size=400))
def test_parse_file_never_raises_on_bytes(name: str, prefix: bytes, body: bytes) -> None:
    _sane(parse_file(name, prefix + body))


TEXTISH = st.text(
    st.sampled_from(list("ABCD.)ANSWER:：{}=~#%\\/$-> \n\t宪法<>/&;quiz?!x[]")), max_size=300
)


@FAST
@given(TEXTISH)
def test_text_parsers_never_raise(text: str) -> None:
    _sane(parse_gift(text))
    _sane(parse_aiken(text))
    _sane(parse_csv(text.encode()))
    _sane(parse_moodle_xml("<quiz>" + text))


@settings(FAST, max_examples=30)
@given(st.binary(min_size=1, max_size=300))
def test_xlsx_parser_never_raises(body: bytes) -> None:
    _sane(parse_xlsx(b"PK\x03\x04" + body))
