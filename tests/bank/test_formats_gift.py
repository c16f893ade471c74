"""Moodle GIFT parsing and writing."""

from __future__ import annotations

from examsite.bank.formats.gift import parse_gift, write_gift
from examsite.bank.formats.model import ParsedQuestion, ParseResult, QuestionType, question_key

S, M, TF = QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE
TF_OPTIONS = ("正确", "错误")


def codes(result: ParseResult) -> list[tuple[str, int | None]]:
    return [(p.code, p.line) for p in result.problems]


BASIC = """\
// 注释行
$CATEGORY: $course$/top/默认/宪法

::Q1:: 国家的根本制度是（　）。{
  =社会主义制度#对了
  ~资本主义制度#不对
  ####宪法第一条。
}

// examsite:difficulty=4
// examsite:legal_basis=《宪法》第三条\\n第二款
根据宪法，国家机构实行（　）原则。{~%50%民主集中制 ~%50%集体领导 ~%-100%三权分立}

公民在法律面前一律平等。{T}

公民没有受教育的义务。{FALSE#错#对####受教育既是权利也是义务。}

$CATEGORY: 监督法

各级人大常委会行使监督职权。{TRUE}

判断 f 小写。{f}
"""


def test_basic_gift() -> None:
    result = parse_gift(BASIC)
    assert result.problems == [] and result.format == "gift"
    assert result.questions == [
        ParsedQuestion(
            S,
            "国家的根本制度是（　）。",
            ("社会主义制度", "资本主义制度"),
            (0,),
            explanation="宪法第一条。",
            category="宪法",
        ),
        ParsedQuestion(
            M,
            "根据宪法，国家机构实行（　）原则。",
            ("民主集中制", "集体领导", "三权分立"),
            (0, 1),
            legal_basis="《宪法》第三条\n第二款",
            category="宪法",
            difficulty=4,
        ),
        ParsedQuestion(TF, "公民在法律面前一律平等。", TF_OPTIONS, (0,), category="宪法"),
        ParsedQuestion(
            TF,
            "公民没有受教育的义务。",
            TF_OPTIONS,
            (1,),
            explanation="受教育既是权利也是义务。",
            category="宪法",
        ),
        ParsedQuestion(TF, "各级人大常委会行使监督职权。", TF_OPTIONS, (0,), category="监督法"),
        ParsedQuestion(TF, "判断 f 小写。", TF_OPTIONS, (1,), category="监督法"),
    ]
    assert [q.source_line for q in result.questions] == [4, 12, 14, 16, 20, 22]


def test_escapes() -> None:
    text = r"""数学 1\+1 \= 2 \{括号\} \~ 波浪 \# 井号 a\:b 反斜杠\\ 换行\n第二行{
=正确\=答案 \#1
~错误\~答案
~含\{花括号\}
####解析\: 见 \{第一条\}
}"""
    result = parse_gift(text)
    assert result.problems == []
    (q,) = result.questions
    assert q.stem == "数学 1\\+1 = 2 {括号} ~ 波浪 # 井号 a:b 反斜杠\\ 换行\n第二行"
    assert q.options == ("正确=答案 #1", "错误~答案", "含{花括号}")
    assert q.explanation == "解析: 见 {第一条}"


def test_weighted_answers() -> None:
    text = """\
三个正确{~%33.33333%甲 ~%33.33333%乙 ~%33.33333%丙 ~%-50%丁}

一个正加权是单选{~%100%甲 ~乙 ~%0%丙}

权重带空格{~% 50 %甲 ~%50%乙 ~丙}

单选又有部分分{=甲 ~%50%乙 ~丙}

没有正确答案{~%-100%甲 ~%0%乙}
"""
    result = parse_gift(text)
    assert [(q.qtype, q.answer) for q in result.questions] == [
        (M, (0, 1, 2)),
        (S, (0,)),
        (M, (0, 1)),
    ]
    assert result.questions[0].options == ("甲", "乙", "丙", "丁")
    assert codes(result) == [("wrong_answer_count", 7), ("missing_answer", 9)]


def test_html_markdown_plain_markers() -> None:
    text = """\
[html]<p>国家<b>根本</b>制度&amp;原则</p><script>alert(1)</script><br>是{
=[plain]<社会主义> ~<i>其他</i>####[html]<em>见</em>第一条}

[markdown]**粗体**题干{T}

[plain][html]字面{F}
"""
    result = parse_gift(text)
    assert result.problems == []
    first, second, third = result.questions
    assert first.stem == "国家根本制度&原则\n是"
    assert first.options == ("<社会主义>", "其他")  # answers inherit [html], but [plain] wins
    assert first.explanation == "见第一条"
    assert second.stem == "**粗体**题干"
    assert third.stem == "[html]字面"


