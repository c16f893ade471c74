"""Labels declared once and shown in words: question fields, post categories, the audit log.

The audit log shows no stored key: every action, record type and detail key is a label
(through Babel), booleans are 是/否 and known values are named.
"""

from __future__ import annotations

import ast
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from examsite.bank import editing as bank_editing
from examsite.bank import exporting as bank_exporting
from examsite.bank import importing as bank_importing
from examsite.bank.formats.fields import FIELDS, REVISION_FIELD_NAMES
from examsite.bank.formats.model import ParsedQuestion
from examsite.bank.models import Question, QuestionRevision
from examsite.bodies import services as body_services
from examsite.core import audit_labels
from examsite.core.audit import AuditEvent
from examsite.core.audit_labels import describe
from examsite.core.body import Body
from examsite.exams import sittings
from examsite.exams.domain.candidates_file import POST_CATEGORIES as FILE_LABELS
from examsite.exams.models import POST_CATEGORIES, Candidate
from examsite.extensions import Model, db
from tests.fixtures.database import committing
from tests.fixtures.ids import make_id

ROOT = Path(__file__).resolve().parent.parent
EXAMSITE = ROOT / "examsite"

# --------------------------------------------------------------------------- audit: the source


@dataclass(frozen=True)
class Call:
    where: str
    actions: tuple[str, ...]
    keys: tuple[str, ...]


_NOT_DETAILS = {"target", "body", "user", "actor"}


def _is_audit_call(node: ast.Call) -> bool:
    func = node.func
    if isinstance(func, ast.Attribute):
        return (
            isinstance(func.value, ast.Name)
            and func.value.id == "audit"
            and func.attr in ("record", "record_failure")
        )
    # invigilation's _record(action, attempt, sitting, user, reason, **details) wrapper.
    return isinstance(func, ast.Name) and func.id == "_record"


def _constants(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _constants(node.body) + _constants(node.orelse)
    return []


def _assigned(function: ast.AST, name: str) -> list[str]:
    """String constants assigned to ``name`` in the function."""
    found = []
    for node in ast.walk(function):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            found += _constants(node.value)
    return found


def _expanded_keys(function: ast.AST, name: str) -> list[str]:
    """The keys a dict spread into record(**name) gets in its function."""
    loops: dict[str, list[str]] = {}
    for node in ast.walk(function):
        # for field, value in (("name", ...), ("flag", ...)): name[field] = ...
        if isinstance(node, ast.For) and isinstance(node.iter, ast.Tuple):
            target = node.target.elts[0] if isinstance(node.target, ast.Tuple) else node.target
            if isinstance(target, ast.Name):
                firsts = [e.elts[0] if isinstance(e, ast.Tuple) else e for e in node.iter.elts]
                loops[target.id] = [k for e in firsts for k in _constants(e)]
    keys: list[str] = []
    for node in ast.walk(function):
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name) and t.id == name and isinstance(node.value, ast.Dict):
                    keys += [
                        k for key in node.value.keys if key is not None for k in _constants(key)
                    ]
                if (
                    isinstance(t, ast.Subscript)
                    and isinstance(t.value, ast.Name)
                    and t.value.id == name
                ):
                    keys += _constants(t.slice)
                    if isinstance(t.slice, ast.Name):
                        keys += loops.get(t.slice.id, [])
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "update"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == name
        ):
            keys += [k.arg for k in node.keywords if k.arg]
    return keys


def _parameters(function: ast.AST) -> set[str]:
    if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
        return set()
    args = function.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    names |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    return names


def recorded_calls() -> Iterator[Call]:
    """Every audit call in examsite/: its action(s) and detail keys."""
    for path in sorted(EXAMSITE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)] + [tree]
        seen: set[int] = set()
        for function in functions:
            for node in ast.walk(function):
                if not isinstance(node, ast.Call) or id(node) in seen or not _is_audit_call(node):
                    continue
                seen.add(id(node))
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                first = node.args[0] if node.args else None
                actions = _constants(first) if first is not None else []
                params = _parameters(function)
                if isinstance(first, ast.Name):
                    actions = _assigned(function, first.id)
                    if not actions:
                        assert first.id in params, f"{where}: action of unknown value"
                assert actions or isinstance(first, ast.Name), f"{where}: action not a literal"
                keys = [k.arg for k in node.keywords if k.arg and k.arg not in _NOT_DETAILS]
                for spread in (k.value for k in node.keywords if k.arg is None):
                    assert isinstance(spread, ast.Name), where
                    if spread.id not in params:  # a wrapper's **details: its callers count
                        keys += _expanded_keys(function, spread.id)
                yield Call(where, tuple(actions), tuple(keys))


def test_the_collector_finds_the_calls(app):
    calls = list(recorded_calls())
    assert len(calls) > 60
    actions = {a for c in calls for a in c.actions}
    keys = {k for c in calls for k in c.keys}
    assert {"sitting.print_slips", "question.update", "incident.create", "body.update"} <= actions
    assert {"uses_parent_bank", "role", "identity", "minutes", "category"} <= keys


