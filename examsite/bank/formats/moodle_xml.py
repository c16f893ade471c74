"""Moodle XML (``<quiz><question type="…">…</quiz>``), parsed with defusedxml.

* Any DTD (``<!DOCTYPE …>``), entity declaration or external reference is refused as a
  whole: one ``unsafe_xml`` error (XXE, billion laughs).  Malformed XML: one ``bad_xml``
  error with the line expat reports.  A root other than ``<quiz>``: ``bad_xml``.
* ``type="category"``: the category of the following questions is the last component of
  ``<category><text>`` (``$course$/top/宪法`` → ``宪法``).
* ``type="multichoice"``: single choice when ``<single>`` is ``true``/``1``, otherwise
  multiple choice (one correct answer then means single choice).  An ``<answer>`` with
  ``fraction`` > 0 is correct.
* ``type="truefalse"``: the correct answer is the ``<answer>`` (text ``true``/``false``)
  with ``fraction`` > 0.
* ``<questiontext>``, ``<answer>``, ``<generalfeedback>`` (→ explanation): ``format``
  ``html`` (the default) and ``moodle_auto_format`` are converted to plain text (tags
  stripped, ``<script>``/``<style>`` content dropped, entities unescaped, ``<br>``/``<p>`` →
  line breaks, spaces collapsed); ``plain_text`` and ``markdown`` are taken as they are.
* Every other type (essay, matching, numerical, shortanswer, cloze, description,
  ddwtos …) is skipped with its type named.  Moodle XML has no difficulty or legal basis:
  difficulty is 3, legal basis empty.
"""

from __future__ import annotations

# Only the handler base class and the exception type; parsing goes through defusedxml.
import xml.sax  # nosec B406
import xml.sax.handler  # nosec B406
from collections.abc import Collection, Iterator
from typing import Any, Final

import defusedxml
import defusedxml.sax

from examsite.bank.formats.model import (
    N_,
    Msg,
    ParseResult,
    QuestionType,
    failed,
)
from examsite.bank.formats.normalize import category_from_path, html_to_text
from examsite.bank.formats.validation import Collector, validate_question

__all__ = ["parse_moodle_xml"]

_TYPE_NAMES: Final = {
    "essay": Msg(N_("问答题（essay）")),
    "matching": Msg(N_("匹配题（matching）")),
    "randomsamatch": Msg(N_("随机简答匹配题（randomsamatch）")),
    "numerical": Msg(N_("数值题（numerical）")),
    "shortanswer": Msg(N_("填空/简答题（shortanswer）")),
    "cloze": Msg(N_("完形填空题（cloze）")),
    "multianswer": Msg(N_("完形填空题（multianswer）")),
    "description": Msg(N_("说明文字（description）")),
    "ddwtos": Msg(N_("拖放文字题（ddwtos）")),
    "gapselect": Msg(N_("选词填空题（gapselect）")),
    "calculated": Msg(N_("计算题（calculated）")),
    "calculatedsimple": Msg(N_("计算题（calculatedsimple）")),
    "calculatedmulti": Msg(N_("计算选择题（calculatedmulti）")),
    "ddimageortext": Msg(N_("拖放图片题（ddimageortext）")),
    "ddmarker": Msg(N_("拖放标记题（ddmarker）")),
    "ordering": Msg(N_("排序题（ordering）")),
}
_HTML_FORMATS: Final = frozenset({"html", "moodle_auto_format"})
_TRUE_TEXTS: Final = frozenset({"true", "t", "正确", "对"})
_FALSE_TEXTS: Final = frozenset({"false", "f", "错误", "错"})


class _Node:
    __slots__ = ("attrs", "children", "line", "parts", "tag")

    def __init__(self, tag: str, attrs: dict[str, str], line: int) -> None:
        self.tag = tag
        self.attrs = attrs
        self.line = line
        self.children: list[_Node] = []
        self.parts: list[str] = []

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def find(self, tag: str) -> _Node | None:
        return next(self.findall(tag), None)

    def findall(self, tag: str) -> Iterator[_Node]:
        return (child for child in self.children if child.tag == tag)


