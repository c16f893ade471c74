"""Importing a Word (.docx) paper: the bank's import page and `flask questions check`."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from examsite.bank.models import Question
from examsite.extensions import db
from tests.fixtures.database import committing
from tests.fixtures.factories import count
from tests.fixtures.web import csrf_token
from tests.fixtures.word_papers import PAPER_BROKEN, PAPER_ONE_LINE, PAPER_OWN_LINES, docx_bytes


def _preview(b, name: str, data: bytes) -> int:
    response = b.client.post(
        "/bodies/east/bank/import",
        data={"csrf_token": csrf_token(b.client, "/"), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    match = re.search(r"/bank/import/(\d+)$", response.headers["Location"])
    assert match, response.headers.get("Location")
    return int(match.group(1))


def test_the_import_page_lists_word_papers_among_the_formats(world, login_as):
    page = login_as("east-admin").get("/bodies/east/bank/import").get_data(as_text=True)
    assert ".docx" in page and "【答案】" in page


def test_a_word_paper_is_previewed_then_stored_on_confirm(app, world, login_as):
    b = login_as("east-admin")
    import_id = _preview(b, "任前考试试卷.docx", docx_bytes(PAPER_OWN_LINES))
    preview = b.get(f"/bodies/east/bank/import/{import_id}").get_data(as_text=True)
    assert "中华人民共和国的一切权力属于" in preview and "ABD" in preview
    assert 'data-testid="valid-count">5<' in preview
    assert count(app, Question) == 0  # a preview writes nothing

    done = b.post(f"/bodies/east/bank/import/{import_id}/confirm")
    assert done.status_code == 302
    with committing(app):
        stored = db.session.scalars(
            select(Question).where(Question.body_id == world.east.id).order_by(Question.id)
        ).all()
        assert [(q.qtype, q.stem) for q in stored][:2] == [
            ("single", "中华人民共和国的一切权力属于（　）。"),
            ("single", "全国人民代表大会每届任期（　）年。"),
        ]
        assert stored[0].legal_basis == "《中华人民共和国宪法》第二条"
        assert [q.qtype for q in stored].count("true_false") == 2


def test_the_second_layout_imports_too(app, world, login_as):
    b = login_as("east-admin")
    import_id = _preview(b, "试卷二.docx", docx_bytes(PAPER_ONE_LINE))
    b.post(f"/bodies/east/bank/import/{import_id}/confirm")
    assert count(app, Question, Question.body_id == world.east.id) == 5


def test_a_broken_word_paper_names_the_questions_and_imports_nothing(app, world, login_as):
    b = login_as("east-admin")
    import_id = _preview(b, "有错的试卷.docx", docx_bytes(PAPER_BROKEN))
    preview = b.get(f"/bodies/east/bank/import/{import_id}").get_data(as_text=True)
    assert "单选题第 2 题：缺少答案" in preview
    assert "单选题第 3 题：选项字母应为 C，实际为 D" in preview
    assert "无法识别的题型“填空题”" in preview

    refused = b.post(f"/bodies/east/bank/import/{import_id}/confirm")
    assert "未导入任何题目" in b.get(refused.headers["Location"]).get_data(as_text=True)
    assert count(app, Question) == 0


def test_questions_check_reads_a_word_paper(app, runner, tmp_path):
    good = tmp_path / "试卷.docx"
    good.write_bytes(docx_bytes(PAPER_OWN_LINES))
    result = runner.invoke(args=["questions", "check", str(good)])
    assert result.exit_code == 0, result.output
    assert "试卷.docx: 5 questions, 0 errors" in result.output

    broken = tmp_path / "有错的试卷.docx"
    broken.write_bytes(docx_bytes(PAPER_BROKEN))
    result = runner.invoke(args=["questions", "check", str(broken)])
    assert result.exit_code == 1
    assert "单选题第 2 题：缺少答案" in result.output
