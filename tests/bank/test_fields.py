"""The question's fields declared once (bank.formats.fields), and what derives from them."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from examsite.bank import diffing
from examsite.bank.formats import fields as F
from examsite.bank.formats.detect import parse_file
from examsite.bank.formats.laws import bank_files
from examsite.bank.formats.model import MAX_CATEGORY_CHARS, ParsedQuestion
from examsite.bank.formats.template import OPTION_HEADERS, REQUIRED_HEADERS, TEMPLATE_HEADERS
from examsite.bank.formats.template_csv import dump_csv, parse_csv
from examsite.bank.formats.template_xlsx import dump_xlsx, parse_xlsx
from examsite.bank.formats.validation import validate_question

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = bank_files(ROOT / "question_bank", "**/*.csv")

#: Every field with a value other than its default, one question per type.
FULL = (
    ParsedQuestion(
        qtype="multiple",
        stem="下列哪些属于全国人大常委会的职权？\n（多选）",
        options=("解释宪法", "监督宪法的实施", "=制定刑法", "+任免最高法院副院长", "五", "六"),
        answer=(0, 1, 3),
        explanation="见宪法第六十七条。\n第二行",
        legal_basis="《中华人民共和国宪法》第六十七条",
        category="宪法",
        difficulty=4,
        purpose="practice",
        law_version="2018年修正",
        exclusion_group="常委会职权",
    ),
    ParsedQuestion(
        qtype="true_false",
        stem="国务院实行总理负责制。",
        options=("正确", "错误"),
        answer=(1,),
        explanation="-负号开头的解析",
        legal_basis="@第八十六条",
        category="组织法",
        difficulty=5,
        purpose="exam",
        law_version="2022年修正",
        exclusion_group="=总理负责制",
    ),
)


def test_the_declaration_matches_the_parsed_question():
    """A field added to ParsedQuestion and not declared (or the reverse) fails here."""
    names = [f.name for f in dataclasses.fields(ParsedQuestion) if f.name != "source_line"]
    assert [spec.name for spec in F.FIELDS] == names
    assert all(spec.kind in F.KINDS for spec in F.FIELDS)
    assert all(spec.label and spec.header for spec in F.FIELDS)
    assert len(set(F.TEMPLATE_COLUMNS)) == len(F.TEMPLATE_COLUMNS)


def test_the_template_columns_are_the_published_format():
    """The file format never changes with the declaration's refactoring."""
    assert TEMPLATE_HEADERS == (
        "题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "选项G",
        "选项H", "答案", "解析", "法律依据", "分类", "难度", "用途", "法律版本", "互斥组",
    )  # fmt: skip
    assert REQUIRED_HEADERS == ("题型", "题干", "选项A", "选项B", "答案")
    assert F.FIELD["options"].columns == OPTION_HEADERS


def test_revision_fields_are_all_but_the_purpose():
    assert F.REVISION_FIELD_NAMES == (
        "qtype", "stem", "options", "answer", "explanation", "legal_basis", "category",
        "difficulty", "law_version", "exclusion_group",
    )  # fmt: skip
    assert diffing.FIELD_ORDER == F.REVISION_FIELD_NAMES


@pytest.mark.parametrize("question", FULL, ids=lambda q: q.qtype)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_keeps_every_field(question, fmt):
    dump, parse = (dump_csv, parse_csv) if fmt == "csv" else (dump_xlsx, parse_xlsx)
    result = parse(dump([question]))
    assert result.ok, result.problems
    (back,) = result.questions
    for spec in F.FIELDS:
        assert getattr(back, spec.name) == getattr(question, spec.name), spec.name


def test_stored_and_parsed_values_round_trip():
    for question in FULL:
        stored = F.revision_content(question)
        assert set(stored) == set(F.REVISION_FIELD_NAMES)
        assert isinstance(stored["options"], list) and isinstance(stored["answer"], list)

        class Row:
            pass

        row = Row()
        for name, value in {**stored, "purpose": question.purpose}.items():
            setattr(row, name, value)
        assert ParsedQuestion(**F.parsed_values(row)) == question


def test_a_revision_diff_names_every_changed_field():
    old, new = F.revision_content(FULL[0]), F.revision_content(FULL[1])
    changed = [c.field for c in diffing.revision_changes(old, new)]
    assert changed == list(F.REVISION_FIELD_NAMES)


def test_a_too_long_field_is_named_by_its_label():
    _, problems = validate_question(
        line=3,
        qtype="true_false",
        stem="题干",
        answer=[0],
        category="法" * (MAX_CATEGORY_CHARS + 1),
    )
    assert [p.message for p in problems] == [f"第 3 行：分类超过 {MAX_CATEGORY_CHARS} 字。"]
    # The label is a marked message of its own: it is translated with the template.
    english = {
        "第 %(line)s 行：%(field)s超过 %(limit)s 字。": "%(field)s > %(limit)s",
        "分类": "Category",
    }
    assert problems[0].render(lambda s: english.get(s, s)) == "Category > 100"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_the_shipped_bank_imports_and_round_trips(path):
    result = parse_file(path.name, path.read_bytes())
    assert result.ok and result.questions, result.problems[:3]
    assert parse_csv(dump_csv(result.questions)).questions == result.questions
    assert parse_xlsx(dump_xlsx(result.questions)).questions == result.questions


def test_the_declaration_is_pure():
    """No Flask, no database: the formats (and this module) run anywhere."""
    tree = ast.parse(Path(F.__file__).read_text(encoding="utf-8"))
    modules = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    modules += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert modules and not [m for m in modules if m.startswith(("flask", "sqlalchemy"))]
