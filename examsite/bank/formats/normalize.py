"""Text helpers shared by the formats: cleaning, duplicate keys, HTML to text, decoding.

Nothing here knows about questions; everything is a pure function of its arguments.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from html.parser import HTMLParser

from examsite.core.controlchars import FILE_JUNK_RE

__all__ = [
    "category_from_path",
    "clean_line",
    "clean_text",
    "decode_text",
    "html_to_text",
    "normalize_stem",
]

# --------------------------------------------------------------------------- cleaning


def clean_text(text: str) -> str:
    """Canonical form of every text field we store.

    Line breaks become ``\\n`` (``\\r\\n``, lone ``\\r``, U+2028/U+2029 included),
    control characters other than tab and newline are deleted, and leading/trailing
    whitespace is stripped.
    Inner whitespace and line breaks are kept as they are.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    return FILE_JUNK_RE.sub("", text).strip()


def clean_line(text: str) -> str:
    """``clean_text`` and then every run of whitespace (newlines too) becomes one space.

    Used for one-line fields such as the category.
    """
    return " ".join(clean_text(text).split())


# --------------------------------------------------------------------------- duplicate keys

_EMPTY_BRACKETS_RE = re.compile(r"\(\)|\[\]|【】|〔〕|〖〗|「」|『』")


def normalize_stem(text: str) -> str:
    """The key used to recognise the same question written slightly differently.

    Exactly these steps, in this order:

    1. Unicode NFKC normalisation: full-width letters, digits and punctuation become their
       half-width forms (``（`` → ``(``, ``Ａ`` → ``A``, ``？`` → ``?``, the ideographic
       space → a space).  ``。``, ``、`` and ``【】`` have no half-width form and stay.
    2. ``str.casefold()`` (a stronger lower-casing).
    3. Delete every whitespace character and every Unicode "format" character
       (category Cf: zero-width spaces, joiners, the byte-order mark).
    4. Delete every underscore (fill-in blanks are often written ``____``).
    5. Delete empty bracket pairs, repeatedly: ``()`` ``[]`` ``【】`` ``〔〕`` ``〖〗`` ``「」``
       ``『』`` -- so ``（　）``, ``( )`` and ``（____）`` all disappear.
    6. Strip trailing punctuation (any character of Unicode category P*), so a final
       ``。`` / ``?`` / ``：`` does not matter.

    ``根据宪法，中国的根本制度是（　）。`` and ``根据宪法,中国的根本制度是____`` give the
    same key.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(
        ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf" and ch != "_"
    )
    previous = None
    while previous != text:
        previous = text
        text = _EMPTY_BRACKETS_RE.sub("", text)
    end = len(text)
    while end and unicodedata.category(text[end - 1]).startswith("P"):
        end -= 1
    return text[:end]


# --------------------------------------------------------------------------- HTML

_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
        "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "thead",
        "tfoot", "tr", "ul",
    }
)  # fmt: skip
_CELL_TAGS = frozenset({"td", "th"})
# Content of these elements is never text for a reader.
_DROP_TAGS = frozenset(
    {
        "script", "style", "head", "title", "template", "noscript", "iframe", "object",
        "embed", "svg", "math", "select", "textarea", "button", "applet", "frame", "frameset",
    }
)  # fmt: skip
_VOID_TAGS = frozenset({"embed", "frame"})
# Anything still looking like a tag after conversion (e.g. from "&lt;b&gt;") is removed too.
_TAG_LIKE_RE = re.compile(r"</?[A-Za-z!?][^<>]*>")
# An unfinished tag (``<div class="x`` with no ``>``, e.g. in a truncated file): drop the
# rest of that line.
_OPEN_TAG_RE = re.compile(r"<[A-Za-z/!?][^<>\n]*$", re.MULTILINE)
_HSPACE_RE = re.compile(r"[ \t\f\v]+")  # HTML collapses these, not U+3000


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._drop_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_TAGS:
            if tag not in _VOID_TAGS:
                self._drop_depth += 1
            return
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag in _CELL_TAGS:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_TAGS:
            if tag not in _VOID_TAGS and self._drop_depth:
                self._drop_depth -= 1
            return
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._drop_depth:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Safe plain text from an HTML fragment.

    Tags are removed (the content of ``<script>``, ``<style>`` and similar is dropped
    entirely), entities are unescaped, ``<br>``, ``<p>``, ``<div>``, ``<li>`` and other
    block elements become line breaks, runs of spaces/tabs/``&nbsp;`` collapse to one space,
    every line is stripped and empty lines are dropped.  Whatever still looks like a tag
    afterwards (for instance written as ``&lt;b&gt;`` in the source) is removed as well, so
    the result never contains markup.
    """
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:
        return clean_text(_TAG_LIKE_RE.sub(" ", html))
    text = "".join(parser.parts).replace("\xa0", " ")
    previous = None
    while previous != text:
        previous = text
        text = _TAG_LIKE_RE.sub("", text)
    text = _OPEN_TAG_RE.sub("", text)
    lines = (_HSPACE_RE.sub(" ", line).strip() for line in clean_text(text).split("\n"))
    return "\n".join(line for line in lines if line)


# --------------------------------------------------------------------------- decoding

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode_text(data: bytes) -> str | None:
    """Decode an uploaded text file: UTF-8 (with or without BOM), else GB18030 (a superset
    of GBK and GB2312); a UTF-16 file with a BOM is accepted too.  ``None`` when nothing
    decodes cleanly or the text contains NUL characters (a binary file)."""
    candidates = ("utf-16",) if data.startswith(_UTF16_BOMS) else ("utf-8-sig", "gb18030")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            return None
        return text.lstrip("\ufeff")
    return None


# --------------------------------------------------------------------------- categories

_ROOT_COMPONENTS = frozenset({"top", "顶层"})


def category_from_path(path: str) -> str:
    """The last component of a Moodle category path.

    ``$course$/top/Default for X/宪法`` → ``宪法``.  Moodle writes a ``/`` inside a name as
    ``//``; that is honoured.  Leading context markers (``$course$``, ``$system$`` …) and the
    ``top`` root right after them are not category names: ``$course$/top`` → ``""``.
    """
    components: list[str] = []
    current: list[str] = []
    i = 0
    path = clean_line(path)
    while i < len(path):
        ch = path[i]
        if ch == "/":
            if path.startswith("//", i):
                current.append("/")
                i += 2
                continue
            components.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
        i += 1
    components.append("".join(current).strip())
    components = [c for c in components if c]
    if components and re.fullmatch(r"\$\w+\$", components[0]):
        components.pop(0)
        if components and components[0].casefold() in _ROOT_COMPONENTS:
            components.pop(0)
    return components[-1] if components else ""