class _TreeBuilder(xml.sax.handler.ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.root: _Node | None = None
        self.stack: list[_Node] = []
        self.locator: Any = None

    def setDocumentLocator(self, locator: Any) -> None:
        self.locator = locator

    @property
    def line(self) -> int:
        number = self.locator.getLineNumber() if self.locator is not None else None
        return number if isinstance(number, int) and number > 0 else 1

    def startElement(self, name: str, attrs: Any) -> None:
        node = _Node(name, dict(attrs.items()), self.line)
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)

    def endElement(self, name: str) -> None:
        self.stack.pop()

    def characters(self, content: str) -> None:
        if self.stack:
            self.stack[-1].parts.append(content)


def parse_moodle_xml(
    data: bytes | str, *, existing: Collection[tuple[str, str]] | None = None
) -> ParseResult:
    """Parse a Moodle XML question export."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    builder = _TreeBuilder()
    try:
        defusedxml.sax.parseString(
            data, builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DefusedXmlException:
        return failed(
            "unsafe_xml",
            N_("第 %(line)s 行：XML 文件包含 DTD、实体声明或外部引用，出于安全原因拒绝导入。"),
            line=builder.line,
            fmt="moodle_xml",
        )
    except xml.sax.SAXParseException as exc:
        line = exc.getLineNumber()
        return failed(
            "bad_xml",
            N_("第 %(line)s 行：XML 格式错误，无法解析。"),
            line=line if isinstance(line, int) and line > 0 else 1,
            fmt="moodle_xml",
        )
    except Exception:
        return failed(
            "bad_xml",
            N_("第 %(line)s 行：XML 格式错误，无法解析。"),
            line=builder.line,
            fmt="moodle_xml",
        )

    root = builder.root
    if root is None or root.tag != "quiz":
        return failed(
            "bad_xml",
            N_("第 %(line)s 行：不是 Moodle XML 题目文件（根元素应为 <quiz>）。"),
            line=root.line if root is not None else 1,
            fmt="moodle_xml",
        )

    c = Collector("moodle_xml", existing)
    category = ""
    for question in root.findall("question"):
        qtype = question.attrs.get("type", "").strip().lower()
        if qtype == "category":
            node = question.find("category")
            text = node.find("text") if node is not None else None
            category = category_from_path(text.text if text is not None else "")
        elif qtype in ("multichoice", "truefalse"):
            _question(question, qtype, category, c)
        elif not qtype:
            c.error(
                "bad_type", N_("第 %(line)s 行：<question> 缺少 type 属性。"), line=question.line
            )
        else:
            c.unsupported(question.line, _TYPE_NAMES.get(qtype, qtype))
    return c.result()


def _rich_text(node: _Node | None) -> str:
    if node is None:
        return ""
    text_node = node.find("text")
    raw = text_node.text if text_node is not None else ""
    if node.attrs.get("format", "html").strip().lower() in _HTML_FORMATS:
        return html_to_text(raw)
    return raw


def _fraction(node: _Node) -> float:
    try:
        return float(node.attrs.get("fraction", "0"))
    except ValueError:
        return 0.0


def _question(question: _Node, qtype: str, category: str, c: Collector) -> None:
    line = question.line
    stem = _rich_text(question.find("questiontext"))
    explanation = _rich_text(question.find("generalfeedback"))
    answers = list(question.findall("answer"))

    if qtype == "truefalse":
        verdicts: list[bool] = []
        for index, answer in enumerate(answers):
            if _fraction(answer) <= 0:
                continue
            word = _rich_text(answer).strip().lower()
            verdicts.append(
                word in _TRUE_TEXTS if word in _TRUE_TEXTS | _FALSE_TEXTS else index == 0
            )
        if len(verdicts) != 1:
            c.error(
                "bad_answer",
                N_("第 %(line)s 行：判断题必须有且只有一个正确答案（true 或 false）。"),
                line=line,
            )
            return
        c.accept(
            validate_question(
                line=line,
                qtype=QuestionType.TRUE_FALSE,
                stem=stem,
                answer=(0,) if verdicts[0] else (1,),
                explanation=explanation,
                category=category,
            )
        )
        return

    single_node = question.find("single")
    single = single_node is not None and single_node.text.strip().lower() in ("true", "1")
    c.accept(
        validate_question(
            line=line,
            qtype=QuestionType.SINGLE if single else QuestionType.MULTIPLE,
            stem=stem,
            options=[_rich_text(answer) for answer in answers],
            answer=[i for i, answer in enumerate(answers) if _fraction(answer) > 0],
            explanation=explanation,
            category=category,
            one_correct_means_single=True,
        )
    )
