"""The text of a 任前表态发言: sanitised HTML with paragraphs, bold and lists (pure).

The page's editor (static/js/statement-editor.js) posts HTML; without scripts the plain
textarea posts text, whose paragraphs become <p> (escaped: nobody types markup)."""

from __future__ import annotations

import html
import re

import nh3

#: The formatting a statement may keep; everything else (scripts, styles, links, images,
#: every attribute) is dropped.
STATEMENT_TAGS = {"p", "br", "strong", "b", "em", "ul", "ol", "li"}

# Browsers' contenteditable writes a line as <div>: it is a paragraph here.
_DIV = re.compile(r"<(/?)div\b[^>]*>", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n\s*\n")
_BLOCK_END = re.compile(r"</(p|li|ul|ol)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_EMPTY_P = re.compile(r"<p>(\s|<br>)*</p>")


def sanitize(markup: str) -> str:
    """The allowed formatting of ``markup``, nothing else (no tag outside STATEMENT_TAGS,
    no attribute, no script content)."""
    cleaned = nh3.clean(
        _DIV.sub(r"<\1p>", markup or ""),
        tags=STATEMENT_TAGS,
        attributes={},
        clean_content_tags={"script", "style"},
    )
    return _EMPTY_P.sub("", cleaned).strip()


def from_plain(text: str) -> str:
    """Plain text as paragraphs: a blank line starts one, a single newline is a <br>."""
    paragraphs = [p.strip() for p in _BLANK_LINES.split((text or "").replace("\r\n", "\n"))]
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
        if p
    )


def to_plain(markup: str) -> str:
    """The stored text for the plain textarea: its paragraphs apart, the tags gone."""
    text = _BLOCK_END.sub(
        lambda m: "\n" if m.group(0).lower().startswith("<br") else "\n\n", markup or ""
    )
    text = html.unescape(_TAG.sub("", text))
    return _BLANK_LINES.sub("\n\n", text).strip()
