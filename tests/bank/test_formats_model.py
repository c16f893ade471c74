"""The shared model: normalisation, HTML to text, validation, messages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from examsite.bank.formats.model import (
    LABEL_BY_TYPE,
    N_,
    PROBLEM_CODES,
    TYPE_BY_LABEL,
    TYPE_LABELS,
    ParsedQuestion,
    ParseResult,
    QuestionType,
    problem,
    question_key,
)
from examsite.bank.formats.normalize import (
    category_from_path,
    clean_text,
    decode_text,
    html_to_text,
    normalize_stem,
)
from examsite.bank.formats.validation import Collector, validate_question

FORMATS_DIR = Path(__file__).resolve().parents[2] / "examsite" / "bank" / "formats"


# --------------------------------------------------------------------------- normalize


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("根据宪法，中国的根本制度是（　）。", "根据宪法,中国的根本制度是____"),
        ("根据宪法，中国的根本制度是（　）。", "根据宪法， 中国的 根本制度是( )"),
        ("全国人大每届任期（　）年？", "全国人大每届任期（）年"),
        ("ＡＢＣ　宪法", "abc宪法"),
        ("宪法\u200b规定", "宪法规定。"),
        ("【　】内填写", "内填写"),
    ],
)
def test_normalize_stem_equal(a: str, b: str) -> None:
    assert normalize_stem(a) == normalize_stem(b)


def test_normalize_stem_keeps_content() -> None:
    assert normalize_stem("根据宪法，全国人大每届任期五年。") != normalize_stem(
        "根据宪法，全国人大每届任期四年。"
    )
    assert normalize_stem("（简称宪法）") == "(简称宪法"  # trailing punctuation only
    assert normalize_stem("  。？！ ") == ""


def test_clean_text() -> None:
    assert clean_text("  a\r\nb\rc\u2028d\x00\x07\ufeff \t") == "a\nb\nc\nd"
    assert clean_text("a\tb") == "a\tb"


def test_html_to_text_strips_tags_and_scripts() -> None:
    html = (
        "<p>第一段&amp;<b>加粗</b></p><p>第二段<br/>换行&nbsp;&nbsp;  空格</p>"
        "<script>alert('x')</script><style>p{color:red}</style><img src=x onerror=alert(1)>"
        "<ul><li>甲</li><li>乙</li></ul>&lt;script&gt;evil()&lt;/script&gt;"
    )
    text = html_to_text(html)
    assert text == "第一段&加粗\n第二段\n换行 空格\n甲\n乙\nevil()"
    assert "<" not in text and "alert" not in text


def test_html_to_text_unfinished_tag() -> None:
    assert html_to_text('题干 <div class="x') == "题干"
    assert html_to_text("3 < 5 且 6 > 2") == "3 < 5 且 6 > 2"
    assert html_to_text("<SCRIPT>x()") == ""


def test_decode_text() -> None:
    assert decode_text("宪法".encode()) == "宪法"
    assert decode_text(b"\xef\xbb\xbf" + "宪法".encode()) == "宪法"
    assert decode_text("宪法".encode("gbk")) == "宪法"
    assert decode_text("宪法".encode("utf-16")) == "宪法"
    assert decode_text(b"\xff\xff\xff") is None
    assert decode_text(b"a\x00b") is None


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$course$/top/Default for 题库/宪法", "宪法"),
        ("宪法", "宪法"),
        ("$course$/top", ""),
        ("$system$/top/a//b", "a/b"),
        ("  法律 / 监督法 ", "监督法"),
        ("", ""),
    ],
)
def test_category_from_path(path: str, expected: str) -> None:
    assert category_from_path(path) == expected


# --------------------------------------------------------------------------- model


def test_type_labels_both_ways() -> None:
    assert TYPE_LABELS["单选"] == QuestionType.SINGLE
    assert TYPE_LABELS[QuestionType.MULTIPLE] == "多选"
    assert TYPE_LABELS["判断"] == QuestionType.TRUE_FALSE
    assert LABEL_BY_TYPE[QuestionType.TRUE_FALSE] == "判断"
    assert TYPE_BY_LABEL["单项选择"] == QuestionType.SINGLE
    assert TYPE_BY_LABEL["判断题"] == QuestionType.TRUE_FALSE


def test_parsed_question_equality_ignores_source_line() -> None:
    a = ParsedQuestion(QuestionType.SINGLE, "题", ("甲", "乙"), (1,), source_line=3)
    b = ParsedQuestion(QuestionType.SINGLE, "题", ("甲", "乙"), (1,), source_line=9)
    assert a == b and hash(a) == hash(b)
    assert a.answer_letters == "B"
    assert a.key == question_key(QuestionType.SINGLE, "题。")
    tf = ParsedQuestion(QuestionType.TRUE_FALSE, "判", ("正确", "错误"), (1,))
    assert tf.answer_letters == "错"


def test_validate_ok_and_cleaned() -> None:
    q, errors = validate_question(
        line=4,
        qtype=QuestionType.MULTIPLE,
        stem="  题干\r\n第二行 ",
        options=["甲 ", "乙", "丙"],
        answer=[2, 0, 2],
        category=" 宪法\n 修正案 ",
    )
    assert errors == []
    assert q == ParsedQuestion(
        QuestionType.MULTIPLE, "题干\n第二行", ("甲", "乙", "丙"), (0, 2), category="宪法 修正案"
    )
    assert q is not None and q.source_line == 4


def test_validate_true_false_options_fixed() -> None:
    q, errors = validate_question(
        line=1, qtype=QuestionType.TRUE_FALSE, stem="判", options=["x"], answer=[1]
    )
    assert errors == [] and q is not None
    assert q.options == ("正确", "错误") and q.answer == (1,)


def _codes(errors: list) -> list[tuple[str, int | None]]:
    return [(e.code, e.line) for e in errors]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"qtype": "essay"}, "bad_type"),
        ({"stem": " "}, "missing_stem"),
        ({"stem": "长" * 2001}, "stem_too_long"),
        ({"options": ["甲"], "answer": [0]}, "too_few_options"),
        ({"options": [str(i) for i in range(9)], "answer": [0]}, "too_many_options"),
        ({"options": ["甲", " ", "丙"]}, "empty_option"),
        ({"options": ["甲", "长" * 501]}, "option_too_long"),
        ({"options": ["宪法。", "宪法"]}, "duplicate_option"),
        ({"answer": []}, "missing_answer"),
        ({"answer": [4]}, "answer_not_in_options"),
        ({"answer": [0, 1]}, "wrong_answer_count"),
        ({"qtype": QuestionType.MULTIPLE, "answer": [1]}, "wrong_answer_count"),
        ({"difficulty": 6}, "bad_difficulty"),
        ({"difficulty": 0}, "bad_difficulty"),
        ({"explanation": "解" * 5001}, "field_too_long"),
        ({"category": "类" * 101}, "field_too_long"),
        ({"qtype": QuestionType.TRUE_FALSE, "answer": [0, 1]}, "bad_answer"),
    ],
)
def test_validate_errors(fields: dict, code: str) -> None:
    base: dict = {
        "line": 7,
        "qtype": QuestionType.SINGLE,
        "stem": "题干",
        "options": ["甲", "乙"],
        "answer": [0],
    }
    q, errors = validate_question(**{**base, **fields})
    assert q is None
    assert (code, 7) in _codes(errors)
    assert all(e.message.startswith("第 7 行：") for e in errors)


def test_answer_not_in_options_message() -> None:
    _, errors = validate_question(
        line=12, qtype=QuestionType.SINGLE, stem="题", options=["甲", "乙"], answer=[4]
    )
    assert errors[0].message == "第 12 行：答案“E”不在选项中。"


def test_one_correct_means_single() -> None:
    q, errors = validate_question(
        line=1,
        qtype=QuestionType.MULTIPLE,
        stem="题",
        options=["甲", "乙"],
        answer=[1],
        one_correct_means_single=True,
    )
    assert errors == [] and q is not None and q.qtype == QuestionType.SINGLE


def test_collector_duplicates() -> None:
    existing = {question_key(QuestionType.SINGLE, "旧题（　）。")}
    c = Collector("test", existing)
    for line, stem in ((1, "新题"), (2, "新题。"), (3, "旧题"), (4, "新题？")):
        c.accept(
            validate_question(
                line=line, qtype=QuestionType.SINGLE, stem=stem, options=["甲", "乙"], answer=[0]
            )
        )
    # same stem but another type is not a duplicate
    c.accept(validate_question(line=5, qtype=QuestionType.TRUE_FALSE, stem="新题", answer=[0]))
    result = c.result()
    assert [q.source_line for q in result.questions] == [1, 5]
    assert _codes(result.problems) == [
        ("duplicate_in_file", 2),
        ("duplicate_in_bank", 3),
        ("duplicate_in_file", 4),
    ]
    assert all(p.skipped for p in result.problems) and result.ok
    assert result.problems[0].message == "第 2 行：与第 1 行的题目重复，已跳过。"


def test_collector_no_questions() -> None:
    result = Collector("test").result()
    assert _codes(result.problems) == [("no_questions", None)] and not result.ok


def test_parse_result_properties() -> None:
    err = problem("missing_stem", N_("第 %(line)s 行：题干为空。"), line=3)
    skip = problem(
        "unsupported_type",
        N_("第 %(line)s 行：不支持的题型“%(type)s”，已跳过。"),
        line=4,
        skipped=True,
        type="x",
    )
    result = ParseResult(problems=[err, skip])
    assert result.errors == [err] and result.skipped == [skip] and not result.ok
    assert ParseResult(problems=[skip]).ok


def test_problem_render_translates_template_and_marked_params() -> None:
    _, errors = validate_question(
        line=2,
        qtype=QuestionType.SINGLE,
        stem="题",
        options=["甲", "乙"],
        answer=[0],
        explanation="解" * 5001,
    )
    catalogue = {
        "第 %(line)s 行：%(field)s超过 %(limit)s 字。": (
            "Line %(line)s: %(field)s is longer than %(limit)s characters."
        ),
        "解析": "Explanation",
    }
    assert errors[0].message == "第 2 行：解析超过 5000 字。"
    assert (
        errors[0].render(lambda s: catalogue.get(s, s))
        == "Line 2: Explanation is longer than 5000 characters."
    )


def test_every_problem_uses_a_known_code_and_a_marked_template() -> None:
    """Static check over the format sources: problem(), failed(), .error(), .skip() are
    always called with a literal code from PROBLEM_CODES and an N_("...") template."""
    seen: set[str] = set()
    for path in sorted(FORMATS_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = (
                node.func.attr
                if isinstance(node.func, ast.Attribute)
                else getattr(node.func, "id", "")
            )
            if name not in {"problem", "failed", "error", "skip", "err"} or len(node.args) < 2:
                continue
            code, template = node.args[0], node.args[1]
            if isinstance(code, ast.Name):  # the err() helper forwarding its own parameters
                continue
            where = f"{path.name}:{node.lineno}"
            assert isinstance(code, ast.Constant) and code.value in PROBLEM_CODES, where
            seen.add(code.value)
            assert (
                isinstance(template, ast.Call)
                and getattr(template.func, "id", "") == "N_"
                and isinstance(template.args[0], ast.Constant)
            ), where
    assert seen == PROBLEM_CODES