def test_every_recorded_action_has_a_label(app):
    missing = sorted(
        f"{c.where} {a}"
        for c in recorded_calls()
        for a in c.actions
        if a not in audit_labels.ACTION_LABELS
    )
    assert missing == []


def test_every_recorded_detail_key_has_a_label(app):
    labels = audit_labels.DETAIL_LABELS
    missing = sorted(
        f"{c.where} {a or '*'} {k}"
        for c in recorded_calls()
        for k in c.keys
        for a in (c.actions or ("",))
        if k not in labels and (a, k) not in labels
    )
    assert missing == []


def test_every_record_type_has_a_label(app):
    names = {m.class_.__name__ for m in Model.registry.mappers}
    assert sorted(names - set(audit_labels.TARGET_LABELS)) == []


# --------------------------------------------------------------------------- audit: the page


def _log_rows(page: str) -> str:
    """The table of entries (the filter's options carry the keys as values, unseen)."""
    return page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def test_the_log_shows_a_sitting_action_by_its_label(app, exam_world, login_as):
    admin = login_as("east-admin")
    slips = f"/bodies/east/exams/sittings/{exam_world.sitting_id}/slips"
    assert admin.get(slips).status_code == 200
    rows = _log_rows(admin.get("/audit").get_data(as_text=True))
    assert "打印准考证" in rows and "sitting.print_slips" not in rows
    assert f"考试场次 #{exam_world.sitting_id}" in rows and "Sitting #" not in rows
    assert "数量：3" in rows and "count:" not in rows
    assert "级别：区县级" in rows  # body.create (the world fixture) names the level
    admin.post("/language", {"lang": "en", "next": "/audit"})
    english = _log_rows(admin.get("/audit").get_data(as_text=True))
    assert "Print admission slips" in english and "打印准考证" not in english


def test_the_log_shows_booleans_changes_and_fields_in_words(app, world, login_as):
    with committing(app):
        city = db.session.scalars(select(Body).where(Body.code == "city")).one()
        east = db.session.scalars(select(Body).where(Body.code == "east")).one()
        body_services.update_body(
            east, name=east.name, uses_parent_bank=not east.uses_parent_bank, own_questions=True
        )
        question = bank_editing.create_question(city, _question(), user_id=None)
        edited = ParsedQuestion(
            **{**_fields(_question()), "stem": "新的题干？", "explanation": "新"}
        )
        bank_editing.update_question(question, edited, user_id=None)
        bank_editing.update_question(
            question, ParsedQuestion(**{**_fields(edited), "purpose": "practice"}), user_id=None
        )
    rows = _log_rows(login_as("admin").get("/audit").get_data(as_text=True))
    assert re.search("使用上级题库：(是 → 否|否 → 是)", rows)
    assert "修改的字段：解析、题干" in rows
    assert "原用途：考试" in rows and "新用途：练习" in rows
    assert "分类：宪法" in rows  # question.create names the law
    for key in ("uses_parent_bank", "fields", "revision", "old:", "True", "False", "stem"):
        assert key not in rows, key


def test_describe_names_keys_values_and_legacy_details(app):
    event = AuditEvent(
        action="attempt.extend",
        target_type="Attempt",
        target_id="5",
        details=json.dumps({"after_signoff": True, "minutes": 5, "reason": "停电"}),
    )
    user = AuditEvent(
        action="user.update",
        target_type="User",
        target_id="2",
        details=json.dumps({"name": ["甲", "乙"], "role": ["staff", "body_admin"]}),
    )
    with app.test_request_context():
        shown = describe(event)
        assert shown.action == "延长考试时间" and shown.target == "考生考试记录 #5"
        assert shown.details == [("签字确认后修改", "是"), ("分钟数", "5"), ("原因", "停电")]
        assert describe(user).details == [
            ("姓名", "甲 → 乙"),
            ("角色", "工作人员 → 本机关管理员"),
        ]


# --------------------------------------------------------------------------- post categories


def test_post_categories_keep_their_stored_values_and_file_labels():
    assert list(POST_CATEGORIES) == list(FILE_LABELS)
    assert FILE_LABELS["court"] == "法院"  # what files say, whatever the UI language
    check = next(
        c for c in Candidate.__table__.constraints if c.name and "post_category" in str(c.name)
    )
    assert "'court'" in str(check.sqltext) and "法院" not in str(check.sqltext)


def _english(browser, path: str = "/") -> None:
    browser.post("/language", {"lang": "en", "next": path})


def test_pages_show_post_categories_in_the_ui_language(app, exam_world, login_as):
    with committing(app):
        east = db.session.scalars(select(Body).where(Body.code == "east")).one()
        sittings.save_template(
            east,
            None,
            name="检法卷",
            duration_minutes=60,
            pass_mark=1.0,
            sections=[
                {"qtype": "single", "count": 1, "points": 2, "law_quotas": {},
                 "difficulty_quotas": {}},
            ],
            post_categories=["court", "procuratorate"],
        )  # fmt: skip
    staff = login_as("east-admin")
    chinese = staff.get("/bodies/east/exams/templates").get_data(as_text=True)
    assert "法院、检察院" in chinese
    _english(staff)
    candidates = staff.get("/bodies/east/exams/candidates").get_data(as_text=True)
    assert "Government" in candidates and "政府" not in candidates
    form = staff.get("/bodies/east/exams/sittings/new").get_data(as_text=True)
    assert all(word in form for word in ("Court", "Procuratorate", "Supervisory commission"))
    templates = staff.get("/bodies/east/exams/templates").get_data(as_text=True)
    assert "<td>Court、Procuratorate</td>" in templates and "法院" not in templates


