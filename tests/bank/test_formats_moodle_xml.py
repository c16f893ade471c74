"""Moodle XML parsing."""

from __future__ import annotations

from examsite.bank.formats.model import ParsedQuestion, ParseResult, QuestionType, question_key
from examsite.bank.formats.moodle_xml import parse_moodle_xml

S, M, TF = QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUE_FALSE
TF_OPTIONS = ("正确", "错误")


def codes(result: ParseResult) -> list[tuple[str, int | None]]:
    return [(p.code, p.line) for p in result.problems]


QUIZ = """\
<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category">
    <category><text>$course$/top/默认类别/宪法</text></category>
  </question>
  <question type="multichoice">
    <name><text>Q1</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>国家的<b>根本</b>制度&nbsp;是&amp;（　）
        <script>alert("x")</script></p><p>第二段<br>换行</p>]]></text>
    </questiontext>
    <generalfeedback format="html">
      <text><![CDATA[<p>见宪法&lt;第一条&gt;</p>]]></text>
    </generalfeedback>
    <single>true</single>
    <answer fraction="100" format="html">
      <text><![CDATA[<p>社会主义制度</p>]]></text><feedback><text>对</text></feedback>
    </answer>
    <answer fraction="0" format="html"><text>资本主义制度</text></answer>
  </question>
  <question type="multichoice">
    <questiontext format="plain_text"><text>多选 &lt;字面&gt;</text></questiontext>
    <single>false</single>
    <answer fraction="50"><text>甲</text></answer>
    <answer fraction="50"><text>乙</text></answer>
    <answer fraction="-100"><text>丙</text></answer>
  </question>
  <question type="multichoice">
    <questiontext><text>只有一个正确答案</text></questiontext>
    <single>false</single>
    <answer fraction="100"><text>甲</text></answer>
    <answer fraction="0"><text>乙</text></answer>
  </question>
  <question type="category"><category><text>$course$/top/监督法</text></category></question>
  <question type="truefalse">
    <questiontext format="moodle_auto_format"><text>判断&amp;题</text></questiontext>
    <answer fraction="0"><text>true</text></answer>
    <answer fraction="100"><text>false</text></answer>
  </question>
  <question type="truefalse">
    <questiontext format="html"><text>判断二</text></questiontext>
    <answer fraction="100"><text>true</text></answer>
    <answer fraction="0"><text>false</text></answer>
  </question>
  <question type="essay"><questiontext><text>论述</text></questiontext></question>
  <question type="matching"><questiontext><text>配对</text></questiontext></question>
  <question type="cloze"><questiontext><text>完形</text></questiontext></question>
  <question type="ddwtos"><questiontext><text>拖放</text></questiontext></question>
  <question type="fancyplugin"><questiontext><text>插件</text></questiontext></question>
</quiz>
"""


def test_moodle_xml_questions() -> None:
    result = parse_moodle_xml(QUIZ.encode())
    assert result.format == "moodle_xml"
    assert result.questions == [
        ParsedQuestion(
            S,
            "国家的根本制度 是&（　）\n第二段\n换行",
            ("社会主义制度", "资本主义制度"),
            (0,),
            explanation="见宪法<第一条>",  # an escaped non-tag stays text
            category="宪法",
        ),
        ParsedQuestion(M, "多选 <字面>", ("甲", "乙", "丙"), (0, 1), category="宪法"),
        ParsedQuestion(S, "只有一个正确答案", ("甲", "乙"), (0,), category="宪法"),
        ParsedQuestion(TF, "判断&题", TF_OPTIONS, (1,), category="监督法"),
        ParsedQuestion(TF, "判断二", TF_OPTIONS, (0,), category="监督法"),
    ]
    assert [q.source_line for q in result.questions] == [6, 21, 28, 35, 40]
    stem = result.questions[0].stem
    assert "<" not in stem and "alert" not in stem and "script" not in stem
    assert codes(result) == [
        ("unsupported_type", 45),
        ("unsupported_type", 46),
        ("unsupported_type", 47),
        ("unsupported_type", 48),
        ("unsupported_type", 49),
    ]
    assert result.ok and all(p.skipped for p in result.problems)
    assert result.problems[0].message == "第 45 行：不支持的题型“问答题（essay）”，已跳过。"
    assert "ddwtos" in result.problems[3].message and "fancyplugin" in result.problems[4].message


def test_xxe_refused() -> None:
    data = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [
  <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<quiz><question type="truefalse"><questiontext><text>&xxe;</text></questiontext></question></quiz>
"""
    result = parse_moodle_xml(data)
    assert [p.code for p in result.problems] == ["unsafe_xml"]
    assert result.problems[0].line == 2 and result.questions == []


def test_billion_laughs_refused() -> None:
    data = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<quiz>&lol3;</quiz>
"""
    assert codes(parse_moodle_xml(data)) == [("unsafe_xml", 2)]


def test_any_doctype_refused() -> None:
    assert codes(parse_moodle_xml(b'<?xml version="1.0"?>\n\n<!DOCTYPE quiz>\n<quiz/>')) == [
        ("unsafe_xml", 3)
    ]


def test_malformed_xml_reports_line() -> None:
    data = (
        b"<quiz>\n<question type='truefalse'>\n<questiontext><text>x</text>\n</question>\n</quiz>\n"
    )
    result = parse_moodle_xml(data)
    assert codes(result) == [("bad_xml", 4)]
    assert result.problems[0].message == "第 4 行：XML 格式错误，无法解析。"


def test_not_a_quiz() -> None:
    assert codes(parse_moodle_xml(b"<?xml version='1.0'?>\n<html><body/></html>")) == [
        ("bad_xml", 2)
    ]
    assert codes(parse_moodle_xml("<quiz>\n</quiz>")) == [("no_questions", None)]


def test_question_errors() -> None:
    data = """<quiz>
<question type="truefalse"><questiontext><text>都对</text></questiontext>
<answer fraction="100"><text>true</text></answer>
<answer fraction="100"><text>false</text></answer></question>
<question><questiontext><text>没有类型</text></questiontext></question>
<question type="multichoice"><questiontext><text>单选多个正确</text></questiontext>
<single>1</single><answer fraction="100"><text>甲</text></answer>
<answer fraction="50"><text>乙</text></answer></question>
<question type="multichoice"><questiontext><text></text></questiontext>
<answer fraction="100"><text>甲</text></answer>
<answer fraction="0"><text>乙</text></answer></question>
<question type="multichoice"><questiontext><text>无正确答案</text></questiontext>
<answer fraction="abc"><text>甲</text></answer>
<answer fraction="0"><text>乙</text></answer></question>
<question type="multichoice"><questiontext><text>重复题</text></questiontext>
<answer fraction="100"><text>甲</text></answer>
<answer fraction="0"><text>乙</text></answer></question>
</quiz>"""
    result = parse_moodle_xml(data, existing={question_key(S, "重复题")})
    assert codes(result) == [
        ("bad_answer", 2),
        ("bad_type", 5),
        ("wrong_answer_count", 6),
        ("missing_stem", 9),
        ("missing_answer", 12),
        ("duplicate_in_bank", 15),
    ]
