"""The statement text: written in the page's small editor (paragraphs, bold, lists) or, without
scripts, in the plain textarea; stored as sanitised HTML; nobody's raw markup comes back."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from examsite.appointments.models import Statement
from examsite.appointments.statement_text import from_plain, sanitize, to_plain
from examsite.extensions import db
from tests.fixtures.database import committing
from tests.fixtures.web import csrf_token

JS = Path(__file__).resolve().parent.parent / "examsite/static/js/statement-editor.js"

# ----------------------------------------------------------------- the sanitiser (pure)


@pytest.mark.parametrize(
    ("markup", "stored"),
    [
        ("<p>坚决<b>拥护</b>宪法</p>", "<p>坚决<b>拥护</b>宪法</p>"),
        ("<p><strong>一</strong><em>二</em></p>", "<p><strong>一</strong><em>二</em></p>"),
        ("<ul><li>甲</li></ul><ol><li>乙</li></ol>", "<ul><li>甲</li></ul><ol><li>乙</li></ol>"),
        ("<p>一<br>二</p>", "<p>一<br>二</p>"),
        # A browser's contenteditable writes lines as <div>: they stay paragraphs.
        ('<div class="x">甲</div><div>乙</div>', "<p>甲</p><p>乙</p>"),
        ("<p>甲<script>alert(1)</script></p>", "<p>甲</p>"),
        ('<p onclick="steal()">甲</p>', "<p>甲</p>"),
        ('<b style="color:red">甲</b>', "<b>甲</b>"),
        ('<img src=x onerror="steal()"><a href="javascript:x()">链接</a>', "链接"),
        ("<h3>标题</h3><u>下划线</u><i>斜</i>", "标题下划线斜"),
        ("<p></p><p> </p>", ""),
    ],
)
def test_sanitize_keeps_only_the_allowed_formatting(markup, stored):
    assert sanitize(markup) == stored


def test_plain_text_becomes_escaped_paragraphs():
    assert from_plain("第一段\r\n接着\r\n\r\n\r\n第二段 <b>不是粗体</b>") == (
        "<p>第一段<br>接着</p><p>第二段 &lt;b&gt;不是粗体&lt;/b&gt;</p>"
    )
    assert from_plain("  \n\n ") == ""


def test_the_plain_textarea_gets_the_paragraphs_back():
    stored = "<p>第一段<br>接着</p><p><b>第二段</b> &lt;b&gt;</p><ul><li>甲</li><li>乙</li></ul>"
    text = to_plain(stored)
    assert text == "第一段\n接着\n\n第二段 <b>\n\n甲\n\n乙"
    # Saved again from the textarea, the words and paragraphs are the same.
    assert to_plain(from_plain(text)) == text


# ----------------------------------------------------------------- through the form


def _post(b, aid, text, text_format=None):
    data = {
        "csrf_token": csrf_token(b.client, "/"),
        "order": "1",
        "text": text,
        "delivered": "y",
        "delivered_on": "2026-11-20",
    }
    if text_format:
        data["text_format"] = text_format
    r = b.client.post(
        f"/bodies/east/appointments/{aid}/statement",
        data=data,
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    return r


def _stored(app) -> str:
    with committing(app):
        return db.session.scalars(select(Statement)).one().text


@pytest.fixture
def person(world, make_appointment):
    return make_appointment(body="east").id


def test_the_editor_posts_html_which_is_sanitised(app, person, login_as):
    b = login_as("east-staff")
    _post(
        b,
        person,
        '<div>坚决<b>拥护</b>宪法</div><ul><li onclick="x()">忠于职守</li></ul>'
        "<ol><li>廉洁奉公</li></ol><script>alert(1)</script>",
        "html",
    )
    assert _stored(app) == (
        "<p>坚决<b>拥护</b>宪法</p><ul><li>忠于职守</li></ul><ol><li>廉洁奉公</li></ol>"
    )
    page = b.get(f"/bodies/east/appointments/{person}").get_data(as_text=True)
    # Shown with its formatting, the script and handler gone.
    stored = "<p>坚决<b>拥护</b>宪法</p><ul><li>忠于职守</li></ul><ol><li>廉洁奉公</li></ol>"
    assert f'<div class="statement-text">{stored}</div>' in page
    assert "alert(1)" not in page and 'onclick="x()"' not in page
    # The editor starts from the stored text; the bare textarea holds it as plain text.
    assert 'contenteditable="true"' in page
    assert f'aria-label="发言内容">{stored}</div>' in page
    assert "坚决拥护宪法\n\n忠于职守\n\n廉洁奉公</textarea>" in page


def test_without_scripts_the_textarea_keeps_its_paragraphs_and_no_markup(app, person, login_as):
    b = login_as("east-staff")
    _post(b, person, "第一段。\r\n\r\n第二段<b>不是粗体</b><script>alert(1)</script>")
    assert _stored(app) == (
        "<p>第一段。</p><p>第二段&lt;b&gt;不是粗体&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )
    page = b.get(f"/bodies/east/appointments/{person}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<b>不是粗体" not in page
    # Saved again unchanged from the textarea (the round trip), the text is the same.
    _post(b, person, "第一段。\r\n\r\n第二段<b>不是粗体</b><script>alert(1)</script>")
    assert _stored(app).count("<p>") == 2


def test_an_unknown_format_is_treated_as_plain_text(app, person, login_as):
    _post(login_as("east-staff"), person, "<b>粗</b>", "markdown")
    assert _stored(app) == "<p>&lt;b&gt;粗&lt;/b&gt;</p>"


def test_the_page_has_the_editor_and_its_buttons(app, person, login_as):
    page = login_as("east-staff").get(f"/bodies/east/appointments/{person}").get_data(as_text=True)
    assert "js/statement-editor.js" in page
    assert 'name="text_format" type="hidden" value="plain"' in page
    for label, command in (
        ("加粗", "bold"),
        ("项目列表", "insertUnorderedList"),
        ("编号列表", "insertOrderedList"),
    ):
        assert f'data-command="{command}">{label}</button>' in page
    # Hidden until the script runs: without it the textarea is the editor.
    assert "data-statement-box hidden" in page
    script = JS.read_text(encoding="utf-8")
    # The commands and their words come from the page's buttons.
    assert 'getAttribute("data-command")' in script and "execCommand" in script
    assert 'format.value = "html"' in script
    assert "?." not in script and "??" not in script  # ES2017 for the intranet's browsers


def test_an_uploaded_file_keeps_working_with_the_text(app, person, login_as):
    b = login_as("east-staff")
    r = b.client.post(
        f"/bodies/east/appointments/{person}/statement",
        data={
            "csrf_token": csrf_token(b.client, "/"),
            "order": "1",
            "text": "表态",
            "file": (io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), "表态.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    assert _stored(app) == "<p>表态</p>"