def test_unsupported_types_are_skipped() -> None:
    text = """\
只是一段说明文字，没有答案。

写一篇短文。{}

格兰特哪年出生？{#1822:5}

配对：{=中国->北京 =日本->东京}

首都是哪里？{=北京 =北平}

正常题{=甲 ~乙}
"""
    result = parse_gift(text)
    assert codes(result) == [
        ("unsupported_type", 1),
        ("unsupported_type", 3),
        ("unsupported_type", 5),
        ("unsupported_type", 7),
        ("unsupported_type", 9),
    ]
    assert all(p.skipped for p in result.problems) and result.ok
    messages = [p.message for p in result.problems]
    assert messages[1] == "第 3 行：不支持的题型“问答题（essay）”，已跳过。"
    assert (
        "numerical" in messages[2] and "matching" in messages[3] and "short answer" in messages[4]
    )
    assert [q.stem for q in result.questions] == ["正常题"]


def test_missing_word_format() -> None:
    text = """\
宪法规定{=人民 ~政府}是权力的主人。

已有空（　）{~甲 =乙}。

Grant is {~buried =entombed ~living} in Grant's tomb.

这是{TRUE}的。
"""
    result = parse_gift(text)
    assert [q.stem for q in result.questions] == [
        "宪法规定（　）是权力的主人。",
        "已有空（　）。",
        "Grant is （　） in Grant's tomb.",
        "这是（　）的。",
    ]


def test_errors_with_line_numbers() -> None:
    text = """\
缺右括号{=甲 ~乙

两道题没有空行{=甲 ~乙}
第二题{=丙 ~丁}

{=没有题干 ~乙}

空选项{=甲 ~ ~乙}

九个选项{=1 ~2 ~3 ~4 ~5 ~6 ~7 ~8 ~9}

看不懂{abc}

// examsite:difficulty=难
难度注释错误{T}

选项重复{=甲 ~甲}

右括号在前}{=甲 ~乙
"""
    result = parse_gift(text)
    assert codes(result) == [
        ("bad_syntax", 1),
        ("bad_syntax", 3),
        ("missing_stem", 6),
        ("empty_option", 8),
        ("too_many_options", 10),
        ("bad_answer", 12),
        ("bad_difficulty", 15),
        ("duplicate_option", 17),
        ("bad_syntax", 19),
    ]
    assert result.problems[0].message == "第 1 行：花括号 { } 不配对，找不到答案块。"
    assert not result.ok and result.questions == []


def test_duplicates() -> None:
    text = "题一（　）{T}\n\n题一{F}\n\n题二{=a ~b}\n"
    result = parse_gift(text, existing={question_key(S, "题二。")})
    assert codes(result) == [("duplicate_in_file", 3), ("duplicate_in_bank", 5)]
    assert result.ok and len(result.questions) == 1


def test_bytes_input_and_bad_encoding() -> None:
    assert len(parse_gift("题{T}".encode("gbk")).questions) == 1
    assert codes(parse_gift(b"\xff\xfe\xff\xff\xff")) == [("bad_encoding", None)]


def test_category_path_escaping_and_empty_category() -> None:
    text = "$CATEGORY: $course$/top/法律//法规\n\n题一{T}\n\n$CATEGORY: \n\n题二{T}\n"
    result = parse_gift(text)
    assert [q.category for q in result.questions] == ["法律/法规", ""]


def test_category_line_followed_by_question_in_same_block() -> None:
    result = parse_gift("$CATEGORY: 宪法\n题一{T}\n")
    assert [(q.category, q.source_line) for q in result.questions] == [("宪法", 2)]


def test_write_gift_round_trip_tricky_text() -> None:
    questions = [
        ParsedQuestion(
            S,
            "[html]<b>字面</b> {x} ~y =z #w a:b \\ 反斜杠\n换行",
            ("%50%选项", "=甲", "~乙", "[plain]丙"),
            (1,),
            category="法律/法规",
        ),
        ParsedQuestion(
            M,
            "//不是注释",
            ("甲#1", "乙", "丙", "丁"),
            (0, 1, 3),
            explanation="解析####含井号",
            difficulty=1,
        ),
        ParsedQuestion(
            M,
            "$CATEGORY: 不是分类",
            ("甲", "乙"),
            (0, 1),
            legal_basis="依据\\n字面\n第二行",
            category="法律/法规",
        ),
        ParsedQuestion(
            TF, "::不是标题:: 判断", TF_OPTIONS, (1,), explanation="[解析]", difficulty=5
        ),
        ParsedQuestion(TF, "判断{T}", TF_OPTIONS, (0,), category=""),
    ]
    text = write_gift(questions)
    result = parse_gift(text)
    assert result.problems == []
    assert result.questions == questions
    assert "$CATEGORY: 法律//法规" in text
    assert "~%33.33333%甲\\#1" in text and "~%-100%丙" in text