def _result_categories(browser, sitting_id: int) -> set[str]:
    data = browser.get(f"/bodies/east/exams/sittings/{sitting_id}/results.xlsx").data
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    header = [cell.value for cell in sheet[2]]  # row 1 is the title
    column = header.index("职务类别")
    return {row[column] for row in sheet.iter_rows(min_row=3, values_only=True)}


def test_the_results_export_shows_translated_post_categories(exam_world, login_as):
    staff = login_as("east-staff")
    assert _result_categories(staff, exam_world.sitting_id) == {"政府"}
    _english(staff)
    assert _result_categories(staff, exam_world.sitting_id) == {"Government"}


def test_the_candidates_import_reads_chinese_labels_in_an_english_ui(app, world, login_as):
    staff = login_as("east-staff")
    _english(staff)
    data = f"姓名,身份证号,职务类别\n张三,{make_id(901)},法院\n李四,{make_id(902)},检察院\n"
    response = staff.post(
        "/bodies/east/exams/candidates/import",
        {"file": (io.BytesIO(data.encode("utf-8")), "people.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with committing(app):
        stored = dict(db.session.execute(select(Candidate.name, Candidate.post_category)).all())
    assert stored == {"张三": "court", "李四": "procuratorate"}


# --------------------------------------------------------------------------- question fields


def _question() -> ParsedQuestion:
    return ParsedQuestion(
        qtype="multiple",
        stem="下列哪些属于全国人大常委会的职权？",
        options=("解释宪法", "监督宪法的实施", "=制定刑法", "任免最高法院副院长"),
        answer=(0, 1, 3),
        explanation="见宪法第六十七条。",
        legal_basis="《中华人民共和国宪法》第六十七条",
        category="宪法",
        difficulty=4,
        purpose="exam",
    )


def _fields(question: ParsedQuestion) -> dict[str, object]:
    return {spec.name: getattr(question, spec.name) for spec in FIELDS}


def test_the_models_hold_every_declared_field():
    assert {spec.name for spec in FIELDS} <= set(Question.__table__.columns.keys())
    assert set(REVISION_FIELD_NAMES) <= set(QuestionRevision.__table__.columns.keys())
    assert QuestionRevision.CONTENT_FIELDS == REVISION_FIELD_NAMES


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_question_exported_and_imported_keeps_every_field(app, world, fmt):
    with committing(app):
        city = db.session.scalars(select(Body).where(Body.code == "city")).one()
        west = db.session.scalars(select(Body).where(Body.code == "west")).one()
        original = {**_fields(_question()), "purpose": "practice"}
        created = bank_editing.create_question(city, ParsedQuestion(**original), user_id=None)
        data = bank_exporting.export_bank(city, fmt)
        result = bank_importing.import_file(west, f"bank.{fmt}", data)
        assert result.ok and len(result.questions) == 1
        copy = db.session.scalars(select(Question).where(Question.body_id == west.id)).one()
        for spec in FIELDS:
            assert getattr(copy, spec.name) == getattr(created, spec.name), spec.name
        assert copy.revisions[0].content() == created.revisions[0].content()


def test_the_question_page_lists_every_field_by_its_label(app, world, login_as):
    with committing(app):
        city = db.session.scalars(select(Body).where(Body.code == "city")).one()
        question = bank_editing.create_question(city, _question(), user_id=None)
        qid = question.id
        changed = ParsedQuestion(**{**_fields(_question()), "legal_basis": "第六十八条"})
        bank_editing.update_question(question, changed, user_id=None)
    admin = login_as("admin")
    page = admin.get(f"/bodies/city/bank/{qid}").get_data(as_text=True)
    rows = (("解析", "见宪法第六十七条。"), ("法律依据", "第六十八条"), ("分类", "宪法"))
    for label, value in rows:
        assert re.search(f"<dt>{label}</dt><dd[^>]*>{value}</dd>", page), label
    assert re.search(r"<dt>难度</dt><dd>4</dd>", page)
    diff = admin.get(f"/bodies/city/bank/{qid}/diff").get_data(as_text=True)
    assert '<th scope="row">法律依据</th>' in diff
    _english(admin)
    english = admin.get(f"/bodies/city/bank/{qid}").get_data(as_text=True)
    for label in ("Answer", "Explanation", "Legal basis", "Law", "Difficulty", "Purpose"):
        assert f"<dt>{label}</dt>" in english, label
    form = admin.get(f"/bodies/city/bank/{qid}/edit").get_data(as_text=True)
    assert "Question text" in form and "见宪法第六十七条。" in form
