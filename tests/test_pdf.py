"""Printed documents (core/pdf.py): an A4 PDF in Chinese with page numbers and the footer
note on every page, and nothing fetched from outside the site's static files."""

from __future__ import annotations

import io

import pypdf
import pytest
from flask import Flask, render_template_string

from examsite.core.pdf import StaticOnlyFetcher, pdf_response, render_pdf

_DOCUMENT = """{% extends "core/document.html" %}
{% block doc_title %}考场记录{% endblock %}
{% block document %}<h1>任前法律知识考试考场记录</h1>
{% for i in range(rows) %}<p>第{{ i }}行 张三 准考证号 A{{ i }}</p>{% endfor %}
<img src="http://203.0.113.9/track.png" alt="">
<img src="../../../../etc/passwd" alt="">
{% endblock %}
{% block footer_note %}审计摘要 0123abcd{% endblock %}"""


def _pages(pdf: bytes) -> list[str]:
    """Each page's text with all white space removed (the extractor breaks lines freely)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return ["".join(page.extract_text().split()) for page in reader.pages]


def test_a_document_prints_as_a4_in_chinese_with_page_numbers_and_the_footer_note(
    app: Flask,
) -> None:
    with app.test_request_context():
        html = render_template_string(_DOCUMENT, pdf=True, rows=80)
        pdf = render_pdf(html)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (
        210,
        297,
    )
    pages = _pages(pdf)
    assert len(pages) >= 2
    assert "任前法律知识考试考场记录" in pages[0]
    for number, text in enumerate(pages, start=1):
        assert f"第{number}页共{len(pages)}页" in text
        assert "审计摘要0123abcd" in text


def test_a_document_fetches_nothing_outside_the_static_folder(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    served: list[str] = []
    real = StaticOnlyFetcher.fetch

    def spy(self: StaticOnlyFetcher, url: str, headers: object = None) -> object:
        asked.append(url)
        response = real(self, url, headers)  # raises for anything it does not serve
        served.append(url.rsplit("/static/", 1)[-1])
        return response

    monkeypatch.setattr(StaticOnlyFetcher, "fetch", spy)
    with app.test_request_context():
        render_pdf(render_template_string(_DOCUMENT, pdf=True, rows=1))
    assert served == ["css/document.css"]
    assert any("203.0.113.9" in url for url in asked)
    assert any("passwd" in url for url in asked)


def test_the_download_is_named_in_chinese(app: Flask) -> None:
    with app.test_request_context():
        response = pdf_response(render_template_string(_DOCUMENT, pdf=True, rows=1), "考场记录")
    assert response.mimetype == "application/pdf"
    assert (
        "filename*=UTF-8''%E8%80%83%E5%9C%BA%E8%AE%B0%E5%BD%95.pdf"
        in (response.headers["Content-Disposition"])
    )
    assert response.get_data().startswith(b"%PDF")
